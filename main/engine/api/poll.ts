// How long to wait before asking for a generation again. Most generations finish in seconds, so the first
// polls are quick; long ones are polled less and less so hundreds of jobs do not flood the service.
import type { RemoteStatus } from '../../../shared/api.ts';

export const POLL_ERROR_CAP_MS = 60_000;

/** Interval by elapsed time since the create, for a generation the service is working on. */
const TIERS: readonly { untilMs: number; delayMs: number }[] = [
  { untilMs: 5_000, delayMs: 500 },
  { untilMs: 30_000, delayMs: 1_000 },
  { untilMs: 120_000, delayMs: 2_500 },
  { untilMs: Number.POSITIVE_INFINITY, delayMs: 5_000 },
];

/** A queued generation changes less often than a running one. */
const QUEUED_FACTOR = 1.5;

export interface PollDelayInput {
  /** Time since the create was accepted. */
  elapsedMs: number;
  status: RemoteStatus;
  /** Polls that failed in a row (network, 5xx, 429); 0 after a success. */
  consecutiveErrors: number;
}

export function nextPollDelayMs(opts: PollDelayInput, random: () => number = Math.random): number {
  const elapsed = Number.isFinite(opts.elapsedMs) ? Math.max(0, opts.elapsedMs) : 0;
  const tier = TIERS.find((t) => elapsed < t.untilMs) ?? TIERS[TIERS.length - 1]!;
  const base = Math.round(tier.delayMs * (opts.status === 'queued' ? QUEUED_FACTOR : 1));
  const errors = Math.max(0, Math.floor(opts.consecutiveErrors || 0));
  if (errors === 0) return base;
  // Full jitter (a uniform draw up to an exponential ceiling) spreads many failing jobs apart; never
  // poll faster than the normal interval, never wait past the cap.
  const ceiling = Math.min(POLL_ERROR_CAP_MS, Math.max(base, 1_000) * 2 ** Math.min(errors, 30));
  const r = Math.min(1, Math.max(0, random()));
  return Math.min(POLL_ERROR_CAP_MS, Math.max(base, Math.round(r * ceiling)));
}
