// Library: the search, its pages of results (newest first), and the image whose details are open.
import type { AssetDetail } from '../../../shared/contract.ts';
import type { AssetRow } from '../../../shared/domain.ts';
import { api, errorMessage } from '../api.ts';
import type { Slice } from './types.ts';

export interface LibrarySlice {
  libraryQuery: string;
  libraryRows: AssetRow[];
  libraryTotal: number | null;
  libraryHasMore: boolean;
  libraryStatus: 'idle' | 'loading' | 'ready' | 'error';
  libraryError: string | null;
  selectedAsset: number | null;
  detail: AssetDetail | null;
  detailStatus: 'idle' | 'loading' | 'ready' | 'missing' | 'error';

  searchLibrary(text: string): Promise<void>;
  loadMoreLibrary(): Promise<void>;
  selectAsset(id: number | null): Promise<void>;
  addAssets(rows: AssetRow[]): void;
}

const PAGE = 120;
let searchSeq = 0;

export const createLibrarySlice: Slice<LibrarySlice> = (set, get) => ({
  libraryQuery: '',
  libraryRows: [],
  libraryTotal: null,
  libraryHasMore: false,
  libraryStatus: 'idle',
  libraryError: null,
  selectedAsset: null,
  detail: null,
  detailStatus: 'idle',

  async searchLibrary(text) {
    const seq = ++searchSeq;
    set({ libraryQuery: text, libraryStatus: 'loading', libraryError: null });
    try {
      const page = await api.call('library.search', { text, offset: 0, limit: PAGE });
      if (seq !== searchSeq) return;
      set({
        libraryRows: page.rows,
        libraryTotal: page.total,
        libraryHasMore: page.hasMore,
        libraryStatus: 'ready',
      });
    } catch (err) {
      if (seq === searchSeq) set({ libraryStatus: 'error', libraryError: errorMessage(err) });
    }
  },

  async loadMoreLibrary() {
    const s = get();
    if (!s.libraryHasMore || s.libraryStatus === 'loading') return;
    const seq = searchSeq;
    set({ libraryStatus: 'loading' });
    try {
      const page = await api.call('library.search', {
        text: s.libraryQuery,
        offset: s.libraryRows.length,
        limit: PAGE,
      });
      if (seq !== searchSeq) return;
      const seen = new Set(get().libraryRows.map((r) => r.id));
      set({
        libraryRows: [...get().libraryRows, ...page.rows.filter((r) => !seen.has(r.id))],
        libraryHasMore: page.hasMore,
        libraryStatus: 'ready',
      });
    } catch (err) {
      if (seq === searchSeq) set({ libraryStatus: 'error', libraryError: errorMessage(err) });
    }
  },

  async selectAsset(id) {
    set({
      selectedAsset: id,
      detail: id === null ? null : get().detail,
      detailStatus: id === null ? 'idle' : 'loading',
    });
    if (id === null) return;
    try {
      const detail = await api.call('library.get', { id });
      if (get().selectedAsset !== id) return;
      set({ detail, detailStatus: detail ? 'ready' : 'missing' });
    } catch (err) {
      if (get().selectedAsset === id) {
        set({ detail: null, detailStatus: 'error' });
        get().toast('error', errorMessage(err));
      }
    }
  },

  addAssets(rows) {
    const s = get();
    const q = s.libraryQuery.trim().toLowerCase();
    const seen = new Set(s.libraryRows.map((r) => r.id));
    // New images match a search the way the engine's substring search would (on the prompt).
    const fresh = rows.filter((r) => !seen.has(r.id) && (!q || r.prompt.toLowerCase().includes(q)));
    if (fresh.length === 0) return;
    fresh.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    set({
      libraryRows: [...fresh, ...s.libraryRows],
      libraryTotal: s.libraryTotal === null ? null : s.libraryTotal + fresh.length,
    });
  },
});
