// How much the service takes right now: offline (probed with backoff until it answers), held after a 429
// (no create starts before the hold ends), and the adaptive in-flight limit that a 429 halves and
// successes grow back.
import { ApiError } from '../api/errors.ts';
import { backoffMs } from './backoff.ts';
import { AdaptiveLimit } from './concurrency.ts';
import type { SchedulerContext, Timer } from './context.ts';

export class Connectivity {
  readonly limit: AdaptiveLimit;
  private readonly ctx: SchedulerContext;
  private offlineFlag = false;
  private offlineSinceAt: number | null = null;
  private holdUntilAt: number | null = null;
  private rateLimitStreak = 0;
  private probeTimer: Timer | null = null;

  constructor(ctx: SchedulerContext) {
    this.ctx = ctx;
    this.limit = new AdaptiveLimit(ctx.settings().concurrency);
  }

  get offline(): boolean {
    return this.offlineFlag;
  }

  get offlineSince(): number | null {
    return this.offlineSinceAt;
  }

  /** The end of a 429 hold still in force, or null. */
  holdUntil(now = this.ctx.clock.now()): number | null {
    return this.holdUntilAt !== null && this.holdUntilAt > now ? this.holdUntilAt : null;
  }

  clearHold(): void {
    this.holdUntilAt = null;
  }

  /** A create was accepted: the service is taking work. */
  onAccepted(): void {
    this.limit.onAccepted();
    this.rateLimitStreak = 0;
  }

  /** A create answered 429: halve the limit, hold every create; returns how long this job waits. */
  onRateLimited(err: ApiError): number {
    const now = this.ctx.clock.now();
    this.limit.onRateLimited(now);
    // Creates sent together come back limited together: that is one signal, not several.
    if (this.holdUntilAt === null || this.holdUntilAt <= now) this.rateLimitStreak++;
    const wait = err.retryAfterMs ?? backoffMs(this.rateLimitStreak, { baseMs: 1_000, capMs: 30_000 });
    this.holdUntilAt = Math.max(this.holdUntilAt ?? 0, now + wait);
    this.ctx.emitQueue();
    return wait;
  }

  /** Something failed: go offline when it says the service cannot be reached. */
  noteError(err: unknown): void {
    if (err instanceof ApiError && err.offline) this.goOffline();
  }

  goOffline(): void {
    if (this.offlineFlag) return;
    this.offlineFlag = true;
    this.offlineSinceAt = this.ctx.clock.now();
    this.ctx.log.warn('service unreachable: offline, probing');
    this.ctx.emitQueue();
    this.probe(0);
  }

  stop(): void {
    if (this.probeTimer) this.ctx.clock.clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private probe(attempt: number): void {
    if (!this.ctx.isRunning()) return;
    this.probeTimer = this.ctx.clock.setTimeout(
      () => void this.probeOnce(attempt),
      backoffMs(attempt, { baseMs: 1_000, capMs: 30_000 }),
    );
  }

  private async probeOnce(attempt: number): Promise<void> {
    const client = this.ctx.getClient();
    try {
      if (!client) throw new Error('no client');
      await client.running(1);
      this.backOnline();
    } catch (err) {
      // Reachable again, even if it does not like us (a 401 is handled by the next create).
      if (err instanceof ApiError && !err.offline) this.backOnline();
      else this.probe(attempt + 1);
    }
  }

  private backOnline(): void {
    this.offlineFlag = false;
    this.offlineSinceAt = null;
    this.ctx.log.info('service reachable again');
    this.ctx.emitQueue();
    this.ctx.pump();
  }
}
