// The library's search language: what a person types in the search box (or after `qwen-studio search`),
// parsed into a ParsedQuery, which search-sql.ts compiles into parameterized SQL.
//
// Parsing never fails: an unknown `key:value` is searched as text, and a known key with a value we cannot
// read (`rating>=lots`) is searched as text too, with a warning saying why, so the person sees the problem
// instead of an error. User text reaches SQL only as bound parameters, and reaches FTS5 only inside quoted
// strings (see ftsString), so no input can change the shape of either query.
import { LIMITS } from '../../../shared/api.ts';
import { replaceControlChars } from '../../../shared/input-limits.ts';
import { tokenBody, tokenizeQuery, type QueryToken } from '../../../shared/query-tokens.ts';

export interface TextTerm {
  text: string;
  /** Typed in quotes: matched as an exact phrase, no prefix matching of the last word. */
  phrase: boolean;
}

export type RatingOp = '>=' | '>' | '<=' | '<' | '=';
export type NameRef = { id: number } | { name: string };
export type Orientation = 'landscape' | 'portrait' | 'square';

export type Filter =
  | { kind: 'tag'; name: string; negate: boolean }
  | { kind: 'batch'; ref: NameRef; negate: boolean }
  | { kind: 'collection'; ref: NameRef; negate: boolean }
  | { kind: 'ar'; value: string; negate: boolean }
  | { kind: 'orientation'; value: Orientation; negate: boolean }
  | { kind: 'format'; value: string; negate: boolean }
  | { kind: 'favorite'; negate: boolean }
  | { kind: 'rejected'; negate: boolean }
  | { kind: 'rating'; op: RatingOp; value: number }
  | { kind: 'before'; at: number }
  | { kind: 'after'; at: number }
  | { kind: 'seed'; value: number; negate: boolean }
  | { kind: 'model'; text: string; negate: boolean }
  | { kind: 'source'; value: 'generated' | 'imported'; negate: boolean };

export interface ParsedQuery {
  /** Every one must match (anywhere in prompt, negative prompt, actual prompt, tags or notes). */
  terms: TextTerm[];
  /** None may match. */
  excluded: TextTerm[];
  filters: Filter[];
  /** What was read differently from how it looks, for the UI to show under the search box. */
  warnings: string[];
}

export interface ParseOptions {
  /** "Now" for `today` and `7d` (tests pin it). Dates are local calendar days. */
  now?: number;
}

// ── tokenizing (shared/query-tokens.ts: the search box splits text the same way) ─────────────────────

interface RawToken extends QueryToken {
  /** The token as typed without its "-", to search for when it turns out not to be an operator. */
  text: string;
}

function tokenize(input: string, warnings: string[]): RawToken[] {
  // Control characters are never part of a search (the transports refuse them); here they read as spaces,
  // so none can reach FTS5, where a NUL ends the expression mid-string.
  return tokenizeQuery(replaceControlChars(input.normalize('NFC'), ' ')).map((t) => {
    if (t.unclosed) warnings.push(`A quote was not closed; searched for "${t.value}" as a phrase.`);
    return { ...t, text: t.quoted && t.key === null ? t.value : tokenBody(t) };
  });
}

// ── values ───────────────────────────────────────────────────────────────────────────────────────────

const DAY_MS = 86_400_000;

function startOfLocalDay(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** `2026-11-01`, `2026/11/01`, `2026-11`, `today`, `yesterday`, `7d`, `2w`, `3m`, `1y` → local ms. */
export function parseDateValue(value: string, now: number): number | null {
  const v = value.trim().toLowerCase();
  if (v === 'today') return startOfLocalDay(now);
  if (v === 'yesterday') return startOfLocalDay(now - DAY_MS);
  const rel = /^(\d{1,4})([dwmy])$/.exec(v);
  if (rel) {
    const n = Number(rel[1]);
    const d = new Date(now);
    if (rel[2] === 'd') return now - n * DAY_MS;
    if (rel[2] === 'w') return now - n * 7 * DAY_MS;
    if (rel[2] === 'm')
      return new Date(d.getFullYear(), d.getMonth() - n, d.getDate(), d.getHours(), d.getMinutes()).getTime();
    return new Date(d.getFullYear() - n, d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()).getTime();
  }
  const abs = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$/.exec(v);
  if (!abs) return null;
  const y = Number(abs[1]);
  const m = abs[2] ? Number(abs[2]) : 1;
  const day = abs[3] ? Number(abs[3]) : 1;
  if (m < 1 || m > 12 || day < 1 || day > 31) return null;
  const date = new Date(y, m - 1, day);
  // Reject 2026-02-31 rather than silently rolling into March.
  if (date.getMonth() !== m - 1) return null;
  return date.getTime();
}

const FORMATS: Record<string, string> = { png: 'png', jpeg: 'jpeg', jpg: 'jpeg', webp: 'webp', gif: 'gif' };
const ORIENTATIONS: Record<string, Orientation> = {
  landscape: 'landscape',
  wide: 'landscape',
  portrait: 'portrait',
  tall: 'portrait',
  square: 'square',
};

function parseRatio(value: string): string | null {
  const m = /^(\d{1,3})\s*[:x×/]\s*(\d{1,3})$/i.exec(value.trim());
  if (!m) return null;
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (w <= 0 || h <= 0) return null;
  return `${w}:${h}`;
}

function parseRef(value: string): NameRef | null {
  const v = value.trim();
  const id = /^#(\d{1,15})$/.exec(v);
  if (id) return { id: Number(id[1]) };
  return v ? { name: v } : null;
}

// ── parser ───────────────────────────────────────────────────────────────────────────────────────────

export function parseQuery(text: string, opts: ParseOptions = {}): ParsedQuery {
  const now = opts.now ?? Date.now();
  const q: ParsedQuery = { terms: [], excluded: [], filters: [], warnings: [] };
  const asText = (t: RawToken, why?: string) => {
    const term = { text: t.text, phrase: t.quoted && t.key === null };
    (t.negate ? q.excluded : q.terms).push(term);
    if (why) q.warnings.push(`${why} Searched for "${term.text}" as text.`);
  };
  for (const t of tokenize(text, q.warnings)) {
    const negate = t.negate;
    if (t.key === null) {
      if (!t.quoted) {
        const bare = t.value.toLowerCase();
        if (bare === 'fav' || bare === 'favorite' || bare === 'favorites' || bare === 'favourite') {
          q.filters.push({ kind: 'favorite', negate });
          continue;
        }
        if (bare === 'rejected') {
          q.filters.push({ kind: 'rejected', negate });
          continue;
        }
        const rating = /^rating(>=|<=|>|<|=)(.*)$/i.exec(t.value);
        if (rating) {
          pushRating(q, t, rating[1] as RatingOp, rating[2]!, asText);
          continue;
        }
      }
      if (t.value.trim()) (negate ? q.excluded : q.terms).push({ text: t.value, phrase: t.quoted });
      continue;
    }
    const v = t.value;
    switch (t.key) {
      case 'tag':
      case 'tags': {
        const name = normalizeName(v);
        if (name) q.filters.push({ kind: 'tag', name, negate });
        else asText(t, 'tag: needs a tag name.');
        break;
      }
      case 'batch':
      case 'collection':
      case 'col': {
        const ref = parseRef(v);
        if (ref) q.filters.push({ kind: t.key === 'batch' ? 'batch' : 'collection', ref, negate });
        else asText(t, `${t.key}: needs a name or #id.`);
        break;
      }
      case 'ar':
      case 'ratio':
      case 'aspect': {
        const orientation = ORIENTATIONS[v.toLowerCase()];
        if (orientation) {
          q.filters.push({ kind: 'orientation', value: orientation, negate });
          break;
        }
        const values = v.split(',').map(parseRatio);
        if (values.length && values.every((r) => r !== null)) {
          for (const value of values) q.filters.push({ kind: 'ar', value: value!, negate });
        } else
          asText(t, `ar: takes a ratio such as 16:9, or landscape, portrait, square ("${v}" is neither).`);
        break;
      }
      case 'format':
      case 'fmt':
      case 'type': {
        const values = v
          .toLowerCase()
          .split(',')
          .map((f) => FORMATS[f.replace(/^\./, '')]);
        if (values.length && values.every(Boolean)) {
          for (const value of values) q.filters.push({ kind: 'format', value: value!, negate });
        } else asText(t, `format: takes png, jpeg or webp ("${v}" is none of them).`);
        break;
      }
      case 'is': {
        const w = v.toLowerCase();
        if (w.startsWith('fav')) q.filters.push({ kind: 'favorite', negate });
        else if (w === 'rejected') q.filters.push({ kind: 'rejected', negate });
        else if (w === 'imported' || w === 'generated') q.filters.push({ kind: 'source', value: w, negate });
        else asText(t, `is: takes fav, rejected, imported or generated.`);
        break;
      }
      case 'rating':
      case 'stars': {
        const m = /^(>=|<=|>|<|=)?(.*)$/.exec(v)!;
        pushRating(q, t, (m[1] ?? '=') as RatingOp, m[2]!, asText);
        break;
      }
      case 'before':
      case 'after':
      case 'on': {
        const at = parseDateValue(v, now);
        if (at === null) {
          asText(t, `${t.key}: takes a date such as 2026-11-01, today, yesterday or 7d ("${v}" is not one).`);
        } else if (t.key === 'on') {
          const day = startOfLocalDay(at);
          const next = new Date(
            new Date(day).getFullYear(),
            new Date(day).getMonth(),
            new Date(day).getDate() + 1,
          ).getTime();
          q.filters.push({ kind: 'after', at: day }, { kind: 'before', at: next });
        } else q.filters.push({ kind: t.key, at });
        break;
      }
      case 'seed': {
        const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
        if (Number.isInteger(n) && n <= LIMITS.seedMax) q.filters.push({ kind: 'seed', value: n, negate });
        else asText(t, `seed: takes a whole number from 0 to ${LIMITS.seedMax}.`);
        break;
      }
      case 'model': {
        q.filters.push({ kind: 'model', text: v.trim().toLowerCase(), negate });
        break;
      }
      case 'source': {
        const w = v.toLowerCase();
        const value = w.startsWith('import') ? 'imported' : w.startsWith('gen') ? 'generated' : null;
        if (value) q.filters.push({ kind: 'source', value, negate });
        else asText(t, 'source: takes generated or imported.');
        break;
      }
      default:
        asText(t);
    }
  }
  return q;
}

function pushRating(
  q: ParsedQuery,
  t: RawToken,
  op: RatingOp,
  value: string,
  asText: (t: RawToken, why?: string) => void,
): void {
  const n = /^\d$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= 5) {
    if (t.negate) q.warnings.push(`"-" has no meaning before a rating; used ${t.text}.`);
    q.filters.push({ kind: 'rating', op, value: n });
  } else asText(t, 'rating takes a number from 0 to 5, as in rating>=4.');
}

/** Tag and collection names: trimmed, inner whitespace collapsed. */
export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

// ── help ─────────────────────────────────────────────────────────────────────────────────────────────

export const QUERY_SYNTAX: readonly { syntax: string; meaning: string }[] = [
  {
    syntax: 'red car',
    meaning: 'images whose text has every word (words match their beginnings: car → cars)',
  },
  { syntax: '红色 / 猫', meaning: 'Chinese and Japanese match anywhere, from one character up' },
  { syntax: '"red sports car"', meaning: 'the exact phrase' },
  { syntax: '-blurry  -"low quality"', meaning: 'leave out images with that word or phrase' },
  {
    syntax: 'tag:portrait  -tag:draft',
    meaning: 'has (or lacks) the tag; use quotes for spaces: tag:"old town"',
  },
  { syntax: 'batch:summer  batch:#12', meaning: 'batch name contains the text, or batch number 12' },
  { syntax: 'collection:best', meaning: 'in a collection whose name contains the text (or collection:#3)' },
  { syntax: 'ar:16:9  ar:portrait', meaning: 'aspect ratio; also landscape, portrait, square' },
  { syntax: 'format:png', meaning: 'file format: png, jpeg, webp' },
  { syntax: 'fav  -fav', meaning: 'favorites (or not)' },
  { syntax: 'rejected  -rejected', meaning: 'marked rejected (or not)' },
  { syntax: 'rating>=4', meaning: 'rating; also >, <=, <, = (0 means unrated)' },
  {
    syntax: 'after:2026-11-01  before:2026-12-01',
    meaning: 'made on/after, or before, a day; also today, yesterday, 7d, 2w, 3m',
  },
  { syntax: 'on:2026-11-05', meaning: 'made on that day' },
  { syntax: 'seed:1234', meaning: 'generated with that seed' },
  { syntax: 'model:pro', meaning: 'model name contains the text' },
  { syntax: 'source:imported', meaning: 'imported images (or source:generated)' },
];

export function describeQuerySyntax(): string {
  const width = Math.max(...QUERY_SYNTAX.map((e) => e.syntax.length));
  return [
    'Search the library by typing words and filters in any order; everything must match.',
    ...QUERY_SYNTAX.map((e) => `  ${e.syntax.padEnd(width)}  ${e.meaning}`),
    'The same key twice means either (format:png format:webp); tags and collections must all match.',
    'Anything else with a colon is searched as text.',
  ].join('\n');
}
