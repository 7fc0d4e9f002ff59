/** Exponential backoff with full jitter: uniform in [base/2, min(cap, base·2^attempt)]. */
export function backoffMs(
  attempt: number,
  opts: { baseMs?: number; capMs?: number; random?: () => number } = {},
): number {
  const base = opts.baseMs ?? 1_000;
  const cap = opts.capMs ?? 60_000;
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt));
  const floor = Math.min(ceiling, base / 2);
  return Math.round(floor + random() * (ceiling - floor));
}
