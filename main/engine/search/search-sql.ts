// A parsed query (query.ts) compiled into SQL: one FTS5 MATCH expression over what an image is (its texts,
// attributes and flags), plus conditions on what the person filed it under (tags and collections, which
// live in link tables outside the index since migration 010).
//
// Every page is read newest first from a source that is already in that order, so it stops after the rows
// it needs instead of sorting every match:
// - the index (FTS5 yields rowids = sort keys in order), when the query has words or attribute filters;
// - a link list (`tag:x`, `collection:y`: each link row carries its image's sort key, indexed per tag and
//   per collection), when the query has no words but names a tag or a collection;
// - a merge of both, for a word that also names tags: "portrait" finds the images whose texts have the
//   word and the images tagged "portrait" (SQLite merges the ordered lists; nothing is sorted).
// Each candidate is joined to its live asset through the unique sort-key index, and the remaining
// conditions are checked on it. User text reaches SQL only as bound parameters, and FTS5 only inside
// quoted strings (ftsString); ids in the SQL text are integers read from the database.
import type { Filter, NameRef, ParsedQuery, RatingOp, TextTerm } from './query.ts';
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
  /** The FTS5 expression over the image index (also a bound parameter of the statements below). */
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

export type LinkKind = 'tag' | 'collection';

/** "Has one of these tags" (or collections); negated: "has none of them". */
export interface LinkCond {
  kind: LinkKind;
  ids: number[];
  negate: boolean;
}

/** A word that is also in tag names: its matches in the images' texts, or the images with those tags. */
export interface EitherTerm {
  match: string;
  tagIds: number[];
}

// Batch names are found only through `batch:`, tags through their own index: a plain word must not pull in
// a whole batch whose name happens to contain it ("teapot -red" against a batch called "red …").
const TEXT_COLUMNS = '{prompt negative actual notes}';
/**
 * Relevance scores (bm25) cost a few microseconds per match, so they are computed over the newest
 * RELEVANCE_WINDOW matches only: exact below that, "best of the most recent" above it. A word found in
 * 100k prompts has nearly the same score in all of them anyway.
 */
export const RELEVANCE_WINDOW = 5000;
/** A typed word expands to at most this many indexed words; beyond it FTS5's own prefix query is used. */
export const MAX_COMPLETIONS = 64;
/** bm25 column weights: the prompt counts most; the negative prompt least (tags and batch are empty). */
const BM25 = 'bm25(asset_search, 4.0, 0.5, 1.5, 0.0, 2.0, 0.0, 2.0, 0.0)';
const ALL = 'meta : all1';
const NEVER = 'meta : none0';
/** Beyond this many months a date bound walks the index instead of naming every month. */
const MAX_MONTH_TOKENS = 60;

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
  /** All must match in the image index… */
  must: string[];
  /** …and none of these. */
  mustNot: string[];
  /** Tags and collections the image must (or must not) be filed under. */
  links: LinkCond[];
  /** Words that are also in tag names: each must match the texts or name one of the image's tags. */
  either: EitherTerm[];
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
  return { must, mustNot, links, either, lower, upper, beforeMs, afterMs, texts, hasText };
}

function linkIds(f: Extract<Filter, { kind: 'tag' | 'collection' }>, resolve: QueryResolver): number[] {
  if (f.kind === 'collection') return resolve.collectionIds(f.ref);
  const id = resolve.tagId(f.name);
  return id === null ? [] : [id];
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

const LINK_TABLE: Record<LinkKind, { table: string; id: string }> = {
  tag: { table: 'asset_tags', id: 'tag_id' },
  collection: { table: 'collection_assets', id: 'collection_id' },
};

/**
 * Above this many links a list is not read whole into a condition: a look-up per candidate is cheaper
 * (a tag on nearly every image, just after "tag all").
 */
const KEY_LIST_MAX = 100_000;

interface Predicate {
  sql: string;
  /** Reads the candidate's assets row (`a`), not only its sort key. */
  perAsset: boolean;
}

/**
 * A link condition on a candidate: its sort key in the list (read once from the list's index, so counting
 * needs no assets row), or, for a list too long to read whole, a look-up of the candidate's links.
 */
function linkPredicate(l: LinkCond, key: string, size: number): Predicate {
  const t = LINK_TABLE[l.kind];
  const ids = l.ids.join(', ');
  if (size <= KEY_LIST_MAX)
    return {
      sql: `${key} ${l.negate ? 'NOT IN' : 'IN'} (SELECT sort_key FROM ${t.table} WHERE ${t.id} IN (${ids}))`,
      perAsset: false,
    };
  const exists = `EXISTS (SELECT 1 FROM ${t.table} l WHERE l.asset_id = a.id AND l.${t.id} IN (${ids}))`;
  return { sql: l.negate ? `NOT ${exists}` : exists, perAsset: true };
}

/**
 * Where a page's candidates come from, in sort-key order: `from` joins each to its live asset `a`, `where`
 * holds the source's own conditions, `key` is its sort-key column.
 */
interface Source {
  from: string;
  where: string[];
  key: string;
  /** The FTS5 table is `s` in it (bm25 can rank). */
  fts: boolean;
}

const LIVE = 'JOIN assets a ON a.sort_key = u.k AND a.deleted_at IS NULL';

/**
 * Ordered arms merged into one list of sort keys `u.k` (a UNION with ORDER BY: SQLite merges the arms'
 * own orders). Bounds are pushed into every arm so each seeks instead of walking.
 */
function mergedSource(arms: { sql: string; key: string }[], bounds: string[]): Source {
  const armSql = arms.map((arm) => {
    const where = bounds.map((b) => b.replaceAll('@key', arm.key));
    return `SELECT ${arm.key} AS k FROM ${arm.sql}${where.length ? ` AND ${where.join(' AND ')}` : ''}`;
  });
  return { from: `(${armSql.join(' UNION ')} ORDER BY 1) u ${LIVE}`, where: [], key: 'u.k', fts: false };
}

function linkArms(l: LinkCond): { sql: string; key: string }[] {
  const t = LINK_TABLE[l.kind];
  return l.ids.map((id) => ({ sql: `${t.table} WHERE ${t.id} = ${id}`, key: 'sort_key' }));
}

function eitherArms(e: EitherTerm, param: string): { sql: string; key: string }[] {
  return [
    { sql: `asset_search WHERE asset_search MATCH @${param}`, key: 'rowid' },
    ...linkArms({ kind: 'tag', ids: e.tagIds, negate: false }),
  ];
}

export function buildSearchSql(q: ParsedQuery, opts: SearchSqlOptions): SearchSql {
  const c = compileQuery(q, opts.resolve);
  const limit = Math.max(0, Math.floor(opts.limit ?? 200));
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  const ranked = opts.sort === 'relevance' && c.texts.length > 0;
  // A word that also names tags is not in the index's MATCH, so its scores come from a second look-up.
  const rankedByIndex = ranked && c.either.length === 0;
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
  c.either.forEach((e, i) => (params[`either${i}`] = e.match));
  const bounds: string[] = [];
  if (c.lower !== null) {
    bounds.push('@key >= @lower');
    params.lower = c.lower;
  }
  if (c.upper !== null) {
    bounds.push('@key < @upper');
    params.upper = c.upper;
  }

  // The source: the image index when it has something to look for (or to rank); else the shortest link
  // list the query names; else the first word that also names tags; else the whole index.
  const positive = c.links.filter((l) => !l.negate);
  const sizes = new Map<LinkCond, number>();
  const size = (l: LinkCond) => {
    if (!sizes.has(l)) sizes.set(l, opts.resolve.links(l.kind, l.ids));
    return sizes.get(l)!;
  };
  let driving: LinkCond | EitherTerm | null = null;
  if (c.must.length === 0 && !rankedByIndex) {
    if (positive.length > 0) {
      driving = positive.reduce((a, b) => (size(b) < size(a) ? b : a));
    } else if (c.either.length > 0) driving = c.either[0]!;
  }
  // The unary + keeps SQLite from handing `rowid IN (…)` to FTS5, which would seek each rowid by walking
  // its lists: the list is probed per candidate instead.
  const key = driving === null ? '+s.rowid' : 'u.k';
  const link = (l: LinkCond) => linkPredicate(l, key, size(l));
  const predicates: Predicate[] = [
    ...c.links.filter((l) => l !== driving).map(link),
    ...c.either.flatMap((e, i) => {
      if (e === driving) return [];
      const tagged = link({ kind: 'tag', ids: e.tagIds, negate: false });
      const sql = `(${key} IN (SELECT rowid FROM asset_search WHERE asset_search MATCH @either${i}) OR ${tagged.sql})`;
      return [{ sql, perAsset: tagged.perAsset }];
    }),
  ];
  const ftsSource = (m: string): Source => ({
    from: 'asset_search s JOIN assets a ON a.sort_key = s.rowid AND a.deleted_at IS NULL',
    where: [`asset_search MATCH @${m}`, ...bounds.map((b) => b.replaceAll('@key', 's.rowid'))],
    key: 's.rowid',
    fts: true,
  });
  let source: Source;
  let pageSource: Source;
  if (driving === null) {
    source = ftsSource('match');
    pageSource = ftsSource('pageMatch');
  } else {
    const arms =
      'kind' in driving ? linkArms(driving) : eitherArms(driving, `either${c.either.indexOf(driving)}`);
    source = mergedSource(arms, bounds);
    pageSource = mergedSource(arms, [...bounds, '@key > @after']);
    // Without the index as the source, what it must not match is checked on each candidate.
    if (c.mustNot.length > 0) {
      params.notMatch = group(c.mustNot, 'OR');
      predicates.push({
        sql: 'u.k NOT IN (SELECT rowid FROM asset_search WHERE asset_search MATCH @notMatch)',
        perAsset: false,
      });
    }
  }
  const preds = predicates.map((p) => p.sql);
  const whereOf = (s: Source, extra: string[] = []) => {
    const all = [...s.where, ...preds, ...extra];
    return all.length ? ` WHERE ${all.join(' AND ')}` : '';
  };
  const pageWhere = whereOf(pageSource, pageSource.fts ? ['s.rowid > @after'] : []);
  if (ranked && !rankedByIndex) params.rankMatch = group(c.texts, 'OR');
  const pageSql = best
    ? bestFirstSql(c, preds, source, whereOf(source))
    : ranked && !rankedByIndex
      ? `SELECT a.* FROM (
         SELECT a.sort_key AS k FROM ${source.from}${whereOf(source)} ORDER BY ${source.key} LIMIT ${RELEVANCE_WINDOW}
       ) m JOIN assets a ON a.sort_key = m.k AND a.deleted_at IS NULL
       LEFT JOIN (
         SELECT s.rowid AS k, ${BM25} AS score FROM asset_search s WHERE asset_search MATCH @rankMatch
         ORDER BY s.rowid LIMIT ${RELEVANCE_WINDOW}
       ) r ON r.k = m.k
       ORDER BY coalesce(r.score, 0), m.k LIMIT @limit OFFSET @offset`
      : ranked
        ? `SELECT a.* FROM (
         SELECT s.rowid AS k, ${BM25} AS score FROM ${source.from}${whereOf(source)}
         ORDER BY s.rowid LIMIT ${RELEVANCE_WINDOW}
       ) r JOIN assets a ON a.sort_key = r.k AND a.deleted_at IS NULL
       ORDER BY r.score, r.k LIMIT @limit OFFSET @offset`
        : `SELECT a.* FROM ${pageSource.from}${pageWhere} ORDER BY ${pageSource.key} LIMIT @limit OFFSET @offset`;
  const countSql = countSqlOf(c, {
    preds,
    perAsset: predicates.some((p) => p.perAsset),
    source,
    driving,
    dated,
    params,
  });
  const idsSql = `SELECT a.id AS id, ${pageSource.key} AS k FROM ${pageSource.from}${pageWhere}
       ORDER BY ${pageSource.key} LIMIT @limit`;
  return { match, pageSql, countSql, idsSql, params, ranked, keyset: !ranked && !best };
}

/**
 * How many match. Counting walks every match, so the cheapest walk is chosen: the index alone (tens of
 * nanoseconds a match) when nothing else is asked; the live sort-key index when nothing at all is; a link
 * list alone, minus its trashed images, when a tag or collection is the whole query; "everything except
 * X" as everything minus X.
 */
function countSqlOf(
  c: CompiledQuery,
  o: {
    preds: string[];
    perAsset: boolean;
    source: Source;
    driving: LinkCond | EitherTerm | null;
    dated: string[];
    params: Record<string, number | string | null>;
  },
): string {
  const keyRange = (col: string) =>
    [c.lower !== null ? ` AND ${col} >= @lower` : '', c.upper !== null ? ` AND ${col} < @upper` : ''].join(
      '',
    );
  // INDEXED BY: left to itself the planner counts by scanning the table, ten times slower.
  const live = `(SELECT count(*) FROM assets INDEXED BY assets_live_by_sort_key WHERE deleted_at IS NULL${keyRange('sort_key')})`;
  const ftsRange = keyRange('s.rowid');
  const alone = o.preds.length === 0 && c.either.length === 0;
  if (o.driving === null && alone) {
    if (c.must.length > 0)
      return `SELECT count(*) AS n FROM asset_search s WHERE asset_search MATCH @match${ftsRange}`;
    if (c.mustNot.length === 0) return `SELECT ${live} AS n`;
    o.params.notMatch = group([...o.dated, group(c.mustNot, 'OR')], 'AND');
    return `SELECT ${live} - (SELECT count(*) FROM asset_search s WHERE asset_search MATCH @notMatch${ftsRange}) AS n`;
  }
  const trashed = 'SELECT id FROM assets WHERE deleted_at IS NOT NULL';
  const linkCount = (l: LinkCond) => {
    const t = LINK_TABLE[l.kind];
    const ids = l.ids.join(', ');
    // One list is counted from its index; several are deduplicated by image.
    const what = l.ids.length === 1 ? 'count(*)' : 'count(DISTINCT asset_id)';
    return `(SELECT ${what} FROM ${t.table} WHERE ${t.id} IN (${ids})${keyRange('sort_key')} AND asset_id NOT IN (${trashed}))`;
  };
  // A tag or collection alone (`tag:x`, `-tag:x`).
  if (c.must.length === 0 && c.mustNot.length === 0 && c.either.length === 0 && c.links.length === 1) {
    const l = c.links[0]!;
    return l.negate
      ? `SELECT ${live} - ${linkCount({ ...l, negate: false })} AS n`
      : `SELECT ${linkCount(l)} AS n`;
  }
  const where = [...o.source.where, ...o.preds];
  // The index holds live images only, so with conditions on sort keys alone it counts without the assets.
  const from = o.driving === null && !o.perAsset ? 'asset_search s' : o.source.from;
  return `SELECT count(*) AS n FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
}

/**
 * Best first: highest score, then newest. Without words or filters the score index gives the order and
 * the page stops at its limit; a filtered search sorts its matches (a filter usually leaves few).
 */
function bestFirstSql(c: CompiledQuery, preds: string[], source: Source, where: string): string {
  const order = 'ORDER BY a.score DESC, a.sort_key LIMIT @limit OFFSET @offset';
  if (c.must.length > 0 || c.mustNot.length > 0 || preds.length > 0 || source.fts === false)
    return `SELECT a.* FROM ${source.from}${where} ${order}`;
  const range = [
    c.lower !== null ? ' AND a.sort_key >= @lower' : '',
    c.upper !== null ? ' AND a.sort_key < @upper' : '',
  ].join('');
  return `SELECT a.* FROM assets a INDEXED BY assets_by_score WHERE a.deleted_at IS NULL${range} ${order}`;
}
