// Batch summaries and queue states as the page receives them, for tests of what is shown from them.
import { DEFAULT_MODEL } from '../../shared/api.ts';
import { JOB_STATES, type BatchSummary, type JobState, type QueueStatus } from '../../shared/domain.ts';

export function batchSummary(
  id: number,
  status: BatchSummary['status'],
  counts: Partial<Record<JobState, number>>,
  name = `Batch ${id}`,
): BatchSummary {
  const full = Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<JobState, number>;
  const total = Object.values(full).reduce((a, b) => a + b, 0);
  return {
    id,
    name,
    model: DEFAULT_MODEL,
    status,
    pauseReason: null,
    createdAt: 0,
    total,
    counts: full,
    images: total,
    creditsSpent: 0,
    creditsEstimate: 0,
    maxCredits: null,
    priority: 0,
    sweep: [],
    etaSeconds: null,
  };
}

export function queueStatus(over: Partial<QueueStatus> = {}): QueueStatus {
  return {
    paused: false,
    pauseReason: null,
    pauseMessage: null,
    offline: false,
    offlineSince: null,
    inFlight: 0,
    limit: 4,
    maxConcurrency: 4,
    holdUntil: null,
    ...over,
  };
}
