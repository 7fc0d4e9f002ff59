// Library: every image, searchable with the query language, filtered by controls that edit that same
// query, organised into collections and saved searches, with a selection to act on in bulk and a details
// panel for one image.
import { useCallback, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AssetDetailPanel } from '../components/AssetDetailPanel.tsx';
import { AssetGrid } from '../components/AssetGrid.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { Icon } from '../components/Icon.tsx';
import { BulkBar } from '../components/library/BulkBar.tsx';
import { FilterChips } from '../components/library/FilterChips.tsx';
import { FilterControls, SortSelect } from '../components/library/FilterControls.tsx';
import { LibraryRail } from '../components/library/LibraryRail.tsx';
import { SearchBox } from '../components/library/SearchBox.tsx';
import { TaskBanners } from '../components/library/TaskBanners.tsx';
import { count } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { ViewHeader } from './ViewHeader.tsx';

const SEARCH_DEBOUNCE_MS = 250;

export function LibraryView() {
  const s = useStudio(
    useShallow((st) => ({
      query: st.libraryQuery,
      sort: st.librarySort,
      rows: st.libraryRows,
      total: st.libraryTotal,
      status: st.libraryStatus,
      error: st.libraryError,
      stale: st.libraryStale,
      search: st.searchLibrary,
      refresh: st.refreshLibrary,
      selected: st.selectedAsset,
      setArea: st.setArea,
    })),
  );
  const { search, query } = s;
  const [text, setText] = useState(query);
  useEffect(() => {
    if (text === query) return;
    const t = setTimeout(() => void search(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, query, search]);
  /** A control changed the query: search at once, no debounce. Stable, so the memoized controls stay put. */
  const apply = useCallback(
    (next: string) => {
      setText(next);
      void search(next);
    },
    [search],
  );

  const summary =
    s.total !== null
      ? count(s.total, 'image')
      : s.status === 'ready'
        ? count(s.rows.length, 'image')
        : undefined;
  return (
    <main className="view view--library" aria-labelledby="view-title">
      <ViewHeader title="Library" subtitle={summary}>
        <SearchBox text={text} onChange={setText} onSubmit={() => void search(text)} />
        <SortSelect sort={s.sort} onSort={(sort) => void search(text, sort)} />
      </ViewHeader>
      <div className={`library${s.selected !== null ? ' library--detail' : ''}`}>
        <LibraryRail text={text} apply={apply} />
        <div className="library__main">
          <FilterControls text={text} onChange={apply} />
          <FilterChips text={text} onChange={apply} />
          <TaskBanners />
          {s.stale ? (
            <div className="notice notice--info" role="status">
              <Icon name="image" />
              <p>New images arrived; they may match this search.</p>
              <button type="button" className="btn btn--xs" onClick={() => void s.refresh()}>
                Refresh
              </button>
            </div>
          ) : null}
          <BulkBar />
          <div className="library__grid" aria-busy={s.status === 'loading'}>
            {s.status === 'error' ? (
              <div className="notice notice--danger" role="alert">
                <Icon name="alert" />
                <p>The library could not be searched: {s.error}</p>
              </div>
            ) : s.rows.length === 0 && s.status !== 'ready' ? (
              <p className="muted">
                <span className="spinner" aria-hidden="true" /> Loading images…
              </p>
            ) : s.rows.length === 0 && query.trim() ? (
              <EmptyState icon="search" title={`Nothing matches “${query.trim()}”`}>
                The search looks at prompts, tags, notes and batch names; filters narrow it down. The ? beside
                the search box lists them all.
              </EmptyState>
            ) : s.rows.length === 0 ? (
              <EmptyState
                icon="library"
                title="No images yet"
                action={
                  <button type="button" className="btn btn--primary" onClick={() => s.setArea('compose')}>
                    <Icon name="compose" /> Compose a batch
                  </button>
                }
              >
                Every finished generation is saved here, with its prompt and settings, and stays available
                offline. You can also import a folder of images from the left.
              </EmptyState>
            ) : (
              <AssetGrid />
            )}
          </div>
        </div>
        <AssetDetailPanel />
      </div>
    </main>
  );
}
