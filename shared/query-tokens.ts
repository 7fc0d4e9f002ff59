// How the library's search text splits into tokens, written once for the engine (which gives them meaning,
// main/engine/search/query.ts) and the search box (which edits filter tokens in place, renderer/src/library/
// query-text.ts). Tokens are separated by whitespace; "quoted phrases" (also “…” and 「…」) keep their spaces,
// and so does key:"quoted value"; a leading - (or −) excludes. Keys and values are compared in NFC, so text
// pasted in decomposed form means the same as text typed; start/end always index the text as given.

export interface QueryToken {
  /** The token as typed, including its leading "-" and quotes: text.slice(start, end). */
  raw: string;
  start: number;
  end: number;
  negate: boolean;
  /** The key of `key:value`, lower case (NFC); null for a word or a quoted phrase. */
  key: string | null;
  /** The value (NFC): the word, the phrase inside its quotes, or what follows `key:` (without quotes). */
  value: string;
  /** The value came from quotes (a phrase, or key:"value"). */
  quoted: boolean;
  /** A quote was opened and never closed: the value runs to the end of the text. */
  unclosed: boolean;
}

const QUOTES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['\u201c', '\u201d'],
  ['\u300c', '\u300d'],
]);
const SPACE = /\s/u;
const NEGATE = /^[-\u2212]+/;

const isNegate = (c: string | undefined) => c === '-' || c === '\u2212';

/** Splits search text into tokens; never fails. */
export function tokenizeQuery(text: string): QueryToken[] {
  const out: QueryToken[] = [];
  let i = 0;
  const readQuoted = (): { value: string; unclosed: boolean } => {
    const close = text.indexOf(QUOTES.get(text[i]!)!, i + 1);
    const value = text.slice(i + 1, close === -1 ? text.length : close);
    i = close === -1 ? text.length : close + 1;
    return { value, unclosed: close === -1 };
  };
  while (i < text.length) {
    if (SPACE.test(text[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (isNegate(text[i])) i++;
    const negate = i > start;
    if (i >= text.length || SPACE.test(text[i]!)) continue; // a lone "-"
    const push = (key: string | null, value: string, quoted: boolean, unclosed: boolean) =>
      out.push({
        raw: text.slice(start, i),
        start,
        end: i,
        negate,
        key: key === null ? null : key.normalize('NFC').toLowerCase(),
        value: value.normalize('NFC'),
        quoted,
        unclosed,
      });
    if (QUOTES.has(text[i]!)) {
      const q = readQuoted();
      push(null, q.value, true, q.unclosed);
      continue;
    }
    const wordStart = i;
    let done = false;
    while (i < text.length && !SPACE.test(text[i]!)) {
      // key:"quoted value" keeps its spaces.
      if (QUOTES.has(text[i]!) && /^[a-z]+:$/i.test(text.slice(wordStart, i))) {
        const key = text.slice(wordStart, i - 1);
        const q = readQuoted();
        push(key, q.value, true, q.unclosed);
        done = true;
        break;
      }
      i++;
    }
    if (done) continue;
    const word = text.slice(wordStart, i);
    const kv = /^([a-z]+):(.+)$/is.exec(word);
    if (kv) push(kv[1]!, kv[2]!, false, false);
    else push(null, word, false, false);
  }
  return out;
}

/** The token's text without its leading "-", as typed (what is searched when it is not a filter). */
export function tokenBody(t: Pick<QueryToken, 'raw'>): string {
  return t.raw.replace(NEGATE, '');
}
