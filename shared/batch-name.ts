// What a batch is called when the person did not name it: the first words of its first expanded prompt
// (never the raw template with its braces), made unique among existing batches with a " (2)" suffix, so a
// name in the queue, a search filter (`batch:…`) or an export folder always points at one batch.

/** Latin words kept in a default name; CJK text (no spaces) keeps this many characters instead. */
const MAX_WORDS = 6;
const MAX_CHARS = 40;
const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;

/** A short readable name from a prompt: its first few words, cut at a word boundary, without trailing punctuation. */
export function nameFromPrompt(prompt: string): string {
  const text = prompt.replace(/\s+/g, ' ').trim();
  if (!text) return 'Batch';
  let out = '';
  let words = 0;
  for (const word of text.split(' ')) {
    const next = out ? `${out} ${word}` : word;
    if (out && ([...next].length > MAX_CHARS || words >= MAX_WORDS)) break;
    out = next;
    words += 1;
  }
  // One long word or an unspaced CJK clause: cut by characters.
  const chars = [...out];
  if (CJK.test(out) && chars.length > MAX_CHARS / 2) {
    const cut = chars.slice(0, MAX_CHARS / 2);
    // End at the last clause break when there is one: "一只红色的猫坐在窗台上，水彩风格" reads better than a cut word.
    const clause = cut.findLastIndex((c, i) => i >= 6 && /[，。；、,;]/u.test(c));
    out = cut.slice(0, clause > 0 ? clause : cut.length).join('');
  } else if (chars.length > MAX_CHARS) {
    out = chars.slice(0, MAX_CHARS).join('');
  }
  out = out.replace(/[\s,.;:!?，。；：！？、\-–—]+$/u, '');
  return out || 'Batch';
}

/** `name`, or `name (2)`, `name (3)`, … — the first one `taken` says is free. */
export function uniqueName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name} (${n})`;
    if (!taken(candidate)) return candidate;
  }
}
