// What the taskbar/dock shows and when the OS is told something happened, decided from the engine's
// batch and queue summaries. Pure, so notify.ts stays glue and these rules are tested directly.
import type { MenuEvent } from '../../shared/contract.ts';
import type { BatchSummary, JobState, QueueStatus } from '../../shared/domain.ts';

/** Jobs that will not change again by themselves. `uncertain` waits for the person, so it is not "done". */
const SETTLED: readonly JobState[] = ['done', 'failed', 'canceled'];

export interface TaskbarProgress {
  /** 0..1 while batches run; -1 removes the bar. */
  value: number;
  /** Windows colours the bar: paused (yellow) when the queue waits for the person, error (red) if jobs failed. */
  mode: 'none' | 'normal' | 'paused' | 'error';
}

/**
 * One bar for all active batches: settled jobs over all their jobs. Idle (no active batch with work left)
 * gives -1 so the bar disappears instead of sitting at 100 %.
 */
export function taskbarProgress(
  batches: readonly BatchSummary[],
  queue: QueueStatus | null,
): TaskbarProgress {
  let total = 0;
  let settled = 0;
  let failed = 0;
  for (const b of batches) {
    if (b.status !== 'active' && b.status !== 'paused') continue;
    const done = SETTLED.reduce((n, s) => n + (b.counts[s] ?? 0), 0);
    if (b.total <= 0 || done >= b.total) continue;
    total += b.total;
    settled += done;
    failed += b.counts.failed ?? 0;
  }
  if (total === 0) return { value: -1, mode: 'none' };
  const value = Math.min(1, Math.max(0, settled / total));
  const mode = queue?.paused ? 'paused' : failed > 0 ? 'error' : 'normal';
  return { value, mode };
}

export interface OsNotice {
  title: string;
  body: string;
  /** What the page is told when the notice is clicked (the window comes forward either way). */
  click?: MenuEvent;
}

/**
 * A notice when a batch has just finished (seen active/paused before, done now); null otherwise. Clicking it
 * opens the Library on that batch's images, when it made any.
 */
export function batchFinishedNotice(previous: BatchSummary | undefined, next: BatchSummary): OsNotice | null {
  if (!previous || previous.status === 'done' || next.status !== 'done') return null;
  const failed = next.counts.failed;
  const parts = [`${next.counts.done} of ${next.total} generation${next.total === 1 ? '' : 's'} done`];
  if (failed > 0) parts.push(`${failed} failed`);
  const title = `Batch finished: ${next.name}`;
  if (next.counts.done === 0) return { title, body: `${parts.join(', ')}.` };
  return {
    title,
    body: `${parts.join(', ')}. Click to see its images in the Library.`,
    click: { action: 'open-batch', batchId: next.id },
  };
}

/**
 * A notice when the queue has just paused for a reason the person must act on (not their own pause button,
 * which they already know about); null otherwise.
 */
export function queuePausedNotice(previous: QueueStatus | undefined, next: QueueStatus): OsNotice | null {
  if (!next.paused || next.pauseReason === 'user') return null;
  if (previous?.paused && previous.pauseReason === next.pauseReason) return null;
  return {
    title: 'Qwen Studio paused the queue',
    body: next.pauseMessage ?? 'Open Qwen Studio to see why and resume.',
  };
}
