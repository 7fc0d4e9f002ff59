// The library over one data folder: search, organisation (favorites, ratings, tags, collections, saved
// searches), trash with undo, duplicates and disk usage. The search index follows every write through the
// triggers of migration 002, so nothing here maintains it by hand.
import { existsSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { AssetRow } from '../../../shared/domain.ts';
import type {
  CollectionInfo,
  DuplicateGroup,
  SavedSearch,
  TagInfo,
  TrashReceipt,
  UndoReport,
  UsageRow,
} from '../../../shared/library.ts';
import { dbQueryResolver, toAssetRow, type AssetDbRow } from '../store/assets.ts';
import type { DB } from '../store/db.ts';
import { normalizeName, parseQuery, type ParsedQuery } from '../search/query.ts';
import type { QueryResolver } from '../search/search-compile.ts';
import { buildSearchSql, type SortOrder } from '../search/search-sql.ts';
import { exists, moveFile, moveToTrashFolder, type FileMover } from './trash.ts';
import { applyChange, applyChanges, type BulkChange } from './bulk-write.ts';
import { StudioError } from '../errors.ts';
import { SEARCH_LIMIT_MAX } from '../../../shared/library.ts';

/** Which assets a bulk action applies to: ids, or everything a query matches ("all N matching"). */
export type Selection = readonly number[] | { query: string };

/** What a bulk action changes; everything absent is left alone. */
export interface BulkUpdate {
  favorite?: boolean;
  rating?: number;
  rejected?: boolean;
  notes?: string | null;
  addTags?: readonly string[];
  removeTags?: readonly string[];
  addToCollection?: number;
  removeFromCollection?: number;
}

export interface SearchOptions {
  sort?: SortOrder;
  offset?: number;
  limit?: number;
  /** Keyset paging (newest first): the previous page's `next`. Cheaper than a deep offset. */
  after?: number | null;
  /** Count every match too (default true). */
  count?: boolean;
}

export interface SearchResult {
  /** Every match, for "all N matching"; null when not asked for. */
  total: number | null;
  rows: AssetRow[];
  /** Pass as `after` for the next page; null on the last page or when sorted by relevance or score. */
  next: number | null;
  warnings: string[];
}

export interface LibraryAsset extends AssetRow {
  tags: string[];
  collections: { id: number; name: string }[];
}

type MoveState = 'moved' | 'gone' | 'kept' | 'missing';
interface Move {
  from: string;
  to: string | null;
  state: MoveState;
  error?: string;
}

const CHUNK = 5000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export type { CollectionInfo, DuplicateGroup, SavedSearch, TagInfo, TrashReceipt, UndoReport, UsageRow };

/**
 * Tags with the images that carry them now: `tags.uses` counts every link (kept by triggers), so the links
 * of images in the trash are taken off — found through the small index of trashed images, not a scan.
 */
const LIVE_TAGS = `WITH trashed AS (
    SELECT x.tag_id, count(*) AS n FROM assets a JOIN asset_tags x ON x.asset_id = a.id
    WHERE a.deleted_at IS NOT NULL GROUP BY x.tag_id
  ), live_tags AS (
    SELECT t.id, t.name, t.uses - coalesce(tr.n, 0) AS uses FROM tags t LEFT JOIN trashed tr ON tr.tag_id = t.id
    WHERE t.uses - coalesce(tr.n, 0) > 0
  )`;

/** A trash whose images are hidden and whose files are still to move (Library.planTrash). */
export interface TrashPlan {
  op: number;
  moves: Move[];
  /** For each move, the place in `live` of the image it goes with. */
  rowOf: number[];
  /** The images, in the order their files move. */
  live: { id: number; path: string; thumb_path: string | null }[];
}

/** How a trash reports and stops (Library.trash). */
export interface TrashRun {
  signal?: AbortSignal;
  /** Images whose files have been gone through, of all. */
  onProgress?: (done: number, total: number) => void;
  /** Awaited before each image's files move (tests hold a trash half way with it). */
  beforeImage?: (done: number) => Promise<void>;
}

export interface LibraryOptions {
  now?: () => number;
}

export class Library {
  readonly db: DB;
  readonly dataDir: string;
  private readonly now: () => number;
  private readonly resolver: QueryResolver;

  constructor(db: DB, dataDir: string, opts: LibraryOptions = {}) {
    this.db = db;
    this.dataDir = dataDir;
    this.now = opts.now ?? Date.now;
    this.resolver = dbQueryResolver(db);
  }

  // ── search ─────────────────────────────────────────────────────────────────────────────────────────

  parse(text: string): ParsedQuery {
    return parseQuery(text, { now: this.now() });
  }

  search(text: string, opts: SearchOptions = {}): SearchResult {
    const q = this.parse(text);
    // The front doors refuse more than SEARCH_LIMIT_MAX (services/library.ts); one more row says "has more".
    const limit = Math.min(Math.max(0, opts.limit ?? 200), SEARCH_LIMIT_MAX + 1);
    const sql = buildSearchSql(q, {
      sort: opts.sort ?? 'newest',
      offset: opts.offset ?? 0,
      limit,
      after: opts.after ?? null,
      resolve: this.resolver,
    });
    const rows = (this.db.prepare(sql.pageSql).all(sql.params) as AssetDbRow[]).map(toAssetRow);
    const total =
      opts.count === false ? null : (this.db.prepare(sql.countSql).pluck().get(sql.params) as number);
    const next = sql.keyset && rows.length === limit && limit > 0 ? (rows.at(-1)!.sortKey ?? null) : null;
    return { total, rows, next, warnings: q.warnings };
  }

  count(text: string): number {
    const sql = buildSearchSql(this.parse(text), { resolve: this.resolver });
    return this.db.prepare(sql.countSql).pluck().get(sql.params) as number;
  }

  /**
   * Every matching id, newest first, fetched in keyset chunks: no statement stays open between chunks, so
   * the caller may write to the database while iterating.
   */
  *ids(text: string, chunk = CHUNK): Generator<number, void, undefined> {
    const q = this.parse(text);
    let after: number | null = null;
    for (;;) {
      const sql = buildSearchSql(q, { resolve: this.resolver, after, limit: chunk });
      const rows = this.db.prepare(sql.idsSql).all(sql.params) as { id: number; k: number }[];
      for (const r of rows) yield r.id;
      if (rows.length < chunk) return;
      after = rows.at(-1)!.k;
    }
  }

  /** The ids of a selection still in the library (not trashed since the person selected them), in order. */
  liveIds(sel: Selection): number[] {
    const ids = this.resolve(sel);
    if (!Array.isArray(sel)) return ids;
    const live = new Set<number>();
    const stmt = this.db
      .prepare('SELECT id FROM assets WHERE id IN (SELECT value FROM json_each(@ids)) AND deleted_at IS NULL')
      .pluck();
    for (const c of chunks(ids))
      for (const id of stmt.all({ ids: JSON.stringify(c) }) as number[]) live.add(id);
    return ids.filter((id) => live.has(id));
  }

  /** A selection as ids (a query is resolved now, so later writes do not change what it covers). */
  resolve(sel: Selection): number[] {
    if (Array.isArray(sel)) return [...new Set(sel as number[])];
    return [...this.ids((sel as { query: string }).query)];
  }

  get(id: number): LibraryAsset | null {
    const row = this.db.prepare('SELECT * FROM assets WHERE id = ?').get(id) as AssetDbRow | undefined;
    if (!row) return null;
    const tags = this.db
      .prepare(
        'SELECT t.name FROM asset_tags x JOIN tags t ON t.id = x.tag_id WHERE x.asset_id = ? ORDER BY t.name',
      )
      .pluck()
      .all(id) as string[];
    const collections = this.db
      .prepare(
        `SELECT c.id, c.name FROM collection_assets ca JOIN collections c ON c.id = ca.collection_id
         WHERE ca.asset_id = ? ORDER BY c.name`,
      )
      .all(id) as { id: number; name: string }[];
    return { ...toAssetRow(row), tags, collections };
  }

  // ── flags ──────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The changes an update makes, checked (a rating is 0–5, a tag at most 100 characters, the collection
   * exists) and with the tags it adds created, so they can be applied chunk by chunk.
   */
  changesFor(u: BulkUpdate): BulkChange[] {
    const out: BulkChange[] = [];
    if (u.favorite !== undefined) out.push({ kind: 'flag', column: 'favorite', value: u.favorite ? 1 : 0 });
    if (u.rating !== undefined) {
      if (!Number.isInteger(u.rating) || u.rating < 0 || u.rating > 5) {
        throw new StudioError(
          'INVALID_INPUT',
          `A rating is a whole number from 0 to 5 (0 clears it); got ${u.rating}.`,
        );
      }
      out.push({ kind: 'flag', column: 'rating', value: u.rating });
    }
    if (u.rejected !== undefined) out.push({ kind: 'flag', column: 'rejected', value: u.rejected ? 1 : 0 });
    if (u.notes !== undefined) out.push({ kind: 'notes', value: u.notes?.trim() ? u.notes.trim() : null });
    if (u.addTags?.length) {
      const ensure = this.db.prepare(
        'INSERT INTO tags (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
      );
      const idOf = this.db.prepare('SELECT id FROM tags WHERE name = ?').pluck();
      for (const name of this.tagNames(u.addTags)) {
        ensure.run(name, this.now());
        out.push({ kind: 'addTag', tagId: idOf.get(name) as number });
      }
    }
    if (u.removeTags?.length) {
      const idOf = this.db.prepare('SELECT id FROM tags WHERE name = ?').pluck();
      for (const name of this.tagNames(u.removeTags)) {
        const tagId = idOf.get(name) as number | undefined;
        if (tagId !== undefined) out.push({ kind: 'removeTag', tagId });
      }
    }
    for (const [id, add] of [
      [u.addToCollection, true],
      [u.removeFromCollection, false],
    ] as const) {
      if (id === undefined) continue;
      if (!this.db.prepare('SELECT 1 FROM collections WHERE id = ?').get(id)) {
        throw new StudioError('NOT_FOUND', `Collection #${id} does not exist.`);
      }
      out.push(
        add
          ? { kind: 'addToCollection', collectionId: id, at: this.now() }
          : { kind: 'removeFromCollection', collectionId: id },
      );
    }
    return out;
  }

  /** Applies checked changes (changesFor) to these images in one transaction; returns how many changed. */
  applyChanges(ids: readonly number[], changes: readonly BulkChange[]): number {
    return changes.length === 0 ? 0 : applyChanges(this.db, ids, changes);
  }

  /** Applies an update to a selection in one transaction; returns how many rows or links changed. */
  update(sel: Selection, u: BulkUpdate): number {
    const changes = this.changesFor(u);
    return changes.length === 0 ? 0 : this.applyChanges(this.resolve(sel), changes);
  }

  /** Returns how many images changed. */
  setFavorite(sel: Selection, value: boolean): number {
    return this.update(sel, { favorite: value });
  }

  setRating(sel: Selection, rating: number): number {
    return this.update(sel, { rating });
  }

  setRejected(sel: Selection, value: boolean): number {
    return this.update(sel, { rejected: value });
  }

  setNotes(sel: Selection, notes: string | null): number {
    return this.update(sel, { notes });
  }

  // ── tags ───────────────────────────────────────────────────────────────────────────────────────────

  private tagNames(names: readonly string[]): string[] {
    const seen = new Map<string, string>();
    for (const raw of names) {
      const name = normalizeName(raw);
      if (!name) continue;
      if (name.length > 100)
        throw new StudioError('INVALID_INPUT', `Tag "${name.slice(0, 40)}…" is longer than 100 characters.`);
      if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
    }
    return [...seen.values()];
  }

  /** Returns how many tag links were added. */
  addTags(sel: Selection, names: readonly string[]): number {
    return this.update(sel, { addTags: names });
  }

  /** Returns how many tag links were removed. */
  removeTags(sel: Selection, names: readonly string[]): number {
    return this.update(sel, { removeTags: names });
  }

  /** Autocomplete: tags starting with the text, then tags containing it, most used first. */
  tagSuggestions(prefix: string, limit = 10): TagInfo[] {
    const p = normalizeName(prefix).replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.db
      .prepare(
        `${LIVE_TAGS} SELECT id, name, uses FROM (
           SELECT id, name, uses, 0 AS pass FROM live_tags WHERE name LIKE @p || '%' ESCAPE '\\'
           UNION ALL
           SELECT id, name, uses, 1 FROM live_tags WHERE name LIKE '%' || @p || '%' ESCAPE '\\'
             AND name NOT LIKE @p || '%' ESCAPE '\\'
         ) ORDER BY pass, uses DESC, name LIMIT @limit`,
      )
      .all({ p, limit }) as TagInfo[];
  }

  tags(): TagInfo[] {
    return this.db
      .prepare(`${LIVE_TAGS} SELECT id, name, uses FROM live_tags ORDER BY name`)
      .all() as TagInfo[];
  }

  renameTag(from: string, to: string): void {
    const name = normalizeName(to);
    if (!name) throw new StudioError('INVALID_INPUT', 'A tag name cannot be empty.');
    const clash = this.db
      .prepare('SELECT name FROM tags WHERE name = ? AND name <> ? COLLATE NOCASE')
      .pluck()
      .get(name, from);
    if (clash)
      throw new StudioError(
        'ALREADY_EXISTS',
        `A tag "${String(clash)}" already exists; remove one of them first.`,
      );
    const res = this.db.prepare('UPDATE tags SET name = ? WHERE name = ?').run(name, normalizeName(from));
    if (res.changes === 0) throw new StudioError('NOT_FOUND', `There is no tag "${from}".`);
  }

  deleteTag(name: string): boolean {
    return this.db.prepare('DELETE FROM tags WHERE name = ?').run(normalizeName(name)).changes > 0;
  }

  // ── collections ────────────────────────────────────────────────────────────────────────────────────

  collections(): CollectionInfo[] {
    return this.db
      .prepare(
        `SELECT c.id, c.name, c.created_at AS createdAt,
           (SELECT count(*) FROM collection_assets ca JOIN assets a ON a.id = ca.asset_id
             WHERE ca.collection_id = c.id AND a.deleted_at IS NULL) AS count
         FROM collections c ORDER BY c.name`,
      )
      .all() as CollectionInfo[];
  }

  createCollection(name: string): number {
    const n = normalizeName(name);
    if (!n) throw new StudioError('INVALID_INPUT', 'A collection needs a name.');
    const existing = this.db.prepare('SELECT name FROM collections WHERE name = ?').pluck().get(n);
    if (existing)
      throw new StudioError('ALREADY_EXISTS', `A collection named "${String(existing)}" already exists.`);
    return Number(
      this.db.prepare('INSERT INTO collections (name, created_at) VALUES (?, ?)').run(n, this.now())
        .lastInsertRowid,
    );
  }

  renameCollection(id: number, name: string): void {
    const n = normalizeName(name);
    if (!n) throw new StudioError('INVALID_INPUT', 'A collection needs a name.');
    const clash = this.db
      .prepare('SELECT name FROM collections WHERE name = ? AND id <> ?')
      .pluck()
      .get(n, id);
    if (clash)
      throw new StudioError('ALREADY_EXISTS', `A collection named "${String(clash)}" already exists.`);
    if (this.db.prepare('UPDATE collections SET name = ? WHERE id = ?').run(n, id).changes === 0) {
      throw new StudioError('NOT_FOUND', `Collection #${id} does not exist.`);
    }
  }

  /** Deletes the collection, not its images. */
  deleteCollection(id: number): boolean {
    return this.db.prepare('DELETE FROM collections WHERE id = ?').run(id).changes > 0;
  }

  addToCollection(id: number, sel: Selection): number {
    return this.update(sel, { addToCollection: id });
  }

  removeFromCollection(id: number, sel: Selection): number {
    return this.update(sel, { removeFromCollection: id });
  }

  // ── saved searches ─────────────────────────────────────────────────────────────────────────────────

  savedSearches(): SavedSearch[] {
    return this.db
      .prepare(
        'SELECT id, name, query, created_at AS createdAt, updated_at AS updatedAt FROM saved_searches ORDER BY name',
      )
      .all() as SavedSearch[];
  }

  /** Saves under a name; saving an existing name replaces its query. */
  saveSearch(name: string, query: string): SavedSearch {
    const n = normalizeName(name);
    if (!n) throw new StudioError('INVALID_INPUT', 'A saved search needs a name.');
    const now = this.now();
    return this.db
      .prepare(
        `INSERT INTO saved_searches (name, query, created_at, updated_at) VALUES (@n, @q, @now, @now)
         ON CONFLICT (name) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at
         RETURNING id, name, query, created_at AS createdAt, updated_at AS updatedAt`,
      )
      .get({ n, q: query.trim(), now }) as SavedSearch;
  }

  renameSavedSearch(id: number, name: string): void {
    const n = normalizeName(name);
    if (!n) throw new StudioError('INVALID_INPUT', 'A saved search needs a name.');
    const clash = this.db
      .prepare('SELECT name FROM saved_searches WHERE name = ? AND id <> ?')
      .pluck()
      .get(n, id);
    if (clash)
      throw new StudioError('ALREADY_EXISTS', `A saved search named "${String(clash)}" already exists.`);
    this.db.prepare('UPDATE saved_searches SET name = ?, updated_at = ? WHERE id = ?').run(n, this.now(), id);
  }

  deleteSavedSearch(id: number): boolean {
    return this.db.prepare('DELETE FROM saved_searches WHERE id = ?').run(id).changes > 0;
  }

  // ── trash ──────────────────────────────────────────────────────────────────────────────────────────

  trashDir(op: number): string {
    return join(this.dataDir, 'trash', String(op));
  }

  /**
   * Moves the images to the trash: their rows are hidden from every search at once, then each file that no
   * other image uses is handed to `mover` (default: `<data-dir>/trash/<op>/`), image by image, saying how
   * far it has got. A cancel stops between two images: the images whose files had not left come back, the
   * rest stay one trash action with its undo token.
   */
  async trash(
    sel: Selection,
    mover: FileMover = moveToTrashFolder,
    run: TrashRun = {},
  ): Promise<TrashReceipt> {
    const plan = this.planTrash(sel);
    return plan ? this.moveTrashed(plan, mover, run) : { token: 0, assets: 0, files: 0, failed: [] };
  }

  /**
   * The first half of a trash: hides the images from every search and records the action with the moves
   * its files will make. Null when none of them is still in the library.
   */
  planTrash(sel: Selection): TrashPlan | null {
    const ids = this.resolve(sel);
    const at = this.now();
    return this.db
      .transaction(() => {
        const live: { id: number; path: string; thumb_path: string | null }[] = [];
        const pick = this.db.prepare(
          'SELECT id, path, thumb_path FROM assets WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL',
        );
        for (const c of chunks(ids)) live.push(...(pick.all(JSON.stringify(c)) as typeof live));
        if (live.length === 0) return null;
        // In the selection's order (a search's: newest first), so a cancel stops where the person sees it.
        const place = new Map(ids.map((id, i) => [id, i]));
        live.sort((a, b) => place.get(a.id)! - place.get(b.id)!);
        const chosen = new Set(live.map((r) => r.id));
        // A file shared with an image that stays (the downloader reuses identical bytes) stays too.
        const users = this.db.prepare('SELECT id FROM assets WHERE path = ? AND deleted_at IS NULL').pluck();
        // Each file is moved with the first image that has it (rowOf: that image's place in `live`).
        const files = new Map<string, number>();
        live.forEach((r, row) => {
          if (!files.has(r.path) && (users.all(r.path) as number[]).every((id) => chosen.has(id)))
            files.set(r.path, row);
          if (r.thumb_path && !files.has(r.thumb_path)) files.set(r.thumb_path, row);
        });
        const op = Number(
          this.db
            .prepare('INSERT INTO trash_ops (at, asset_ids_json, moved_json) VALUES (?, ?, ?)')
            .run(at, JSON.stringify(live.map((r) => r.id)), '[]').lastInsertRowid,
        );
        const dir = this.trashDir(op);
        const moves: Move[] = [...files.keys()].map((from, i) => ({
          from,
          to: join(dir, `${i}-${basename(from)}`),
          state: 'kept',
        }));
        this.db.prepare('UPDATE trash_ops SET moved_json = ? WHERE id = ?').run(JSON.stringify(moves), op);
        for (const c of chunks(live.map((r) => r.id))) applyChange(this.db, c, { kind: 'trash', at });
        return { op, moves, rowOf: [...files.values()], live };
      })
      .immediate();
  }

  /** The second half of a trash: moves the files of a planned one (see trash()). */
  async moveTrashed(
    plan: TrashPlan,
    mover: FileMover = moveToTrashFolder,
    run: TrashRun = {},
  ): Promise<TrashReceipt> {
    const failed: TrashReceipt['failed'] = [];
    let stopRow: number | null = null;
    for (const [i, m] of plan.moves.entries()) {
      // Between two images only: an image's file and its thumbnail leave together.
      if (plan.rowOf[i] !== plan.rowOf[i - 1]) {
        run.onProgress?.(plan.rowOf[i]!, plan.live.length);
        await run.beforeImage?.(plan.rowOf[i]!);
        if (run.signal?.aborted) {
          stopRow = plan.rowOf[i]!;
          break;
        }
      }
      if (!(await exists(m.from))) {
        m.state = 'missing';
        continue;
      }
      try {
        const where = await mover(m.from, m.to!);
        m.to = where;
        m.state = where === null ? 'gone' : 'moved';
      } catch (err) {
        m.state = 'kept';
        m.error = (err as Error).message;
        failed.push({ path: m.from, error: m.error });
      }
    }
    if (stopRow === null) run.onProgress?.(plan.live.length, plan.live.length);
    return this.endTrash(plan, stopRow, failed);
  }

  /**
   * Records how a trash ended. Canceled before the image at `stopRow`, that image and the ones after it
   * come back (unless a file they use already left with an earlier image), and the action keeps the rest.
   */
  private endTrash(plan: TrashPlan, stopRow: number | null, failed: TrashReceipt['failed']): TrashReceipt {
    const stop = stopRow ?? plan.live.length;
    const moved = plan.moves.filter((_, i) => plan.rowOf[i]! < stop);
    const left = new Set(moved.filter((m) => m.state !== 'kept').map((m) => m.from));
    const back = plan.live.filter((r, row) => row >= stop && !left.has(r.path)).map((r) => r.id);
    const restored = new Set(back);
    const kept = plan.live.map((r) => r.id).filter((id) => !restored.has(id));
    this.db.transaction(() => {
      const show = this.db.prepare(
        'UPDATE assets SET deleted_at = NULL WHERE id IN (SELECT value FROM json_each(?))',
      );
      for (const c of chunks(back)) show.run(JSON.stringify(c));
      if (kept.length === 0) this.db.prepare('DELETE FROM trash_ops WHERE id = ?').run(plan.op);
      else
        this.db
          .prepare('UPDATE trash_ops SET asset_ids_json = ?, moved_json = ? WHERE id = ?')
          .run(JSON.stringify(kept), JSON.stringify(moved), plan.op);
    })();
    return {
      token: kept.length ? plan.op : 0,
      assets: kept.length,
      files: moved.filter((m) => m.state === 'moved' || m.state === 'gone').length,
      failed,
      ...(stopRow === null ? {} : { canceled: true }),
    };
  }

  /** Restores the images of one trash action and moves back every file that can be. */
  async undo(token: number): Promise<UndoReport> {
    const op = this.db.prepare('SELECT * FROM trash_ops WHERE id = ?').get(token) as
      | {
          id: number;
          at: number;
          asset_ids_json: string;
          moved_json: string;
          undone_at: number | null;
          purged_at: number | null;
        }
      | undefined;
    if (!op) throw new StudioError('NOT_FOUND', `Nothing to undo: trash action ${token} does not exist.`);
    if (op.undone_at !== null) throw new StudioError('CONFLICT', `Trash action ${token} was already undone.`);
    if (op.purged_at !== null) {
      throw new StudioError(
        'CONFLICT',
        `Trash action ${token} was emptied from the trash; its images cannot be restored.`,
      );
    }
    const moves = JSON.parse(op.moved_json) as Move[];
    const ids = JSON.parse(op.asset_ids_json) as number[];
    let filesRestored = 0;
    const filesNotRestored: string[] = [];
    const renamed: { from: string; to: string }[] = [];
    for (const m of moves) {
      if (m.state === 'gone') filesNotRestored.push(m.from);
      // Not only 'moved': a crash between planning and recording leaves 'kept' entries whose file did move.
      if (m.to === null || !(await exists(m.to))) continue;
      if (m.state !== 'moved' && (await exists(m.from))) continue; // never left: an interrupted copy
      let target = m.from;
      // Something new took the name meanwhile: restore beside it instead of overwriting it.
      for (let n = 2; await exists(target); n++) {
        const ext = extname(m.from);
        target = `${m.from.slice(0, m.from.length - ext.length)} (restored${n > 2 ? ` ${n - 1}` : ''})${ext}`;
      }
      await moveFile(m.to, target);
      if (target !== m.from) renamed.push({ from: m.from, to: target });
      filesRestored++;
    }
    const assets = this.db.transaction(() => {
      const fix = this.db.prepare(
        'UPDATE assets SET path = @to WHERE path = @from AND id IN (SELECT value FROM json_each(@ids))',
      );
      const fixThumb = this.db.prepare(
        'UPDATE assets SET thumb_path = @to WHERE thumb_path = @from AND id IN (SELECT value FROM json_each(@ids))',
      );
      for (const r of renamed) {
        fix.run({ ...r, ids: op.asset_ids_json });
        fixThumb.run({ ...r, ids: op.asset_ids_json });
      }
      const show = this.db.prepare(
        'UPDATE assets SET deleted_at = NULL WHERE id IN (SELECT value FROM json_each(@ids)) AND deleted_at = @at',
      );
      let n = 0;
      for (const c of chunks(ids)) n += show.run({ ids: JSON.stringify(c), at: op.at }).changes;
      this.db.prepare('UPDATE trash_ops SET undone_at = ? WHERE id = ?').run(this.now(), op.id);
      return n;
    })();
    await rmdir(this.trashDir(op.id)).catch(() => undefined);
    return { assets, filesRestored, filesNotRestored };
  }

  /** Trash actions that can still be undone, newest first. */
  trashOps(limit = 50): { token: number; at: number; assets: number }[] {
    return (
      this.db
        .prepare(
          'SELECT id, at, asset_ids_json FROM trash_ops WHERE undone_at IS NULL AND purged_at IS NULL ORDER BY id DESC LIMIT ?',
        )
        .all(limit) as { id: number; at: number; asset_ids_json: string }[]
    ).map((r) => ({ token: r.id, at: r.at, assets: (JSON.parse(r.asset_ids_json) as number[]).length }));
  }

  /**
   * Empties the trash of actions older than `before` (default: all): deletes their rows for good and hands
   * each file still in the trash folder to `dispose` (default: delete it; the app may pass shell.trashItem).
   */
  async purgeTrash(
    opts: { before?: number; dispose?: (path: string) => Promise<void> } = {},
  ): Promise<number> {
    const dispose = opts.dispose ?? ((p: string) => rm(p, { force: true }));
    const ops = this.db
      .prepare(
        'SELECT id, asset_ids_json, moved_json FROM trash_ops WHERE undone_at IS NULL AND purged_at IS NULL AND at < ?',
      )
      .all(opts.before ?? Number.MAX_SAFE_INTEGER) as {
      id: number;
      asset_ids_json: string;
      moved_json: string;
    }[];
    let purged = 0;
    for (const op of ops) {
      for (const m of JSON.parse(op.moved_json) as Move[])
        if (m.state === 'moved' && m.to && existsSync(m.to)) await dispose(m.to);
      purged += this.db.transaction(() => {
        let n = 0;
        const del = this.db.prepare(
          'DELETE FROM assets WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NOT NULL',
        );
        for (const c of chunks(JSON.parse(op.asset_ids_json) as number[]))
          n += del.run(JSON.stringify(c)).changes;
        this.db.prepare('UPDATE trash_ops SET purged_at = ? WHERE id = ?').run(this.now(), op.id);
        return n;
      })();
      await rm(this.trashDir(op.id), { recursive: true, force: true });
    }
    return purged;
  }

  // ── duplicates and disk usage ──────────────────────────────────────────────────────────────────────

  /**
   * Images with the same content: the same bytes as received (`sha256`) or as stored (`file_sha256`),
   * across both (an imported export of a generated image has the original's stored hash as its own).
   */
  duplicates(): DuplicateGroup[] {
    // Index-only scans find the hashes worth looking at; rows are read only for those.
    const candidates = new Set<string>([
      ...(this.db
        .prepare('SELECT sha256 FROM assets GROUP BY sha256 HAVING count(*) > 1')
        .pluck()
        .all() as string[]),
      ...(this.db
        .prepare(
          'SELECT file_sha256 FROM assets WHERE file_sha256 IS NOT NULL GROUP BY file_sha256 HAVING count(*) > 1',
        )
        .pluck()
        .all() as string[]),
      ...(this.db
        .prepare(
          `SELECT a.file_sha256 FROM assets a WHERE a.file_sha256 <> a.sha256
             AND EXISTS (SELECT 1 FROM assets b WHERE b.sha256 = a.file_sha256)`,
        )
        .pluck()
        .all() as string[]),
    ]);
    type R = {
      id: number;
      sha256: string;
      file_sha256: string | null;
      path: string;
      bytes: number;
      favorite: number;
      rating: number;
      created_at: number;
    };
    const rows = new Map<number, R>();
    const byHash = this.db.prepare(
      `SELECT id, sha256, file_sha256, path, bytes, favorite, rating, created_at FROM assets
       WHERE (sha256 = @h OR file_sha256 = @h) AND deleted_at IS NULL`,
    );
    for (const h of candidates) for (const r of byHash.all({ h }) as R[]) rows.set(r.id, r);
    // Union-find over both hashes of every row.
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let p = parent.get(x) ?? x;
      while (p !== (parent.get(p) ?? p)) p = parent.get(p)!;
      parent.set(x, p);
      return p;
    };
    for (const r of rows.values()) {
      if (r.file_sha256 && r.file_sha256 !== r.sha256) parent.set(find(r.file_sha256), find(r.sha256));
    }
    const groups = new Map<string, R[]>();
    for (const r of rows.values()) {
      const root = find(r.sha256);
      groups.set(root, [...(groups.get(root) ?? []), r]);
    }
    const out: DuplicateGroup[] = [];
    for (const [hash, members] of groups) {
      if (members.length < 2) continue;
      members.sort(
        (a, b) =>
          b.favorite - a.favorite || b.rating - a.rating || a.created_at - b.created_at || a.id - b.id,
      );
      const keep = members[0]!;
      const freed = new Map<string, number>();
      for (const m of members.slice(1)) if (m.path !== keep.path) freed.set(m.path, m.bytes);
      out.push({
        hash,
        ids: members.map((m) => m.id).sort((a, b) => a - b),
        keep: keep.id,
        reclaimableBytes: [...freed.values()].reduce((a, b) => a + b, 0),
      });
    }
    return out.sort((a, b) => b.ids.length - a.ids.length || b.reclaimableBytes - a.reclaimableBytes);
  }

  /** Bytes on disk per batch or per collection (a file shared by several images counted once per group). */
  diskUsage(opts: { by: 'batch' | 'collection' }): {
    rows: UsageRow[];
    total: Omit<UsageRow, 'id' | 'name'>;
  } {
    const rows =
      opts.by === 'batch'
        ? (this.db
            .prepare(
              `SELECT g.batch_id AS id, coalesce(b.name, 'No batch (imported)') AS name,
                 sum(g.n) AS assets, count(*) AS files, sum(g.bytes) AS bytes
               FROM (SELECT batch_id, path, max(bytes) AS bytes, count(*) AS n FROM assets
                     WHERE deleted_at IS NULL GROUP BY batch_id, path) g
               LEFT JOIN batches b ON b.id = g.batch_id
               GROUP BY g.batch_id ORDER BY bytes DESC, id`,
            )
            .all() as UsageRow[])
        : (this.db
            .prepare(
              `SELECT c.id, c.name, coalesce(sum(g.n), 0) AS assets, count(g.path) AS files, coalesce(sum(g.bytes), 0) AS bytes
               FROM collections c LEFT JOIN (
                 SELECT ca.collection_id, a.path, max(a.bytes) AS bytes, count(*) AS n
                 FROM collection_assets ca JOIN assets a ON a.id = ca.asset_id
                 WHERE a.deleted_at IS NULL GROUP BY ca.collection_id, a.path) g ON g.collection_id = c.id
               GROUP BY c.id ORDER BY bytes DESC, c.id`,
            )
            .all() as UsageRow[]);
    const total = this.db
      .prepare(
        `SELECT coalesce(sum(n), 0) AS assets, count(*) AS files, coalesce(sum(bytes), 0) AS bytes
         FROM (SELECT path, max(bytes) AS bytes, count(*) AS n FROM assets WHERE deleted_at IS NULL GROUP BY path)`,
      )
      .get() as Omit<UsageRow, 'id' | 'name'>;
    return { rows, total };
  }

  // ── upkeep ─────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Merges the search index's segments a step and refreshes the planner's statistics. Cheap enough to
   * call when the app goes idle; a large import or bulk action leaves many small segments behind.
   */
  maintain(pages = 500): void {
    this.db.prepare("INSERT INTO asset_search (asset_search, rank) VALUES ('merge', ?)").run(pages);
    this.db.pragma('optimize');
  }
}
