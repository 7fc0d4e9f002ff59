// A parsed query (query.ts) resolved against the library and sorted into what answers each part: FTS5
// expressions over what an image is (its texts and attributes), conditions on what the person made of it
// (tags, collections, flags), words that also name tags, and the date bounds. search-sql.ts turns that into
// the statements.
import type { Filter, NameRef, ParsedQuery, RatingOp, TextTerm } from './query.ts';
import {
  expandableWord,
  formatToken,
  ftsString,
  isSingleCjkChar,
  modelToken,
  ratioToken,
  searchQueryPhrase,
} from './search-text.ts';

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
  /** Tags whose name matches an FTS5 expression over the tag-name index (columns `name`, `chars`). */
  tagsMatching(match: string): number[];
  /** How many images these tags or collections list (trashed ones included): the size of a link list. */
  links(kind: LinkKind, ids: readonly number[]): number;
  /** How many live images have this value of a flag (favorite or rejected 1, a rating 1–5). */
  flagged(column: FlagCond['column'], value: number): number;
}

export type LinkKind = 'tag' | 'collection';

/** "Has one of these tags" (or collections); negated: "has none of them". */
export interface LinkCond {
  kind: LinkKind;
  ids: number[];
  negate: boolean;
}

/** A condition on the image's own flags, read from its assets row: the values of the column it admits. */
export interface FlagCond {
  column: 'favorite' | 'rejected' | 'rating';
  values: number[];
}

/** A word that is also in tag names: its matches in the images' texts, or the images with those tags. */
export interface EitherTerm {
  match: string;
  tagIds: number[];
}

// Batch names are found only through `batch:`, tags through their own index: a plain word must not pull in
// a whole batch whose name happens to contain it ("teapot -red" against a batch called "red …").
const TEXT_COLUMNS = '{prompt negative actual notes}';
/** A typed word expands to at most this many indexed words; beyond it FTS5's own prefix query is used. */
export const MAX_COMPLETIONS = 64;
export const ALL = 'meta : all1';
export const NEVER = 'meta : none0';

/** One typed word or phrase as an FTS5 expression body, and whether it reads the CJK `chars` column. */
function termBody(t: TextTerm, resolve: QueryResolver): { body: string; chars: boolean } | null {
  if (!t.phrase && isSingleCjkChar(t.text))
    return { body: ftsString(t.text.normalize('NFKC').trim()), chars: true };
  if (!t.phrase) {
    const word = expandableWord(t.text);
    const words = word === null ? null : resolve.completions(word, MAX_COMPLETIONS);
    if (words && words.length > 0) {
      const any = words.map(ftsString);
      return { body: any.length === 1 ? any[0]! : `(${any.join(' OR ')})`, chars: false };
    }
  }
  const phrase = searchQueryPhrase(t.text, { prefix: !t.phrase });
  return phrase ? { body: phrase, chars: false } : null;
}

interface TermExprs {
  /** Over the images' index. */
  images: string;
  /** The tags whose name has the word. */
  tagIds: number[];
}

function termExprs(t: TextTerm, resolve: QueryResolver): TermExprs | null {
  const b = termBody(t, resolve);
  if (!b) return null;
  return {
    images: `${b.chars ? 'chars' : TEXT_COLUMNS} : ${b.body}`,
    tagIds: resolve.tagsMatching(`${b.chars ? 'chars' : 'name'} : ${b.body}`),
  };
}

export function metaAny(tokens: string[]): string {
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

export const MAX_SECONDS = 2 ** 33 - 1;
/**
 * The first sort key of images made before second `s` (migration 002: seconds are inverted in the high
 * bits, so older images have larger keys). `created_at < t` ⇔ `sort_key >= boundary(ceil(t))`, and
 * `created_at >= t` ⇔ `sort_key < boundary(floor(t))`, to the second.
 */
function boundary(seconds: number): number {
  return (MAX_SECONDS - Math.max(0, Math.min(MAX_SECONDS, seconds)) + 1) * 2 ** 20;
}

export interface CompiledQuery {
  /** All must match in the image index… */
  must: string[];
  /** …and none of these. */
  mustNot: string[];
  /** Tags and collections the image must (or must not) be filed under. */
  links: LinkCond[];
  /** Words that are also in tag names: each must match the texts or name one of the image's tags. */
  either: EitherTerm[];
  /** Favorite, rejected, rating. */
  flags: FlagCond[];
  /** sort_key bounds: `>= lower` (from before:) and `< upper` (from after:). */
  lower: number | null;
  upper: number | null;
  /** The same bounds as times: created_at < beforeMs, created_at >= afterMs. */
  beforeMs: number | null;
  afterMs: number | null;
  /** The words among `must`, and the words of `either`: what relevance ranks by. */
  texts: string[];
  /** Words among `must`: the index alone can rank. */
  hasText: boolean;
}

export function compileQuery(q: ParsedQuery, resolve: QueryResolver): CompiledQuery {
  const must: string[] = [];
  const mustNot: string[] = [];
  const links: LinkCond[] = [];
  const either: EitherTerm[] = [];
  const flags: FlagCond[] = [];
  const texts: string[] = [];
  let hasText = false;
  for (const t of q.terms) {
    const e = termExprs(t, resolve);
    if (!e) continue;
    texts.push(e.images);
    if (e.tagIds.length > 0) either.push({ match: e.images, tagIds: e.tagIds });
    else {
      must.push(e.images);
      hasText = true;
    }
  }
  for (const t of q.excluded) {
    const e = termExprs(t, resolve);
    if (!e) continue;
    mustNot.push(e.images);
    if (e.tagIds.length > 0) links.push({ kind: 'tag', ids: e.tagIds, negate: true });
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
        const ids = linkIds(f, resolve);
        if (ids.length > 0) links.push({ kind: f.kind, ids, negate: f.negate });
        else if (!f.negate) must.push(NEVER);
        continue;
      }
      case 'favorite':
      case 'rejected':
        flags.push({ column: f.kind, values: [f.negate ? 0 : 1] });
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
  if (ratings.length === 0) must.push(NEVER);
  else if (ratings.length < 6) flags.push({ column: 'rating', values: ratings });
  return { must, mustNot, links, either, flags, lower, upper, beforeMs, afterMs, texts, hasText };
}

function linkIds(f: Extract<Filter, { kind: 'tag' | 'collection' }>, resolve: QueryResolver): number[] {
  if (f.kind === 'collection') return resolve.collectionIds(f.ref);
  const id = resolve.tagId(f.name);
  return id === null ? [] : [id];
}
