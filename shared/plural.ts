// Engine messages in English (the UI translates by the error code and the task's numbers, not this text).

/** "1 image", "1,234 images": a count with its noun. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "12 KB", "3.4 MB": a size in the unit a person reads best. */
export function megabytes(n: number): string {
  return n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}
