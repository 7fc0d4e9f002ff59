// A parsed query (query.ts) compiled into SQL: one FTS5 MATCH expression over what an image is (its texts
// and attributes), plus conditions on what the person made of it — tags and collections (link tables) and
// favorite, reject and rating (the image's own columns), outside the index since migration 010.
//
// Every page is read newest first from a source that is already in that order, so it stops after the rows
// it needs instead of sorting every match:
// - the index (FTS5 yields rowids = sort keys in order), when the query has words or attribute filters;
// - a link list (`tag:x`, `collection:y`: each link row carries its image's sort key, indexed per tag and
//   per collection), when the query has no words but names a tag or a collection;
// - a flag's partial index (`fav`, `rejected`, `rating>=4`), when it has neither;
// - a merge of both, for a word that also names tags: "portrait" finds the images whose texts have the
//   word and the images tagged "portrait" (SQLite merges the ordered lists; nothing is sorted).
// Each candidate is joined to its live asset through the unique sort-key index, and the remaining
// conditions are checked on it. User text reaches SQL only as bound parameters, and FTS5 only inside
// quoted strings (ftsString); ids in the SQL text are integers read from the database.
import {
  ALL,
  compileQuery,
  MAX_SECONDS,
  metaAny,
  NEVER,
  type CompiledQuery,
  type EitherTerm,
  type FlagCond,
  type LinkCond,
  type LinkKind,
  type QueryResolver,
} from './search-compile.ts';
import type { ParsedQuery } from './query.ts';
import { monthToken } from './search-text.ts';

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

/**
 * Relevance scores (bm25) cost a few microseconds per match, so they are computed over the newest
 * RELEVANCE_WINDOW matches only: exact below that, "best of the most recent" above it. A word found in
 * 100k prompts has nearly the same score in all of them anyway.
 */
export const RELEVANCE_WINDOW = 5000;
/** bm25 column weights: the prompt counts most; the negative prompt least (tags and batch are empty). */
const BM25 = 'bm25(asset_search, 4.0, 0.5, 1.5, 0.0, 2.0, 0.0, 2.0, 0.0)';
/** Beyond this many months a date bound walks the index instead of naming every month. */
const MAX_MONTH_TOKENS = 60;

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

/** The sort-key bounds of the query's dates (bound as @lower and @upper), on the column `col`. */
function keyRange(c: CompiledQuery, col: string): string[] {
  return [
    ...(c.lower !== null ? [`${col} >= @lower`] : []),
    ...(c.upper !== null ? [`${col} < @upper`] : []),
  ];
}

/** The same, each condition led by AND (to follow a WHERE). */
function andKeyRange(c: CompiledQuery, col: string): string {
  return keyRange(c, col)
    .map((cond) => ` AND ${cond}`)
    .join('');
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

/** The partial index that lists a flag's sparse side newest first (favorites, rejects, a rating). */
export function flagArmSql(column: FlagCond['column'], value: number): string {
  if (column === 'rating')
    return `assets INDEXED BY assets_by_rating WHERE rating = ${value} AND deleted_at IS NULL`;
  return `assets INDEXED BY assets_${column === 'favorite' ? 'favorites' : 'rejected'} WHERE ${column} = 1 AND deleted_at IS NULL`;
}

/** Whether a flag condition admits few enough images for its index to be the source (not "-fav", "rating<3"). */
function sparseFlag(f: FlagCond): boolean {
  return f.column === 'rating' ? !f.values.includes(0) : f.values[0] === 1;
}

/** The values of a flag's partial indexes that decide it: those it admits, or those it leaves out (negate). */
function sparseSide(f: FlagCond): { values: number[]; negate: boolean } {
  if (sparseFlag(f)) return { values: f.values, negate: false };
  const values = f.column === 'rating' ? [1, 2, 3, 4, 5].filter((v) => !f.values.includes(v)) : [1];
  return { values, negate: true };
}

/**
 * Counting reads a flag's lists whole when they are shorter than this: a count checks every candidate, and
 * probing a list beats reading each candidate's assets row. A page stops after its rows, so it checks the
 * row instead (flagPredicate without a resolver).
 */
const FLAG_LIST_MAX = 400_000;

/** A flag condition on a candidate: by sort key against its partial indexes when they are short enough. */
function flagPredicate(f: FlagCond, key: string, resolve: QueryResolver | null): Predicate {
  const side = sparseSide(f);
  const size = resolve ? side.values.reduce((n, v) => n + resolve.flagged(f.column, v), 0) : Infinity;
  // The unary + keeps the planner on the source's order instead of the flag's index and a sort.
  if (size > FLAG_LIST_MAX) return { sql: `+a.${f.column} IN (${f.values.join(', ')})`, perAsset: true };
  const lists = side.values.map((v) => `SELECT sort_key FROM ${flagArmSql(f.column, v)}`).join(' UNION ALL ');
  return { sql: `${key} ${side.negate ? 'NOT IN' : 'IN'} (${lists})`, perAsset: false };
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
  if (c.lower !== null) params.lower = c.lower;
  if (c.upper !== null) params.upper = c.upper;
  const bounds = keyRange(c, '@key');

  // The source: the image index when it has something to look for (or to rank); else the shortest link
  // list the query names; else the first word that also names tags; else the whole index.
  const positive = c.links.filter((l) => !l.negate);
  const sizes = new Map<LinkCond, number>();
  const size = (l: LinkCond) => {
    if (!sizes.has(l)) sizes.set(l, opts.resolve.links(l.kind, l.ids));
    return sizes.get(l)!;
  };
  let driving: LinkCond | EitherTerm | FlagCond | null = null;
  if (c.must.length === 0 && !rankedByIndex) {
    if (positive.length > 0) {
      driving = positive.reduce((a, b) => (size(b) < size(a) ? b : a));
    } else if (c.either.length > 0) driving = c.either[0]!;
    else driving = c.flags.find(sparseFlag) ?? null;
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
  const flagged = c.flags.filter((f) => f !== driving);
  // Pages check each candidate's flags on its row; counts probe the flags' lists (see FLAG_LIST_MAX).
  const shared = [...predicates];
  predicates.push(...flagged.map((f) => flagPredicate(f, key, null)));
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
      'ids' in driving
        ? linkArms(driving)
        : 'column' in driving
          ? driving.values.map((v) => ({ sql: flagArmSql((driving as FlagCond).column, v), key: 'sort_key' }))
          : eitherArms(driving, `either${c.either.indexOf(driving)}`);
    source = mergedSource(arms, bounds);
    pageSource = mergedSource(arms, [...bounds, '@key > @after']);
    // Without the index as the source, what it must not match is checked on each candidate.
    if (c.mustNot.length > 0) {
      params.notMatch = group(c.mustNot, 'OR');
      const notMatched = {
        sql: 'u.k NOT IN (SELECT rowid FROM asset_search WHERE asset_search MATCH @notMatch)',
        perAsset: false,
      };
      predicates.push(notMatched);
      shared.push(notMatched);
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
  const idsSql = `SELECT a.id AS id, ${pageSource.key} AS k FROM ${pageSource.from}${pageWhere}
       ORDER BY ${pageSource.key} LIMIT @limit`;
  return {
    match,
    pageSql,
    // Built when asked for: sizing the flags' lists costs index reads a page without a total need not pay.
    get countSql() {
      const countPredicates = [...shared, ...flagged.map((f) => flagPredicate(f, key, opts.resolve))];
      return countSqlOf(c, {
        preds: countPredicates.map((p) => p.sql),
        perAsset: countPredicates.some((p) => p.perAsset),
        source,
        driving,
        dated,
        params,
      });
    },
    idsSql,
    params,
    ranked,
    keyset: !ranked && !best,
  };
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
    driving: LinkCond | EitherTerm | FlagCond | null;
    dated: string[];
    params: Record<string, number | string | null>;
  },
): string {
  // INDEXED BY: left to itself the planner counts by scanning the table, ten times slower.
  const live = `(SELECT count(*) FROM assets INDEXED BY assets_live_by_sort_key WHERE deleted_at IS NULL${andKeyRange(c, 'sort_key')})`;
  const ftsRange = andKeyRange(c, 's.rowid');
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
    return `(SELECT ${what} FROM ${t.table} WHERE ${t.id} IN (${ids})${andKeyRange(c, 'sort_key')} AND asset_id NOT IN (${trashed}))`;
  };
  const onlyThese = c.must.length === 0 && c.mustNot.length === 0 && c.either.length === 0;
  // A flag alone (`fav`, `-rejected`, `rating>=4`), counted from its partial index (the sparse side).
  if (onlyThese && c.links.length === 0 && c.flags.length === 1) {
    const side = sparseSide(c.flags[0]!);
    const counted = side.values
      .map((v) => `(SELECT count(*) FROM ${flagArmSql(c.flags[0]!.column, v)}${andKeyRange(c, 'sort_key')})`)
      .join(' + ');
    return side.negate ? `SELECT ${live} - (${counted}) AS n` : `SELECT ${counted} AS n`;
  }
  // A tag or collection alone (`tag:x`, `-tag:x`).
  if (onlyThese && c.flags.length === 0 && c.links.length === 1) {
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
  const range = andKeyRange(c, 'a.sort_key');
  return `SELECT a.* FROM assets a INDEXED BY assets_by_score WHERE a.deleted_at IS NULL${range} ${order}`;
}
