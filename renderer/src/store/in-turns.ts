// Work on many items with only a few in flight: each image read for a reference is held in memory (and as
// base64) until the engine has checked it, so a folder of large photos must not be read all at once.

/** `fn` over `items` with at most `width` calls pending; the results in the items' order. */
export async function inTurns<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}
