// The library's search language: what a person types in the search box (or after `qwen-studio search`),
// parsed into a ParsedQuery, then compiled into one FTS5 MATCH expression plus parameterized SQL.
//
// Parsing never fails: an unknown `key:value` is searched as text, and a known key with a value we cannot
// read (`rating>=lots`) is searched as text too, with a warning saying why, so the person sees the problem
// instead of an error. User text reaches SQL only as bound parameters, and reaches FTS5 only inside quoted
// strings (see ftsString), so no input can change the shape of either query.
import { LIMITS } from '../../../shared/api.ts';
import { replaceControlChars } from '../../../shared/input-limits.ts';
import { tokenBody, tokenizeQuery, type QueryToken } from '../../../shared/query-tokens.ts';
import {
  expandableWord,
  formatToken,
  ftsString,
  isSingleCjkChar,
  modelToken,
  monthToken,
  ratioToken,
  searchQueryPhrase,
} from './search-text.ts';

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

// ── compiling ────────────────────────────────────────────────────────────────────────────────────────

/** Names in a query resolved against the database (the Library provides this). */
export interface QueryResolver {
  tagId(name: string): number | null;
  batchIds(ref: NameRef): number[];
  collectionIds(ref: NameRef): number[];
  /** Model ids in the library whose name contains the text. */
  models(text: string): string[];
  /** Indexed words beginning with `prefix` (folded), or null when there are more than `max`. */
  completions(prefix: string, max: number): string[] | null;
  /** The oldest and newest created_at in the library, null when it is empty. */
  span(): { min: number; max: number } | null;
}

/** Newest first; by relevance (bm25, when there are words); or best first ("pick the best" scores). */
export type SortOrder = 'newest' | 'relevance' | 'best';

export interface SearchSqlOptions {
  sort?: SortOrder;
  offset?: number;
  limit?: number;
  /** Keyset paging for newest-first: the `sortKey` of the last row of the previous page. */
  after?: number | null;
  resolve: QueryResolver;
}

export interface SearchSql {
  /** The FTS5 expression (also a bound parameter of the statements below). */
  match: string;
  /** Page of assets rows, in order. */
  pageSql: string;
  /** One row, one column: how many assets match. */
  countSql: string;
  /** Matching ids with their sort keys, newest first, one keyset chunk (binds @after and @limit). */
  idsSql: string;
  params: Record<string, number | string | null>;
  /** True when relevance was asked for and text gives it meaning. */
  ranked: boolean;
  /** True when the page is in sort-key order, so its last row's key pages on (`after`). */
  keyset: boolean;
}

// Batch names are found only through `batch:` — a plain word must not pull in a whole batch whose name
// happens to contain it ("teapot -red" against a batch called "red …").
const TEXT_COLUMNS = '{prompt negative actual tags notes}';
/**
 * Relevance scores (bm25) cost a few microseconds per match, so they are computed over the newest
 * RELEVANCE_WINDOW matches only: exact below that, "best of the most recent" above it. A word found in
 * 100k prompts has nearly the same score in all of them anyway.
 */
export const RELEVANCE_WINDOW = 5000;
/** A typed word expands to at most this many indexed words; beyond it FTS5's own prefix query is used. */
export const MAX_COMPLETIONS = 64;
/** bm25 column weights: prompt and tags count most; the negative prompt least. */
const BM25 = 'bm25(asset_search, 4.0, 0.5, 1.5, 4.0, 2.0, 1.5, 2.0, 0.0)';
const ALL = 'meta : all1';
const NEVER = 'meta : none0';
/** Beyond this many months a date bound walks the index instead of naming every month. */
const MAX_MONTH_TOKENS = 60;

function termExpr(t: TextTerm, resolve: QueryResolver): string | null {
  if (!t.phrase && isSingleCjkChar(t.text)) return `chars : ${ftsString(t.text.normalize('NFKC').trim())}`;
  if (!t.phrase) {
    const word = expandableWord(t.text);
    const words = word === null ? null : resolve.completions(word, MAX_COMPLETIONS);
    if (words && words.length > 0) {
      const any = words.map(ftsString);
      return `${TEXT_COLUMNS} : ${any.length === 1 ? any[0] : `(${any.join(' OR ')})`}`;
    }
  }
  const phrase = searchQueryPhrase(t.text, { prefix: !t.phrase });
  return phrase ? `${TEXT_COLUMNS} : ${phrase}` : null;
}

function metaAny(tokens: string[]): string {
  if (tokens.length === 0) return NEVER;
  return tokens.length === 1 ? `meta : ${tokens[0]}` : `meta : (${tokens.join(' OR ')})`;
}

const RATING_TEST: Record<RatingOp, (r: number, v: number) => boolean> = {
  '>=': (r, v) => r >= v,
  '>': (r, v) => r > v,
  '<=': (r, v) => r <= v,
  '<': (r, v) => r < v,
  '=': (r, v) => r === v,
};

const MAX_SECONDS = 2 ** 33 - 1;
/**
 * The first sort key of images made before second `s` (migration 002: seconds are inverted in the high
 * bits, so older images have larger keys). `created_at < t` ⇔ `sort_key >= boundary(ceil(t))`, and
 * `created_at >= t` ⇔ `sort_key < boundary(floor(t))`, to the second.
 */
function boundary(seconds: number): number {
  return (MAX_SECONDS - Math.max(0, Math.min(MAX_SECONDS, seconds)) + 1) * 2 ** 20;
}

export interface CompiledQuery {
  /** All must match… */
  must: string[];
  /** …and none of these. */
  mustNot: string[];
  /** sort_key bounds: `>= lower` (from before:) and `< upper` (from after:). */
  lower: number | null;
  upper: number | null;
  /** The same bounds as times: created_at < beforeMs, created_at >= afterMs. */
  beforeMs: number | null;
  afterMs: number | null;
  hasText: boolean;
}

export function compileQuery(q: ParsedQuery, resolve: QueryResolver): CompiledQuery {
  const must: string[] = [];
  const mustNot: string[] = [];
  let hasText = false;
  for (const t of q.terms) {
    const e = termExpr(t, resolve);
    if (e) {
      must.push(e);
      hasText = true;
    }
  }
  for (const t of q.excluded) {
    const e = termExpr(t, resolve);
    if (e) mustNot.push(e);
  }
  // Same key repeated → either; tags and collections → all.
  const anyOf = new Map<string, string[]>();
  const addAny = (kind: string, tokens: string[]) => anyOf.set(kind, [...(anyOf.get(kind) ?? []), ...tokens]);
  let ratings = [0, 1, 2, 3, 4, 5];
  let lower: number | null = null;
  let upper: number | null = null;
  let beforeMs: number | null = null;
  let afterMs: number | null = null;
  for (const f of q.filters) {
    let tokens: string[];
    switch (f.kind) {
      case 'tag':
      case 'collection': {
        if (f.kind === 'tag') {
          const id = resolve.tagId(f.name);
          tokens = id === null ? [] : [`t${id}`];
        } else tokens = resolve.collectionIds(f.ref).map((id) => `c${id}`);
        if (!f.negate) must.push(metaAny(tokens));
        else if (tokens.length) mustNot.push(metaAny(tokens));
        continue;
      }
      case 'favorite':
        (f.negate ? mustNot : must).push('meta : fav1');
        continue;
      case 'rejected':
        (f.negate ? mustNot : must).push('meta : rej1');
        continue;
      case 'rating':
        ratings = ratings.filter((r) => RATING_TEST[f.op](r, f.value));
        continue;
      case 'before': {
        const k = boundary(Math.ceil(f.at / 1000));
        lower = lower === null ? k : Math.max(lower, k);
        beforeMs = beforeMs === null ? f.at : Math.min(beforeMs, f.at);
        continue;
      }
      case 'after': {
        const k = boundary(Math.floor(f.at / 1000));
        upper = upper === null ? k : Math.min(upper, k);
        afterMs = afterMs === null ? f.at : Math.max(afterMs, f.at);
        continue;
      }
      case 'batch':
        tokens = resolve.batchIds(f.ref).map((id) => `b${id}`);
        break;
      case 'ar':
        tokens = [ratioToken(f.value)];
        break;
      case 'orientation':
        tokens = [f.value === 'landscape' ? 'orl' : f.value === 'portrait' ? 'orp' : 'ors'];
        break;
      case 'format':
        tokens = [formatToken(f.value)];
        break;
      case 'seed':
        tokens = [`s${f.value}`];
        break;
      case 'model':
        tokens = resolve.models(f.text).map(modelToken);
        break;
      case 'source':
        tokens = [f.value === 'imported' ? 'srcimported' : 'srcgenerated'];
        break;
    }
    if (!f.negate) addAny(f.kind, tokens);
    else if (tokens.length) mustNot.push(metaAny(tokens));
  }
  for (const tokens of anyOf.values()) must.push(metaAny([...new Set(tokens)]));
  if (ratings.length < 6) must.push(metaAny(ratings.map((r) => `r${r}`)));
  return { must, mustNot, lower, upper, beforeMs, afterMs, hasText };
}

const group = (exprs: string[], op: 'AND' | 'OR') => exprs.map((e) => `(${e})`).join(` ${op} `);

/** Newest-first positions hold images made no later than this (the second of the key, inclusive). */
function createdBeforeMs(sortKey: number): number {
  return (MAX_SECONDS - Math.floor(sortKey / 2 ** 20) + 1) * 1000;
}

/**
 * The month tokens covering [fromMs, toMs) within the library's span: an FTS5 seek to a rowid walks the
 * doclist up to it, so a lower rowid bound deep in a big doclist (an old date, a far page) costs a walk
 * of everything newer. ORing the months concerned starts each month's short list at its own beginning.
 * Returns null when naming them would not pay (no span known, or too many months); [] when none exist.
 */
function monthsBetween(fromMs: number | null, toMs: number, resolve: QueryResolver): string[] | null {
  const span = resolve.span();
  if (!span) return null;
  const from = Math.max(fromMs ?? span.min, span.min);
  const to = Math.min(toMs, span.max + 1);
  if (from >= to) return [];
  const out: string[] = [];
  const d = new Date(from);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  for (let t = Date.UTC(y, m, 1); t < to; t = Date.UTC(y, m, 1)) {
    out.push(monthToken(t));
    if (out.length > MAX_MONTH_TOKENS) return null;
    if (++m === 12) {
      m = 0;
      y++;
    }
  }
  return out;
}

/**
 * Months narrow only a query with nothing else to drive it: next to a word or filter, FTS5 advances the
 * month lists to each candidate of the other list, and those seeks walk them anyway.
 */
function withMonths(must: string[], months: string[] | null): string[] {
  if (months === null || must.length > 0) return must;
  return [months.length ? metaAny(months) : NEVER];
}

function matchOf(must: string[], mustNot: string[]): string {
  const positive = must.length ? group(must, 'AND') : ALL;
  return mustNot.length ? `(${positive}) NOT (${group(mustNot, 'OR')})` : positive;
}

export function buildSearchSql(q: ParsedQuery, opts: SearchSqlOptions): SearchSql {
  const c = compileQuery(q, opts.resolve);
  const limit = Math.max(0, Math.floor(opts.limit ?? 200));
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  const ranked = opts.sort === 'relevance' && c.hasText;
  const best = opts.sort === 'best';
  const after = !ranked && !best && opts.after != null ? opts.after : null;
  // Month tokens only where a lower rowid bound would otherwise seek: before: and keyset pages.
  const dated =
    c.beforeMs === null ? c.must : withMonths(c.must, monthsBetween(c.afterMs, c.beforeMs, opts.resolve));
  const match = matchOf(dated, c.mustNot);
  const pageBefore = after === null ? c.beforeMs : Math.min(c.beforeMs ?? Infinity, createdBeforeMs(after));
  const pageMatch =
    after === null || pageBefore === c.beforeMs
      ? match
      : matchOf(withMonths(c.must, monthsBetween(c.afterMs, pageBefore!, opts.resolve)), c.mustNot);
  const params: Record<string, number | string | null> = {
    match,
    pageMatch,
    limit,
    offset,
    after: after ?? -1,
  };
  const range: string[] = [];
  if (c.lower !== null) {
    range.push('s.rowid >= @lower');
    params.lower = c.lower;
  }
  if (c.upper !== null) {
    range.push('s.rowid < @upper');
    params.upper = c.upper;
  }
  const where = ['asset_search MATCH @match', ...range].join(' AND ');
  const pageWhere = ['asset_search MATCH @pageMatch', ...range, 's.rowid > @after'].join(' AND ');
  // The FTS5 table drives every query: it yields rowids (sort keys) in order, and each is joined to its
  // asset through the unique sort_key index. SQLite sees the ORDER BY satisfied and stops at the LIMIT.
  const join = 'JOIN assets a ON a.sort_key = s.rowid AND a.deleted_at IS NULL';
  const pageSql = best
    ? bestFirstSql(c, where, join)
    : ranked
      ? `SELECT a.* FROM (
         SELECT s.rowid AS k, ${BM25} AS score FROM asset_search s WHERE ${where}
         ORDER BY s.rowid LIMIT ${RELEVANCE_WINDOW}
       ) r JOIN assets a ON a.sort_key = r.k AND a.deleted_at IS NULL
       ORDER BY r.score, r.k LIMIT @limit OFFSET @offset`
      : `SELECT a.* FROM asset_search s ${join} WHERE ${pageWhere} ORDER BY s.rowid LIMIT @limit OFFSET @offset`;
  // Counting walks every match through the virtual table (tens of nanoseconds each). With no word and no
  // filter but dates, the live sort_key index counts instead; "everything except X" is that count minus
  // the count of X.
  let countSql = `SELECT count(*) AS n FROM asset_search s WHERE ${where}`;
  if (c.must.length === 0) {
    const keyRange = [
      c.lower !== null ? ' AND sort_key >= @lower' : '',
      c.upper !== null ? ' AND sort_key < @upper' : '',
    ].join('');
    // INDEXED BY: left to itself the planner counts by scanning the table, ten times slower.
    const live = `(SELECT count(*) FROM assets INDEXED BY assets_live_by_sort_key WHERE deleted_at IS NULL${keyRange})`;
    if (c.mustNot.length === 0) countSql = `SELECT ${live} AS n`;
    else {
      params.notMatch = group([...dated, group(c.mustNot, 'OR')], 'AND');
      countSql = `SELECT ${live} - (SELECT count(*) FROM asset_search s WHERE ${['asset_search MATCH @notMatch', ...range].join(' AND ')}) AS n`;
    }
  }
  const idsSql = `SELECT a.id AS id, s.rowid AS k FROM asset_search s ${join}
       WHERE ${pageWhere} ORDER BY s.rowid LIMIT @limit`;
  return { match, pageSql, countSql, idsSql, params, ranked, keyset: !ranked && !best };
}

/**
 * Best first: highest score, then newest. Without words or filters the score index gives the order and
 * the page stops at its limit; a filtered search sorts its matches (a filter usually leaves few).
 */
function bestFirstSql(c: CompiledQuery, where: string, join: string): string {
  const order = 'ORDER BY a.score DESC, a.sort_key LIMIT @limit OFFSET @offset';
  if (c.must.length > 0 || c.mustNot.length > 0)
    return `SELECT a.* FROM asset_search s ${join} WHERE ${where} ${order}`;
  const range = [
    c.lower !== null ? ' AND a.sort_key >= @lower' : '',
    c.upper !== null ? ' AND a.sort_key < @upper' : '',
  ].join('');
  return `SELECT a.* FROM assets a INDEXED BY assets_by_score WHERE a.deleted_at IS NULL${range} ${order}`;
}
