// Bulk actions over many images ("all N matching" a search): favorite, rate, reject, tag, collect, trash.
// The selection is resolved to ids once, when the action starts, so images that arrive meanwhile are not
// swept in. The work goes a chunk at a time, each chunk its own transaction, yielding between chunks so the
// app stays responsive, reporting progress, and stopping at a cancel between two chunks: what was done
// stays done (every chunk is whole), and the result says how many images changed.
import type { BulkTaskResult } from '../../../shared/contract.ts';
import { plural } from '../../../shared/plural.ts';
import type {
  BulkUpdate,
  Library,
  Selection,
  TrashPlan,
  TrashReceipt,
  TrashRun,
} from '../library/library.ts';

export interface BulkProgress {
  done: number;
  total: number;
  changed: number;
}

export interface BulkRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: BulkProgress) => void;
  /**
   * Images per transaction (default 5,000: a fraction of a second of work on a slow machine; fewer, larger
   * transactions leave the search index fewer segments to merge).
   */
  chunk?: number;
  /** Awaited before each chunk: tests hold an action half way through with it. */
  beforeChunk?: (p: BulkProgress) => Promise<void>;
}

export interface BulkOutcome {
  images: number;
  done: number;
  changed: number;
  canceled: boolean;
}

export type { BulkUpdate };

const CHUNK = 5000;

/** Applies an update to the selection chunk by chunk (see the file's comment). */
export async function runBulkUpdate(
  lib: Library,
  sel: Selection,
  update: BulkUpdate,
  opts: BulkRunOptions = {},
): Promise<BulkOutcome> {
  // Checked (and new tags created) before any image changes: a bad rating changes nothing.
  const changes = lib.changesFor(update);
  const ids = lib.resolve(sel);
  const chunk = Math.max(1, opts.chunk ?? CHUNK);
  const p: BulkProgress = { done: 0, total: ids.length, changed: 0 };
  opts.onProgress?.({ ...p });
  while (p.done < ids.length) {
    await opts.beforeChunk?.({ ...p });
    if (opts.signal?.aborted) break;
    const part = ids.slice(p.done, p.done + chunk);
    p.changed += lib.applyChanges(part, changes);
    p.done += part.length;
    opts.onProgress?.({ ...p });
    // Let events, calls and the cancel itself through before the next chunk.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { images: ids.length, done: p.done, changed: p.changed, canceled: p.done < ids.length };
}

export type BulkAction =
  | ({ kind: 'update' } & Pick<BulkUpdate, 'favorite' | 'rating' | 'rejected' | 'addTags' | 'removeTags'>)
  | { kind: 'collection'; id: number; remove: boolean }
  | { kind: 'trash' };

/** Test hooks per library (the end-to-end tests hold an action half way to see its progress and cancel it). */
export const bulkTestHooks = new WeakMap<Library, Pick<BulkRunOptions, 'beforeChunk' | 'chunk'>>();

/** What a bulk task needs of the studio: its library, and its trash (which knows where files go). */
export interface BulkDeps {
  library: Library;
  /** Moves the files of a trash whose images are already hidden (Library.planTrash). */
  moveTrashed(plan: TrashPlan, run: TrashRun): Promise<TrashReceipt>;
}

/** The part of a running task a bulk action uses (tasks.ts's TaskContext). */
interface TaskLike {
  signal: AbortSignal;
  progress(done: number, total: number, message: string): void;
}

function describe(action: BulkAction): { going: string; past: string } {
  if (action.kind === 'trash') return { going: 'Moving to the trash', past: 'moved to the trash' };
  if (action.kind === 'collection')
    return action.remove
      ? { going: 'Removing from the collection', past: 'removed from the collection' }
      : { going: 'Adding to the collection', past: 'added to the collection' };
  if (action.addTags?.length) return { going: 'Tagging', past: 'tagged' };
  if (action.removeTags?.length) return { going: 'Untagging', past: 'untagged' };
  return { going: 'Updating', past: 'changed' };
}

/**
 * A bulk action as a task to start (tasks.start('bulk', message, run)): progress events, Cancel. The
 * result says how many images the selection covered, how many were gone through and how many changed; a
 * trash gives its undo token.
 */
export function bulkTask(
  deps: BulkDeps,
  sel: Selection,
  action: BulkAction,
): {
  message: string;
  run: (t: TaskLike) => Promise<{ result: BulkTaskResult; message: string; canceled?: boolean }>;
} {
  const words = describe(action);
  const hooks = bulkTestHooks.get(deps.library) ?? {};
  // A trash (one action, one Undo) hides its images now, before the task is even started, so whoever asked
  // sees them gone at once; the task moves their files image by image, and a cancel stops between two
  // images and brings back the ones whose files had not left.
  const trashPlan = action.kind === 'trash' ? deps.library.planTrash(sel) : undefined;
  const run = async (t: TaskLike) => {
    const result: BulkTaskResult = {
      action: action.kind,
      images: 0,
      done: 0,
      changed: 0,
      token: null,
    };
    if (action.kind === 'trash') {
      const images = trashPlan?.live.length ?? 0;
      result.images = images;
      const progress = (done: number, total: number) =>
        t.progress(
          done,
          total,
          `${words.going}: ${done.toLocaleString('en-US')} of ${plural(total, 'image')}…`,
        );
      progress(0, images);
      if (!trashPlan) return { result, message: `${plural(0, 'image')} ${words.past}.` };
      const every = hooks.chunk ?? CHUNK;
      const r = await deps.moveTrashed(trashPlan, {
        signal: t.signal,
        onProgress: progress,
        beforeImage: async (done) => {
          if (done % every === 0) await hooks.beforeChunk?.({ done, total: images, changed: done });
        },
      });
      Object.assign(result, {
        done: r.canceled ? r.assets : images,
        changed: r.assets,
        token: r.token || null,
      });
      const failed = r.failed.length ? ` ${plural(r.failed.length, 'file')} could not be moved.` : '';
      if (r.canceled) {
        const message =
          r.assets === 0
            ? 'Canceled: nothing was moved to the trash.'
            : `Stopped: ${plural(r.assets, 'image')} ${words.past}, ${plural(images - r.assets, 'image')} left in the library.${failed}`;
        return { result, message, canceled: true };
      }
      return { result, message: `${plural(r.assets, 'image')} ${words.past}.${failed}` };
    }
    const update: BulkUpdate =
      action.kind === 'collection'
        ? action.remove
          ? { removeFromCollection: action.id }
          : { addToCollection: action.id }
        : action;
    const out = await runBulkUpdate(deps.library, sel, update, {
      ...hooks,
      signal: t.signal,
      onProgress: (p) =>
        t.progress(
          p.done,
          p.total,
          `${words.going}: ${p.done.toLocaleString('en-US')} of ${plural(p.total, 'image')}…`,
        ),
    });
    Object.assign(result, { images: out.images, done: out.done, changed: out.changed });
    const message = out.canceled
      ? `Canceled after ${out.done.toLocaleString('en-US')} of ${plural(out.images, 'image')}: ${out.changed.toLocaleString('en-US')} ${words.past}; the rest were left as they were.`
      : `${plural(out.images, 'image')}: ${out.changed.toLocaleString('en-US')} ${words.past}.`;
    return { result, message, canceled: out.canceled };
  };
  return { message: `${words.going}…`, run };
}
