// What the sidebar's queue pill says: one line that is never "idle" while anything is waiting or running.
import type { BatchSummary, QueueStatus } from '../../../shared/domain.ts';
import type { ConnectionState } from '../connection.ts';

export type QueueSummary =
  | { tone: 'danger'; key: 'unreachable' }
  | { tone: 'warning'; key: 'paused' | 'offline' }
  | { tone: 'active'; key: 'generating'; inFlight: number; toGo: number }
  | { tone: 'warning'; key: 'waitingPaused'; waiting: number }
  | { tone: 'idle'; key: 'idle' };

export function summarizeQueue(
  connection: ConnectionState,
  queue: QueueStatus | null,
  batches: readonly BatchSummary[],
): QueueSummary {
  if (connection === 'closed') return { tone: 'danger', key: 'unreachable' };
  if (queue?.paused) return { tone: 'warning', key: 'paused' };
  if (queue?.offline) return { tone: 'warning', key: 'offline' };
  let toGo = 0;
  let running = 0;
  let waitingPaused = 0;
  for (const b of batches) {
    const c = b.counts;
    // Jobs already at the service keep going when their batch is paused.
    running += c.submitting + c.running + c.downloading;
    if (b.status === 'active') toGo += c.queued + c.submitting + c.running + c.downloading;
    if (b.status === 'paused') waitingPaused += c.queued + c.paused;
  }
  const inFlight = Math.max(queue?.inFlight ?? 0, running);
  if (toGo > 0 || inFlight > 0)
    return { tone: 'active', key: 'generating', inFlight, toGo: Math.max(toGo, inFlight) };
  if (waitingPaused > 0) return { tone: 'warning', key: 'waitingPaused', waiting: waitingPaused };
  return { tone: 'idle', key: 'idle' };
}

/** Jobs that still count as "to do" in the Queue area's badge. */
export function activeJobCount(batches: readonly BatchSummary[]): number {
  let n = 0;
  for (const b of batches) {
    if (b.status === 'active')
      n += b.counts.queued + b.counts.submitting + b.counts.running + b.counts.downloading;
  }
  return n;
}
