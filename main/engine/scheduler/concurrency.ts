/**
 * How many generations we keep at the service at once. The service publishes no limit, so we learn it:
 * a 429 halves the limit (at most once per round, so a burst of 429s from one wave counts once), and every
 * round of successes at the current limit grows it by one, back up to the configured ceiling.
 */
export class AdaptiveLimit {
  private ceiling: number;
  private current: number;
  private successes = 0;
  private lastCutAt = -Infinity;
  private readonly cooldownMs: number;

  constructor(ceiling: number, cooldownMs = 1_000) {
    this.ceiling = Math.max(1, Math.floor(ceiling));
    this.current = this.ceiling;
    this.cooldownMs = cooldownMs;
  }

  get value(): number {
    return this.current;
  }

  get max(): number {
    return this.ceiling;
  }

  /**
   * A new configured ceiling applies to the next submission: a lower one at once, and a higher one too (the
   * person asked for more; a 429 halves it again). The same ceiling again (a key change) keeps what was learned.
   */
  setCeiling(ceiling: number): void {
    const next = Math.max(1, Math.floor(ceiling));
    if (next > this.ceiling) {
      this.current = next;
      this.successes = 0;
    }
    this.ceiling = next;
    this.current = Math.max(1, Math.min(this.current, this.ceiling));
  }

  onRateLimited(now: number): void {
    this.successes = 0;
    if (now - this.lastCutAt < this.cooldownMs) return;
    this.lastCutAt = now;
    this.current = Math.max(1, Math.floor(this.current / 2));
  }

  onAccepted(): void {
    if (this.current >= this.ceiling) return;
    this.successes += 1;
    if (this.successes >= this.current) {
      this.successes = 0;
      this.current += 1;
    }
  }
}
