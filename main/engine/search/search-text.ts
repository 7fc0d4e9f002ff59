// How library text becomes FTS5 tokens, on both sides: the SQL functions the search triggers call when an
// asset is written, and the phrases the query engine sends to MATCH. The two must agree token for token,
// which is why they live in one file.
//
// The index uses FTS5's `unicode61` tokenizer, which splits on spaces and punctuation. Chinese and Japanese
// have no spaces, so a whole clause would become one token. Before indexing, every CJK run is therefore
// rewritten as its overlapping bigrams followed by its last character ("红色汽车" → "红色 色汽 汽车 车"):
// - a query of 2+ characters is the phrase of its bigrams, so it matches anywhere inside a run;
// - the trailing single character lets a phrase continue across the end of a run ("汽车 red"), and a run of
//   one character is just that character;
// - queries of one character use a separate `chars` column holding each distinct CJK character once, so
//   "猫" is one exact token lookup instead of a prefix scan over every bigram starting with 猫.
// FTS5's `trigram` tokenizer was rejected: it cannot match the 1- and 2-character words that most Chinese
// searches are, and its index is several times larger.
//
// A second column, `meta`, holds one token per filterable attribute (`fpng`, `ar16x9`, `b7` for batch 7,
// …) plus `all1` on every row. Filters then intersect inside the same inverted index as the words, walking
// rowids newest first, so a filtered page stops after the rows it needs. Tags, collections and flags are
// not in the index (migration 010): the link tables and the assets' flag columns answer them, and tag names
// have their own small index.
import type { Database } from 'better-sqlite3';
import { ASPECT_RATIOS } from '../../../shared/api.ts';

const CJK_RUN = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\u3005\u30fc]+/gu;
const CJK_CHAR = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\u3005\u30fc]/u;
/** Characters unicode61 keeps inside tokens (letters, numbers, private use). */
const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;

function bigramsWithTail(chars: string[]): string {
  if (chars.length === 1) return chars[0]!;
  let out = '';
  for (let i = 0; i < chars.length - 1; i++) out += `${chars[i]}${chars[i + 1]} `;
  return out + chars[chars.length - 1];
}

/** The indexed form of one text field. */
export function searchDocText(text: string | null | undefined): string {
  if (!text) return '';
  return text.normalize('NFKC').replace(CJK_RUN, (run) => ` ${bigramsWithTail([...run])} `);
}

/** Every distinct CJK character of the given fields, space separated (the `chars` column). */
export function searchDocChars(...texts: (string | null | undefined)[]): string {
  const seen = new Set<string>();
  for (const t of texts) {
    if (!t) continue;
    for (const run of t.normalize('NFKC').matchAll(CJK_RUN)) for (const c of run[0]) seen.add(c);
  }
  return [...seen].join(' ');
}

const WORD = /[\p{L}\p{N}\p{Co}]+/gu;
/** What unicode61 (remove_diacritics 2) makes of a word: lower case, accents removed from Latin letters only. */
export function foldTerm(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFD')
    .replace(/(\p{sc=Latin})\p{M}+/gu, '$1')
    .normalize('NFC');
}

/**
 * The Latin words of the given fields as a JSON array (for the `search_terms` table): what the index holds
 * for them, so a typed word can be expanded to the words it begins. Words under three characters are left
 * out (they are never expanded), and so is CJK text (it is matched by bigrams, not prefixes).
 */
export function searchDocTerms(...texts: (string | null | undefined)[]): string {
  const out = new Set<string>();
  for (const t of texts) {
    if (!t) continue;
    for (const m of searchDocText(t).matchAll(WORD)) {
      if (CJK_CHAR.test(m[0])) continue;
      const term = foldTerm(m[0]);
      if ([...term].length >= 3) out.add(term);
    }
  }
  return JSON.stringify([...out]);
}

/** A word the terms table can expand: one token of letters and digits, no CJK, at least 3 characters. */
export function expandableWord(text: string): string | null {
  const norm = text.normalize('NFKC').trim();
  const words = norm.match(WORD);
  if (!words || words.length !== 1 || words[0] !== norm || CJK_CHAR.test(norm)) return null;
  const term = foldTerm(norm);
  return [...term].length >= 3 && /^[\p{L}\p{N}\p{Co}]+$/u.test(term) ? term : null;
}

export function hasTokenChars(text: string): boolean {
  return TOKEN_CHAR.test(text);
}

export function isSingleCjkChar(text: string): boolean {
  const chars = [...text.normalize('NFKC').trim()];
  return chars.length === 1 && CJK_CHAR.test(chars[0]!);
}

/** An FTS5 string literal: the text between double quotes, quotes doubled. Nothing inside is syntax. */
export function ftsString(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * The FTS5 phrase for a word or quoted phrase a person typed, tokenized as the index was. `prefix`
 * lets the last Latin word match longer words ("cat" → cats, caterpillar); words of one or two letters
 * never get it (the prefix "a*" would merge half the index for no useful result).
 */
export function searchQueryPhrase(text: string, opts: { prefix: boolean }): string | null {
  const norm = text.normalize('NFKC');
  // Split into alternating non-CJK and CJK segments, keeping only segments that yield tokens.
  const segments: { cjk: boolean; text: string }[] = [];
  let last = 0;
  for (const m of norm.matchAll(CJK_RUN)) {
    if (m.index > last) segments.push({ cjk: false, text: norm.slice(last, m.index) });
    segments.push({ cjk: true, text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < norm.length) segments.push({ cjk: false, text: norm.slice(last) });
  const useful = segments.filter((s) => s.cjk || hasTokenChars(s.text));
  if (useful.length === 0) return null;
  const parts: string[] = [];
  let star = false;
  useful.forEach((s, i) => {
    const isLast = i === useful.length - 1;
    if (!s.cjk) {
      parts.push(s.text.trim());
      if (isLast) {
        const lastWord =
          s.text
            .trim()
            .split(/[^\p{L}\p{N}\p{Co}]+/u)
            .filter(Boolean)
            .at(-1) ?? '';
        star = opts.prefix && [...lastWord].length >= 3;
      }
      return;
    }
    const chars = [...s.text];
    if (chars.length === 1) {
      // One character: in the index it is a lone run, the tail of a run, or the start of a bigram. Inside a
      // phrase followed by more tokens only the first two are possible; at the end, the prefix covers all.
      parts.push(chars[0]!);
      if (isLast) star = true;
      return;
    }
    let bigrams = '';
    for (let k = 0; k < chars.length - 1; k++) bigrams += `${k ? ' ' : ''}${chars[k]}${chars[k + 1]}`;
    // The run's tail character is in the index only where the run ends; inside a phrase that goes on after
    // this run, the person's text says it ends here too.
    parts.push(isLast ? bigrams : `${bigrams} ${chars[chars.length - 1]}`);
  });
  return `${ftsString(parts.join(' '))}${star ? ' *' : ''}`;
}

/** `16:9` → `16x9`: the spelling of an aspect ratio inside a token. */
export function ratioToken(ratio: string): string {
  return `ar${ratio.replace(':', 'x')}`;
}

/** The standard ratio within 2% of the pixel size, else the reduced fraction. */
export function aspectOf(width: number, height: number): string | null {
  if (!(width > 0 && height > 0)) return null;
  const r = width / height;
  for (const ar of ASPECT_RATIOS) {
    const [w, h] = ar.split(':').map(Number) as [number, number];
    if (Math.abs(r / (w / h) - 1) < 0.02) return ar;
  }
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(Math.round(width), Math.round(height));
  return `${Math.round(width) / g}:${Math.round(height) / g}`;
}

/** Model ids contain `/` and `-`, which unicode61 splits on: keep letters and digits only. */
export function modelToken(model: string): string {
  return `m${model.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

export function formatToken(format: string): string {
  const f = format.toLowerCase();
  return `f${f === 'jpg' ? 'jpeg' : f.replace(/[^a-z0-9]/g, '')}`;
}

type Cell = string | number | bigint | null;

function idTokens(prefix: string, list: Cell | undefined): string {
  if (list === undefined || list === null || list === '') return '';
  return String(list)
    .split(' ')
    .filter(Boolean)
    .map((id) => ` ${prefix}${id}`)
    .join('');
}

/** The `meta` column: one token per attribute value a filter can ask for. */
/** The UTC calendar month of a time, as a token: `ym202611`. Date filters and deep pages narrow by these. */
export function monthToken(ms: number): string {
  const d = new Date(ms);
  return `ym${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function searchMetaTokens(
  createdAt: Cell,
  favorite: Cell,
  rating: Cell,
  rejected: Cell,
  format: Cell,
  aspectRatio: Cell,
  width: Cell,
  height: Cell,
  source: Cell,
  seed: Cell,
  model: Cell,
  batchId: Cell,
  // Migrations 002–009 indexed tags and collections here; since 010 they live only in their link tables.
  tagIds?: Cell,
  collectionIds?: Cell,
): string {
  let out = 'all1';
  if (createdAt !== null && Number.isFinite(Number(createdAt))) out += ` ${monthToken(Number(createdAt))}`;
  if (Number(favorite)) out += ' fav1';
  if (Number(rejected)) out += ' rej1';
  // Migrations 002–009 indexed the flags; since 010 they are read from the assets' own columns.
  if (rating !== null) out += ` r${Math.max(0, Math.min(5, Number(rating) | 0))}`;
  if (format) out += ` ${formatToken(String(format))}`;
  const w = Number(width ?? 0);
  const h = Number(height ?? 0);
  const ar = aspectRatio ? String(aspectRatio) : aspectOf(w, h);
  if (ar) out += ` ${ratioToken(ar)}`;
  if (w > 0 && h > 0) out += w > h ? ' orl' : w < h ? ' orp' : ' ors';
  out += source === 'imported' ? ' srcimported' : ' srcgenerated';
  if (seed !== null && seed !== '') out += ` s${String(seed)}`;
  if (model) out += ` ${modelToken(String(model))}`;
  if (batchId !== null) out += ` b${String(batchId)}`;
  out += idTokens('t', tagIds);
  out += idTokens('c', collectionIds);
  return out;
}

/** Connections whose search-index triggers stand aside (a bulk writer keeps the index itself). */
const deferring = new WeakSet<Database>();

/**
 * Runs `fn` (synchronous, inside the caller's transaction) with this connection's index triggers standing
 * aside: `fn` must bring the index and the tag counts up to date itself before the transaction commits.
 */
export function withSearchTriggersDeferred<T>(db: Database, fn: () => T): T {
  if (!db.inTransaction) throw new Error('withSearchTriggersDeferred runs inside a transaction');
  deferring.add(db);
  try {
    return fn();
  } finally {
    deferring.delete(db);
  }
}

/** Registers the functions the search triggers call. Every connection that writes assets needs them. */
export function registerSearchFunctions(db: Database): void {
  // Not deterministic: the answer changes while a bulk writer holds the connection.
  db.function('qs_search_deferred', { deterministic: false, varargs: false }, () =>
    deferring.has(db) ? 1 : 0,
  );
  const opts = { deterministic: true, varargs: false };
  db.function('qs_search_text', opts, (t: unknown) => searchDocText(t as string | null));
  db.function('qs_search_chars', { deterministic: true, varargs: true }, (...t: unknown[]) =>
    searchDocChars(...(t as (string | null)[])),
  );
  db.function('qs_search_terms', { deterministic: true, varargs: true }, (...t: unknown[]) =>
    searchDocTerms(...(t as (string | null)[])),
  );
  db.function('qs_search_meta', { deterministic: true, varargs: true }, (...c: unknown[]) =>
    searchMetaTokens(...(c as Parameters<typeof searchMetaTokens>)),
  );
}
