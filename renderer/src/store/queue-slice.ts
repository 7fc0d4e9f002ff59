// Queue: batch summaries, the queue's status, and the jobs of the batches a person opened. Kept current by
// the engine's events (applied in bulk by events.ts) and refreshed on demand.
import type { BatchMove } from '../../../shared/contract.ts';
import { isWaitingBatch } from '../../../shared/domain.ts';
import type { AssetRow, BatchSummary, JobRow, QueueStatus } from '../../../shared/domain.ts';
import { api, errorMessage } from '../api.ts';
import { t } from '../i18n/index.ts';
import type { Slice } from './types.ts';

export interface JobsState {
  rows: JobRow[];
  total: number;
  loading: boolean;
  error: string | null;
}

export type BatchActionKind = 'pause' | 'resume' | 'cancel' | 'retry';
export type JobActionKind = 'pause' | 'resume' | 'cancel' | 'retry' | 'drop';

export interface EventBundle {
  jobs: JobRow[];
  batches: BatchSummary[];
  queue: QueueStatus | null;
}

export interface QueueSlice {
  batches: BatchSummary[];
  queue: QueueStatus | null;
  queueLoaded: boolean;
  expanded: Record<number, boolean>;
  jobs: Record<number, JobsState>;
  /** The images of each finished job of the batches whose jobs are open: batch id → job id → asset ids. */
  jobImages: Record<number, Record<number, number[]>>;

  refreshQueue(): Promise<void>;
  expandBatch(id: number, open?: boolean): void;
  loadJobs(batchId: number): Promise<void>;
  applyEvents(bundle: EventBundle): void;
  /** New images from the engine: the open job tables show them as they arrive. */
  addJobImages(assets: AssetRow[]): void;
  /** The Library, showing exactly this batch's images (with one of them selected and its details open). */
  openBatchImages(id: number, assetId?: number): void;
  /** Moves a waiting batch (the buttons and drag and drop alike) and says where it is now. */
  moveBatch(id: number, move: BatchMove): Promise<void>;
  queueAction(kind: 'pause' | 'resume'): Promise<void>;
  batchAction(kind: BatchActionKind, id: number): Promise<void>;
  /** Answers whether the engine took the name (a refused one is explained in a toast). */
  renameBatch(id: number, name: string): Promise<boolean>;
  jobAction(kind: JobActionKind, id: number): Promise<void>;
}

const JOB_PAGE = 1000;

/** Reads the queue's order again once a burst of batch changes is over (at most every REORDER_MS). */
const REORDER_MS = 300;
let reorderTimer: ReturnType<typeof setTimeout> | null = null;
function scheduleReorder(run: () => void): void {
  reorderTimer ??= setTimeout(() => {
    reorderTimer = null;
    run();
  }, REORDER_MS);
}

/** Images that arrive while a batch's jobs are being read: added once the read answers, never lost. */
const arriving = new Map<number, AssetRow[]>();

function finishedMessage(b: BatchSummary): string {
  const failed = b.counts.failed;
  const done = b.counts.done;
  if (failed === 0) return t('queueToast.finished', { name: b.name, done, total: b.total });
  return t('queueToast.finishedFailed', { name: b.name, done, total: b.total, count: failed });
}

export const createQueueSlice: Slice<QueueSlice> = (set, get) => ({
  batches: [],
  queue: null,
  queueLoaded: false,
  expanded: {},
  jobs: {},
  jobImages: {},

  async refreshQueue() {
    try {
      const [batches, queue] = await Promise.all([api.call('batch.list', {}), api.call('queue.status', {})]);
      set({ batches, queue, queueLoaded: true });
      for (const id of Object.keys(get().expanded).map(Number))
        if (get().expanded[id]) void get().loadJobs(id);
    } catch (err) {
      get().toast('error', t('queueToast.notRead', { error: errorMessage(err) }));
    }
  },

  expandBatch(id, open) {
    const next = open ?? !get().expanded[id];
    set((s) => ({ expanded: { ...s.expanded, [id]: next } }));
    if (next) void get().loadJobs(id);
  },

  async loadJobs(batchId) {
    set((s) => ({
      jobs: {
        ...s.jobs,
        [batchId]: {
          rows: s.jobs[batchId]?.rows ?? [],
          total: s.jobs[batchId]?.total ?? 0,
          loading: true,
          error: null,
        },
      },
    }));
    arriving.set(batchId, []);
    try {
      const rows: JobRow[] = [];
      let total = 0;
      // Without them the table still shows the jobs; the thumbnails come with the next load.
      const images = api.call('batch.images', { id: batchId }).catch(() => []);
      do {
        const page = await api.call('jobs.list', { batchId, offset: rows.length, limit: JOB_PAGE });
        rows.push(...page.rows);
        total = page.total;
        if (page.rows.length === 0) break;
      } while (rows.length < total);
      const byJob = Object.fromEntries((await images).map((e) => [e.jobId, e.assetIds]));
      set((s) => ({
        jobs: { ...s.jobs, [batchId]: { rows, total, loading: false, error: null } },
        jobImages: { ...s.jobImages, [batchId]: byJob },
      }));
      const late = arriving.get(batchId) ?? [];
      arriving.delete(batchId);
      get().addJobImages(late);
    } catch (err) {
      arriving.delete(batchId);
      set((s) => ({
        jobs: { ...s.jobs, [batchId]: { rows: [], total: 0, loading: false, error: errorMessage(err) } },
      }));
    }
  },

  applyEvents({ jobs, batches, queue }) {
    const s = get();
    const patch: Partial<QueueSlice> = {};
    if (queue) patch.queue = queue;
    if (batches.length) {
      const byId = new Map(s.batches.map((b) => [b.id, b]));
      // The cards keep the engine's order (waiting batches in the order they run, then the finished ones,
      // newest first): a batch changes in place; a new one, or one that starts or stops waiting, is placed
      // by reading the order again.
      let reorder = false;
      for (const b of batches) {
        const before = byId.get(b.id);
        if (!before || isWaitingBatch(before) !== isWaitingBatch(b)) reorder = true;
        if (before && before.status !== 'done' && b.status === 'done') {
          const open = { label: t('batch.openInLibrary'), run: () => get().openBatchImages(b.id) };
          s.toast(
            b.counts.failed ? 'error' : 'success',
            finishedMessage(b),
            b.counts.done ? open : undefined,
          );
        }
        byId.set(b.id, b);
      }
      const known = new Set(s.batches.map((b) => b.id));
      const fresh = [...byId.values()].filter((b) => !known.has(b.id)).sort((a, b) => a.id - b.id);
      const kept = s.batches.map((b) => byId.get(b.id)!);
      const lastWaiting = kept.findLastIndex(isWaitingBatch);
      patch.batches = [...kept.slice(0, lastWaiting + 1), ...fresh, ...kept.slice(lastWaiting + 1)];
      if (reorder) scheduleReorder(() => void get().refreshQueue());
    }
    if (jobs.length) {
      const next = { ...s.jobs };
      const copied = new Set<number>();
      for (const j of jobs) {
        const list = next[j.batchId];
        if (!list) continue; // nobody is looking at this batch's jobs
        const idx = list.rows[j.seq - 1]?.id === j.id ? j.seq - 1 : list.rows.findIndex((r) => r.id === j.id);
        if (idx < 0) continue;
        if (!copied.has(j.batchId)) {
          next[j.batchId] = { ...list, rows: [...list.rows] };
          copied.add(j.batchId);
        }
        next[j.batchId]!.rows[idx] = j;
      }
      if (copied.size) patch.jobs = next;
    }
    set(patch);
  },

  addJobImages(assets) {
    for (const a of assets) arriving.get(a.batchId)?.push(a);
    const open = get().jobImages;
    let next: QueueSlice['jobImages'] | null = null;
    for (const a of assets) {
      const batch = (next ?? open)[a.batchId];
      if (!batch || a.jobId == null) continue; // nobody is looking at this batch's jobs
      const ids = batch[a.jobId] ?? [];
      if (ids.includes(a.id)) continue;
      next ??= { ...open };
      next[a.batchId] = { ...batch, [a.jobId]: [...ids, a.id] };
    }
    if (next) set({ jobImages: next });
  },

  openBatchImages(id, assetId) {
    get().openLibrary(`batch:#${id}`, assetId);
  },

  async moveBatch(id, move) {
    try {
      const b = await api.call('batch.move', { id, move });
      await get().refreshQueue();
      const place = get().batches.findIndex((x) => x.id === id) + 1 || 1;
      get().toast('success', t('power.steer.moved', { name: b.name, place }));
    } catch (err) {
      get().toast('error', errorMessage(err));
    }
  },

  async queueAction(kind) {
    try {
      const queue = await api.call(kind === 'pause' ? 'queue.pause' : 'queue.resume', {});
      set({ queue });
    } catch (err) {
      get().toast('error', errorMessage(err));
    }
  },

  async batchAction(kind, id) {
    try {
      const b = await api.call(`batch.${kind}`, { id });
      if (b) get().applyEvents({ jobs: [], batches: [b], queue: null });
      if (get().expanded[id]) void get().loadJobs(id);
    } catch (err) {
      get().toast('error', errorMessage(err));
    }
  },

  async renameBatch(id, name) {
    try {
      const b = await api.call('batch.rename', { id, name });
      if (b) get().applyEvents({ jobs: [], batches: [b], queue: null });
      return true;
    } catch (err) {
      get().toast('error', t('queueToast.notRenamed', { error: errorMessage(err) }));
      return false;
    }
  },

  async jobAction(kind, id) {
    try {
      const j = await api.call(`job.${kind}`, { id });
      get().applyEvents({ jobs: [j], batches: [], queue: null });
    } catch (err) {
      get().toast('error', errorMessage(err));
    }
  },
});
