/** The whole number a number field holds, kept within [min, max]; an empty or unreadable field gives min. */
export function wholeNumberIn(raw: string, min: number, max: number): number {
  const n = Math.trunc(Number(raw));
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : min;
}
