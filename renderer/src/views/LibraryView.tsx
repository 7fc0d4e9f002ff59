// Library: every image, searchable with the query language, filtered by controls that edit that same
// query, organised into collections and saved searches, with a selection to act on in bulk and a details
// panel for one image.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { AssetDetailPanel } from '../components/AssetDetailPanel.tsx';
import { AssetGrid } from '../components/AssetGrid.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { Icon } from '../components/Icon.tsx';
import { BulkBar } from '../components/library/BulkBar.tsx';
import { FilterChips } from '../components/library/FilterChips.tsx';
import { FilterControls, SortSelect } from '../components/library/FilterControls.tsx';
import { LibraryRail } from '../components/library/LibraryRail.tsx';
import { RebuildOffer } from '../components/library/RebuildOffer.tsx';
import { SearchBox } from '../components/library/SearchBox.tsx';
import { TaskBanners } from '../components/library/TaskBanners.tsx';
import { hasMod } from '../keyboard.ts';
import { useStudio } from '../store/index.ts';
import { ViewHeader } from './ViewHeader.tsx';

const SEARCH_DEBOUNCE_MS = 250;

export function LibraryView() {
  const { t } = useTranslation();
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
    const timer = setTimeout(() => void search(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, query, search]);
  // Ctrl/⌘+A anywhere in the Library but a text field selects the images, never the page's text (focus
  // may sit on the page itself after a click, outside the grid that handles its own keys).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!hasMod(e) || e.altKey || e.key.toLowerCase() !== 'a' || e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      useStudio.getState().selectAllLoaded();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
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
      ? t('library.images', { count: s.total })
      : s.status === 'ready'
        ? t('library.images', { count: s.rows.length })
        : undefined;
  return (
    <main className="view view--library" aria-labelledby="view-title">
      <ViewHeader title={t('area.library')} subtitle={summary}>
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
              <p>{t('library.stale')}</p>
              <button type="button" className="btn btn--xs" onClick={() => void s.refresh()}>
                {t('library.refresh')}
              </button>
            </div>
          ) : null}
          <BulkBar />
          <div className="library__grid" aria-busy={s.status === 'loading'}>
            {s.status === 'error' ? (
              <div className="notice notice--danger" role="alert">
                <Icon name="alert" />
                <p>{t('library.searchFailed', { error: s.error })}</p>
              </div>
            ) : s.rows.length === 0 && s.status !== 'ready' ? (
              <p className="muted">
                <span className="spinner" aria-hidden="true" /> {t('library.loading')}
              </p>
            ) : s.rows.length === 0 && /^\s*collection:#\d+\s*$/.test(query) ? (
              <EmptyState icon="collection" title={t('library.emptyCollection')}>
                {t('library.emptyCollectionText')}
              </EmptyState>
            ) : s.rows.length === 0 && query.trim() ? (
              <EmptyState icon="search" title={t('library.noMatch', { query: query.trim() })}>
                {t('library.noMatchText')}
              </EmptyState>
            ) : s.rows.length === 0 ? (
              <RebuildOffer
                otherwise={
                  <EmptyState
                    icon="library"
                    title={t('library.emptyTitle')}
                    action={
                      <button type="button" className="btn btn--primary" onClick={() => s.setArea('compose')}>
                        <Icon name="compose" /> {t('queue.composeBatch')}
                      </button>
                    }
                  >
                    {t('library.emptyText')}
                  </EmptyState>
                }
              />
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
