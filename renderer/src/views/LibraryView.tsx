// Library: every generated image, newest first, searchable, with a details panel.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AssetDetailPanel } from '../components/AssetDetailPanel.tsx';
import { AssetGrid } from '../components/AssetGrid.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { Icon } from '../components/Icon.tsx';
import { count } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { ViewHeader } from './ViewHeader.tsx';

const SEARCH_DEBOUNCE_MS = 250;

export function LibraryView() {
  const { query, rows, total, hasMore, status, error, search, selected, setArea } = useStudio(
    useShallow((s) => ({
      query: s.libraryQuery,
      rows: s.libraryRows,
      total: s.libraryTotal,
      hasMore: s.libraryHasMore,
      status: s.libraryStatus,
      error: s.libraryError,
      search: s.searchLibrary,
      selected: s.selectedAsset,
      setArea: s.setArea,
    })),
  );
  const [text, setText] = useState(query);
  useEffect(() => {
    if (text === query) return;
    const t = setTimeout(() => void search(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, query, search]);

  const summary =
    total !== null
      ? count(total, 'image')
      : `${count(rows.length, 'match', 'matches')}${hasMore ? ' so far' : ''}`;
  return (
    <main className="view view--library" aria-labelledby="view-title">
      <ViewHeader title="Library" subtitle={status === 'idle' ? undefined : summary}>
        <div className="search">
          <Icon name="search" />
          <input
            type="search"
            className="input search__input"
            placeholder="Search prompts"
            aria-label="Search prompts"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void search(text);
            }}
          />
        </div>
      </ViewHeader>
      <div className={`library${selected !== null ? ' library--detail' : ''}`}>
        <div className="library__grid" aria-busy={status === 'loading'}>
          {status === 'error' ? (
            <div className="notice notice--danger" role="alert">
              <Icon name="alert" />
              <p>The library could not be searched: {error}</p>
            </div>
          ) : rows.length === 0 && status !== 'ready' ? (
            <p className="muted">
              <span className="spinner" aria-hidden="true" /> Loading images…
            </p>
          ) : rows.length === 0 && query.trim() ? (
            <EmptyState icon="search" title={`Nothing matches “${query.trim()}”`}>
              The search looks at prompts, the prompts the service used, and parameters.
            </EmptyState>
          ) : rows.length === 0 ? (
            <EmptyState
              icon="library"
              title="No images yet"
              action={
                <button type="button" className="btn btn--primary" onClick={() => setArea('compose')}>
                  <Icon name="compose" /> Compose a batch
                </button>
              }
            >
              Every finished generation is saved here, with its prompt and settings, and stays available
              offline.
            </EmptyState>
          ) : (
            <AssetGrid />
          )}
        </div>
        <AssetDetailPanel />
      </div>
    </main>
  );
}
