// Engine messages in English (the UI translates by the error code and the task's numbers, not this text).

/** "1 image", "1,234 images": a count with its noun. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
