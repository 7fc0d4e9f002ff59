// Library: the search (its text is the one source of truth for every filter), its pages of results, the
// selection and what can be done to it, the image whose details are open, collections and saved searches,
// and the background tasks (export, import) with their progress.
import type {
  AssetDetail,
  BulkAction,
  CollectionInfo,
  QuerySyntax,
  SavedSearch,
  Selection,
  TagInfo,
  TaskInfo,
} from '../../../shared/contract.ts';
import type { AssetRow } from '../../../shared/domain.ts';
import { api, errorMessage } from '../api.ts';
import { t } from '../i18n/index.ts';
import type { Slice } from './types.ts';

export type LibrarySort = 'newest' | 'relevance' | 'best';

/** How starting a background task from a form went: started, closed without choosing, or refused (why). */
export type TaskStart = { started: true } | { started: false; error: string | null };

/** What a bulk action may change on a selection. */
export interface AssetPatch {
  favorite?: boolean;
  rating?: number;
  rejected?: boolean;
  notes?: string | null;
  addTags?: string[];
  removeTags?: string[];
}

export interface LibrarySlice {
  libraryQuery: string;
  librarySort: LibrarySort;
  libraryRows: AssetRow[];
  libraryTotal: number | null;
  libraryHasMore: boolean;
  /** Keyset cursor of the next page (newest first). */
  libraryNext: number | null;
  libraryStatus: 'idle' | 'loading' | 'ready' | 'error';
  libraryError: string | null;
  libraryWarnings: string[];
  /** New images arrived that a filtered search may or may not match: offer a refresh. */
  libraryStale: boolean;

  /** Selected ids (the highlighted tiles); with `allMatching`, everything the query matches. */
  selection: ReadonlySet<number>;
  allMatching: boolean;
  /** Where Shift-click and Shift+arrow ranges start. */
  anchorId: number | null;
  /** The tile with keyboard focus (roving tabindex). */
  focusId: number | null;

  selectedAsset: number | null;
  detail: AssetDetail | null;
  detailStatus: 'idle' | 'loading' | 'ready' | 'missing' | 'error';

  syntax: QuerySyntax | null;
  collections: CollectionInfo[];
  savedSearches: SavedSearch[];
  /** Every tag in use; null until the rail's Tags section first asks for them. */
  tags: TagInfo[] | null;
  /** Export and import tasks, oldest first; finished ones stay until dismissed. */
  tasks: TaskInfo[];
  /** Bumped whenever images are added, removed or changed: panels that summarise the library reload. */
  libraryVersion: number;
  /** Thumbnails cropped to squares (an option); by default each shows the whole image in its own shape. */
  squareTiles: boolean;
  setSquareTiles(on: boolean): void;

  searchLibrary(text: string, sort?: LibrarySort): Promise<void>;
  refreshLibrary(): Promise<void>;
  loadMoreLibrary(): Promise<void>;
  selectAsset(id: number | null): Promise<void>;
  addAssets(rows: AssetRow[]): void;

  selectOnly(id: number): void;
  toggleSelected(id: number): void;
  selectRange(id: number): void;
  selectAllLoaded(): void;
  selectAllMatching(): void;
  selectIds(ids: number[]): void;
  clearSelection(): void;
  setFocus(id: number | null): void;
  /** The selection as the contract takes it (the focused image when nothing is selected), or null. */
  currentSelection(): Selection | null;

  updateAssets(patch: AssetPatch, sel?: Selection | null): Promise<boolean>;
  trashAssets(sel?: Selection | null): Promise<void>;
  undoTrash(token: number): Promise<void>;
  addToCollection(collectionId: number, sel?: Selection | null): Promise<void>;
  removeFromCollection(collectionId: number, sel: Selection): Promise<void>;
  createCollection(name: string): Promise<CollectionInfo | null>;
  /** Each rename answers whether it was saved; a refusal (empty, taken) is shown as a toast. */
  renameCollection(id: number, name: string): Promise<boolean>;
  deleteCollection(id: number): Promise<void>;
  saveSearch(name: string): Promise<boolean>;
  renameSavedSearch(id: number, name: string): Promise<boolean>;
  deleteSavedSearch(id: number): Promise<void>;
  loadTags(): Promise<void>;
  renameTag(from: string, to: string): Promise<boolean>;
  deleteTag(name: string): Promise<void>;
  loadLibraryMeta(): Promise<void>;
  loadSyntax(): Promise<void>;

  /** Starts an export; what went wrong (for the form where the person acted), or null. */
  startExport(format: 'zip' | 'folder', out?: string): Promise<TaskStart>;
  startImport(folder?: string): Promise<TaskStart>;
  /** Rebuilds an empty catalog from the records inside the images (a background task). */
  startRebuild(): Promise<void>;
  cancelTask(id: number): Promise<void>;
  dismissTask(id: number): void;
  applyTasks(tasks: TaskInfo[]): void;
}

const PAGE = 200;
/** A selection of more ids than this is changed as a task too (progress and Cancel), like "all matching". */
const TASK_FROM = 2000;
const runsAsTask = (sel: Selection) => 'query' in sel || sel.ids.length > TASK_FROM;
let searchSeq = 0;

function sameSet(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

const SQUARE_TILES_KEY = 'qwen-studio.squareTiles';
function readSquareTiles(): boolean {
  try {
    return globalThis.localStorage?.getItem(SQUARE_TILES_KEY) === '1';
  } catch {
    return false;
  }
}

export const createLibrarySlice: Slice<LibrarySlice> = (set, get) => {
  const emptySelection = { selection: new Set<number>(), allMatching: false, anchorId: null };

  /** Applies a patch to the loaded rows it covers, so the grid answers at once. */
  const patchRows = (sel: Selection, patch: AssetPatch) => {
    const flags: Partial<AssetRow> = {};
    if (patch.favorite !== undefined) flags.favorite = patch.favorite;
    if (patch.rating !== undefined) flags.rating = patch.rating;
    if (patch.rejected !== undefined) flags.rejected = patch.rejected;
    if (patch.notes !== undefined) flags.notes = patch.notes;
    if (Object.keys(flags).length === 0) return;
    // "All matching" covers every loaded row: they are the query's first matches.
    const ids = 'ids' in sel ? new Set(sel.ids) : null;
    const covers = (id: number) => ids === null || ids.has(id);
    const detail = get().detail;
    set({
      libraryRows: get().libraryRows.map((r) => (covers(r.id) ? { ...r, ...flags } : r)),
      ...(detail && covers(detail.id) ? { detail: { ...detail, ...flags } } : {}),
    });
  };

  const reloadDetail = async () => {
    const id = get().selectedAsset;
    if (id === null) return;
    try {
      const detail = await api.call('library.get', { id });
      if (get().selectedAsset === id) set({ detail, detailStatus: detail ? 'ready' : 'missing' });
    } catch {
      // The panel keeps what it shows; the next open reloads it.
    }
  };

  const bump = () => set({ libraryVersion: get().libraryVersion + 1 });

  /**
   * The grid, the selection and the details let go of images just moved to the trash (`count` of them, when
   * known, comes off the total). True when they were named by id; a query's grid is emptied, to be reloaded.
   */
  const letGoOfTrashed = (sel: Selection, count: number | null): boolean => {
    const gone = 'ids' in sel ? new Set(sel.ids) : null;
    const s = get();
    set({
      libraryRows: gone ? s.libraryRows.filter((r) => !gone.has(r.id)) : [],
      ...(count !== null && s.libraryTotal !== null
        ? { libraryTotal: Math.max(0, s.libraryTotal - count) }
        : {}),
      ...emptySelection,
      focusId: null,
    });
    if (s.selectedAsset !== null && (gone === null || gone.has(s.selectedAsset)))
      void get().selectAsset(null);
    return gone !== null;
  };

  /**
   * "All N matching" runs in the engine as a task (progress and Cancel in the task list): the grid and the
   * counts refresh when it ends, with what it changed. A trash hides its images before it answers and then
   * moves their files, so the grid lets go of them at once (a tile still showing one would ask for a file
   * that has left). False when it could not start.
   */
  const startBulk = async (sel: Selection, action: BulkAction): Promise<boolean> => {
    try {
      const { task } = await api.call('library.bulk', { selection: sel, action });
      get().applyTasks([task]);
      if (action.kind === 'trash') {
        letGoOfTrashed(sel, null);
        void get().refreshLibrary();
      }
      return true;
    } catch (err) {
      get().toast('error', t('libraryToast.notChanged', { error: errorMessage(err) }));
      return false;
    }
  };

  /** A bulk task ended: show what it changed everywhere (grid, details, rail), and offer Undo for a trash. */
  const bulkEnded = (task: Extract<TaskInfo, { kind: 'bulk' }>) => {
    const r = task.result;
    bump();
    void refreshCollections();
    void reloadDetail();
    if (r?.action === 'trash') {
      set({ ...emptySelection, focusId: null });
      if (get().selectedAsset !== null) void get().selectAsset(null);
      if (r.token !== null)
        get().toast('info', t('libraryToast.trashed', { count: r.changed }), {
          label: t('libraryToast.undo'),
          run: () => void get().undoTrash(r.token!),
        });
    }
    void get().refreshLibrary();
  };
  /** Collection counts follow the images in them (a trash or an undo changes them). */
  const refreshCollections = async () => {
    try {
      set({ collections: await api.call('collections.list', {}) });
    } catch {
      // The next change or reload reads them again; the rail keeps the old numbers meanwhile.
    }
  };

  return {
    libraryQuery: '',
    librarySort: 'newest',
    libraryRows: [],
    libraryTotal: null,
    libraryHasMore: false,
    libraryNext: null,
    libraryStatus: 'idle',
    libraryError: null,
    libraryWarnings: [],
    libraryStale: false,
    ...emptySelection,
    focusId: null,
    selectedAsset: null,
    detail: null,
    detailStatus: 'idle',
    syntax: null,
    collections: [],
    savedSearches: [],
    tags: null,
    tasks: [],
    libraryVersion: 0,
    squareTiles: readSquareTiles(),

    setSquareTiles(on) {
      set({ squareTiles: on });
      try {
        localStorage.setItem(SQUARE_TILES_KEY, on ? '1' : '0');
      } catch {
        // Private windows may refuse storage: the choice then lasts until the page closes.
      }
    },

    async searchLibrary(text, sort) {
      const seq = ++searchSeq;
      const nextSort = sort ?? get().librarySort;
      const changed = text.trim() !== get().libraryQuery.trim() || nextSort !== get().librarySort;
      set({
        libraryQuery: text,
        librarySort: nextSort,
        libraryStatus: 'loading',
        libraryError: null,
        // A different search is a different set of images: what was selected in the old one goes.
        ...(changed ? { ...emptySelection, focusId: null } : {}),
      });
      try {
        const page = await api.call('library.search', { text, sort: nextSort, limit: PAGE });
        if (seq !== searchSeq) return;
        const ids = new Set(page.rows.map((r) => r.id));
        const kept = new Set([...get().selection].filter((id) => ids.has(id)));
        set({
          libraryRows: page.rows,
          libraryTotal: page.total,
          libraryHasMore: page.hasMore,
          libraryNext: page.next,
          libraryWarnings: page.warnings,
          libraryStatus: 'ready',
          libraryStale: false,
          ...(sameSet(kept, get().selection) ? {} : { selection: kept }),
        });
      } catch (err) {
        if (seq === searchSeq) set({ libraryStatus: 'error', libraryError: errorMessage(err) });
      }
    },

    async refreshLibrary() {
      await get().searchLibrary(get().libraryQuery);
    },

    async loadMoreLibrary() {
      const s = get();
      if (!s.libraryHasMore || s.libraryStatus === 'loading') return;
      const seq = searchSeq;
      set({ libraryStatus: 'loading' });
      try {
        const keyset = s.librarySort === 'newest' && s.libraryNext !== null;
        const page = await api.call('library.search', {
          text: s.libraryQuery,
          sort: s.librarySort,
          limit: PAGE,
          count: false,
          ...(keyset ? { after: s.libraryNext } : { offset: s.libraryRows.length }),
        });
        if (seq !== searchSeq) return;
        const seen = new Set(get().libraryRows.map((r) => r.id));
        set({
          libraryRows: [...get().libraryRows, ...page.rows.filter((r) => !seen.has(r.id))],
          libraryHasMore: page.hasMore,
          libraryNext: page.next,
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
      bump();
      const seen = new Set(s.libraryRows.map((r) => r.id));
      const fresh = rows.filter((r) => !seen.has(r.id));
      if (fresh.length === 0) return;
      // Only the unfiltered, newest-first view can place new images itself; a search is the engine's to
      // answer, so it is offered a refresh instead.
      if (s.libraryQuery.trim() || s.librarySort !== 'newest') {
        set({ libraryStale: true });
        return;
      }
      const last = s.libraryRows.at(-1)?.sortKey;
      // An imported image may carry an older date: it belongs to a page not loaded yet.
      const placed = fresh.filter((r) => !s.libraryHasMore || last === undefined || (r.sortKey ?? 0) < last);
      const merged = [...placed, ...s.libraryRows].sort(
        (a, b) => (a.sortKey ?? 0) - (b.sortKey ?? 0) || b.createdAt - a.createdAt || b.id - a.id,
      );
      set({
        libraryRows: merged,
        libraryTotal: s.libraryTotal === null ? null : s.libraryTotal + fresh.length,
        ...(s.allMatching ? { selection: new Set([...s.selection, ...placed.map((r) => r.id)]) } : {}),
      });
    },

    // ── selection ──────────────────────────────────────────────────────────────────────────────────
    selectOnly(id) {
      set({ selection: new Set([id]), allMatching: false, anchorId: id, focusId: id });
    },
    toggleSelected(id) {
      const s = get();
      const next = new Set(s.allMatching ? s.libraryRows.map((r) => r.id) : s.selection);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      set({ selection: next, allMatching: false, anchorId: id, focusId: id });
    },
    selectRange(id) {
      const s = get();
      const ids = s.libraryRows.map((r) => r.id);
      const from = ids.indexOf(s.anchorId ?? id);
      const to = ids.indexOf(id);
      if (to === -1) return;
      const [a, b] = from === -1 ? [to, to] : [Math.min(from, to), Math.max(from, to)];
      set({ selection: new Set(ids.slice(a, b + 1)), allMatching: false, focusId: id });
    },
    selectAllLoaded() {
      const rows = get().libraryRows;
      set({ selection: new Set(rows.map((r) => r.id)), allMatching: false });
    },
    selectAllMatching() {
      set({ selection: new Set(get().libraryRows.map((r) => r.id)), allMatching: true });
    },
    selectIds(ids) {
      set({ selection: new Set(ids), allMatching: false, anchorId: ids[0] ?? null });
    },
    clearSelection() {
      set(emptySelection);
    },
    setFocus(id) {
      if (get().focusId !== id) set({ focusId: id });
    },
    currentSelection() {
      const s = get();
      if (s.allMatching) return { query: s.libraryQuery };
      if (s.selection.size > 0) return { ids: [...s.selection] };
      return s.focusId !== null ? { ids: [s.focusId] } : null;
    },

    // ── changes ────────────────────────────────────────────────────────────────────────────────────
    async updateAssets(patch, sel = get().currentSelection()) {
      if (!sel) return false;
      if (runsAsTask(sel) && patch.notes === undefined) {
        const { notes: _notes, ...rest } = patch;
        return startBulk(sel, { kind: 'update', ...rest });
      }
      // At once in the grid (a second F must see the first); the engine's answer confirms it.
      const before = { libraryRows: get().libraryRows, detail: get().detail };
      patchRows(sel, patch);
      try {
        const res = await api.call('library.update', { selection: sel, ...patch });
        bump();
        const detailId = get().selectedAsset;
        if (detailId !== null && (!('ids' in sel) || sel.ids.includes(detailId))) void reloadDetail();
        if (res.images > 1) {
          const what = patch.addTags?.length
            ? t('libraryToast.tagged', { count: res.images, tags: patch.addTags.join('”, “') })
            : patch.removeTags?.length
              ? t('libraryToast.untagged', { count: res.images, tags: patch.removeTags.join('”, “') })
              : t('libraryToast.updated', { count: res.images });
          get().toast('success', what);
        }
        return true;
      } catch (err) {
        set(before);
        get().toast('error', t('libraryToast.notChanged', { error: errorMessage(err) }));
        return false;
      }
    },

    async trashAssets(sel = get().currentSelection()) {
      if (!sel) return;
      if (runsAsTask(sel)) {
        await startBulk(sel, { kind: 'trash' });
        return;
      }
      try {
        const res = await api.call('library.trash', { selection: sel });
        if (res.count === 0) {
          get().toast('info', t('libraryToast.alreadyTrashed'));
          return;
        }
        if (!letGoOfTrashed(sel, res.count)) void get().refreshLibrary();
        bump();
        void refreshCollections();
        const failed = res.failed.length
          ? ` ${t('libraryToast.trashFailedFiles', { count: res.failed.length })}`
          : '';
        get().toast(
          res.failed.length ? 'error' : 'info',
          `${t('libraryToast.trashed', { count: res.count })}${failed}`,
          {
            label: t('libraryToast.undo'),
            run: () => void get().undoTrash(res.token),
          },
        );
      } catch (err) {
        get().toast('error', t('libraryToast.notTrashed', { error: errorMessage(err) }));
      }
    },

    async undoTrash(token) {
      try {
        const res = await api.call('library.undo', { token });
        await get().refreshLibrary();
        bump();
        void refreshCollections();
        const note = res.filesNotRestored.length
          ? ` ${t('libraryToast.systemTrash', { count: res.filesNotRestored.length })}`
          : '';
        get().toast('success', `${t('libraryToast.restored', { count: res.restored })}${note}`);
      } catch (err) {
        get().toast('error', t('libraryToast.undoFailed', { error: errorMessage(err) }));
      }
    },

    async addToCollection(collectionId, sel = get().currentSelection()) {
      if (!sel) return;
      if (runsAsTask(sel)) {
        await startBulk(sel, { kind: 'collection', id: collectionId, remove: false });
        return;
      }
      try {
        const res = await api.call('collections.add', { id: collectionId, selection: sel });
        const name = get().collections.find((c) => c.id === collectionId)?.name ?? '';
        get().toast('success', t('libraryToast.addedTo', { count: res.changed, name }));
        bump();
        void reloadDetail();
        set({ collections: await api.call('collections.list', {}) });
      } catch (err) {
        get().toast('error', t('libraryToast.notAdded', { error: errorMessage(err) }));
      }
    },

    async removeFromCollection(collectionId, sel) {
      try {
        await api.call('collections.remove', { id: collectionId, selection: sel });
        bump();
        void reloadDetail();
        set({ collections: await api.call('collections.list', {}) });
      } catch (err) {
        get().toast('error', errorMessage(err));
      }
    },

    async createCollection(name) {
      try {
        const c = await api.call('collections.create', { name });
        set({ collections: await api.call('collections.list', {}) });
        return c;
      } catch (err) {
        get().toast('error', errorMessage(err));
        return null;
      }
    },

    async renameCollection(id, name) {
      try {
        set({ collections: await api.call('collections.rename', { id, name }) });
        return true;
      } catch (err) {
        get().toast('error', t('libraryToast.collectionNotRenamed', { error: errorMessage(err) }));
        return false;
      }
    },

    async deleteCollection(id) {
      const name = get().collections.find((c) => c.id === id)?.name ?? '';
      try {
        await api.call('collections.delete', { id });
        set({ collections: await api.call('collections.list', {}) });
        bump();
        get().toast('info', t('libraryToast.collectionDeleted', { name }));
      } catch (err) {
        get().toast('error', errorMessage(err));
      }
    },

    async saveSearch(name) {
      try {
        const saved = await api.call('searches.save', { name, query: get().libraryQuery });
        set({ savedSearches: await api.call('searches.list', {}) });
        get().toast('success', t('libraryToast.searchSaved', { name: saved.name }));
        return true;
      } catch (err) {
        get().toast('error', t('libraryToast.searchNotSaved', { error: errorMessage(err) }));
        return false;
      }
    },

    async renameSavedSearch(id, name) {
      try {
        set({ savedSearches: await api.call('searches.rename', { id, name }) });
        return true;
      } catch (err) {
        get().toast('error', t('libraryToast.searchNotRenamed', { error: errorMessage(err) }));
        return false;
      }
    },

    async deleteSavedSearch(id) {
      try {
        await api.call('searches.delete', { id });
        set({ savedSearches: await api.call('searches.list', {}) });
      } catch (err) {
        get().toast('error', errorMessage(err));
      }
    },

    async loadTags() {
      try {
        set({ tags: await api.call('library.tags.list', {}) });
      } catch (err) {
        get().toast('error', t('libraryToast.tagsNotLoaded', { error: errorMessage(err) }));
      }
    },

    // A tag lives on the images: the grid and the open details show it, so both are reloaded.
    async renameTag(from, to) {
      try {
        set({ tags: await api.call('library.tags.rename', { from, to }) });
      } catch (err) {
        get().toast('error', t('libraryToast.tagNotRenamed', { error: errorMessage(err) }));
        return false;
      }
      bump();
      void get().refreshLibrary();
      if (get().selectedAsset !== null) void reloadDetail();
      return true;
    },

    async deleteTag(name) {
      try {
        await api.call('library.tags.delete', { name });
        set({ tags: await api.call('library.tags.list', {}) });
      } catch (err) {
        get().toast('error', errorMessage(err));
        return;
      }
      bump();
      void get().refreshLibrary();
      if (get().selectedAsset !== null) void reloadDetail();
      get().toast('info', t('libraryToast.tagDeleted', { name }));
    },

    async loadLibraryMeta() {
      try {
        const [collections, savedSearches, tasks] = await Promise.all([
          api.call('collections.list', {}),
          api.call('searches.list', {}),
          api.call('tasks.list', {}),
        ]);
        set({ collections, savedSearches });
        // Tasks that ended before this page opened are not news; running ones are shown.
        get().applyTasks(tasks.filter((t) => t.state === 'running'));
      } catch (err) {
        get().toast('error', t('libraryToast.metaNotLoaded', { error: errorMessage(err) }));
      }
    },

    async loadSyntax() {
      if (get().syntax) return;
      try {
        set({ syntax: await api.call('library.syntax', {}) });
      } catch {
        // The popover says the help could not be loaded.
      }
    },

    // ── tasks ──────────────────────────────────────────────────────────────────────────────────────
    async startExport(format, out) {
      const sel = get().currentSelection();
      if (!sel) return { started: false, error: t('export.nothingSelected') };
      try {
        const { task } = await api.call('library.export', {
          selection: sel,
          format,
          ...(out ? { out } : {}),
        });
        if (!task) return { started: false, error: null };
        get().applyTasks([task]);
        return { started: true };
      } catch (err) {
        return { started: false, error: t('export.notStarted', { error: errorMessage(err) }) };
      }
    },

    async startImport(folder) {
      try {
        const { task } = await api.call('library.import', folder ? { folder } : {});
        if (!task) return { started: false, error: null };
        get().applyTasks([task]);
        return { started: true };
      } catch (err) {
        return { started: false, error: t('import.notStarted', { error: errorMessage(err) }) };
      }
    },

    async startRebuild() {
      try {
        const { task } = await api.call('library.rebuild', {});
        get().applyTasks([task]);
      } catch (err) {
        get().toast('error', errorMessage(err));
      }
    },

    async cancelTask(id) {
      try {
        const t = await api.call('task.cancel', { id });
        if (t) get().applyTasks([t]);
      } catch (err) {
        get().toast('error', errorMessage(err));
      }
    },

    dismissTask(id) {
      set({ tasks: get().tasks.filter((t) => t.id !== id) });
    },

    applyTasks(incoming) {
      let tasks = get().tasks;
      for (const t of incoming) {
        const i = tasks.findIndex((x) => x.id === t.id);
        const before = i === -1 ? undefined : tasks[i];
        // Events can overtake the answer of the call that started the task: never go back to "running".
        if (before && before.state !== 'running') continue;
        tasks = i === -1 ? [...tasks, t] : tasks.map((x) => (x.id === t.id ? t : x));
        if (t.kind === 'import' && t.state !== 'running' && before?.state === 'running') {
          bump();
          if (get().libraryStale) void get().refreshLibrary();
        }
        // A fast bulk action's start and end can arrive together: an end never seen running counts too.
        if (
          t.kind === 'bulk' &&
          t.state !== 'running' &&
          (before === undefined || before.state === 'running')
        )
          bulkEnded(t);
        if (t.kind === 'rebuild' && t.state !== 'running' && before?.state === 'running') {
          bump();
          void get().refreshLibrary();
        }
      }
      set({ tasks });
    },
  };
};
