// One change (a flag, a tag, a collection, the trash) applied to a chunk of images with set-based
// statements. Tags, collections and flags are outside the search index (migration 010): linking writes the
// link rows, with their images' sort keys, and the tag's count; a flag is its column — nothing else. A
// change the index does hold (the notes, the trash) brings it up to date for the chunk in two statements —
// the index rows of the images that will change are deleted, the change is made with the per-row index
// triggers standing aside (migration 007), and the rows are derived again — instead of a trigger
// re-deriving each image's row. Images the change would not alter (already tagged, already a favorite) are
// left out before anything is written.
import type { DB } from '../store/db.ts';
import { withSearchTriggersDeferred } from '../search/search-text.ts';

export type BulkChange =
  | { kind: 'flag'; column: 'favorite' | 'rating' | 'rejected'; value: number }
  | { kind: 'notes'; value: string | null }
  | { kind: 'addTag'; tagId: number }
  | { kind: 'removeTag'; tagId: number }
  | { kind: 'addToCollection'; collectionId: number; at: number }
  | { kind: 'removeFromCollection'; collectionId: number }
  | { kind: 'trash'; at: number };

const FTS_COLUMNS = 'prompt, negative, actual, tags, notes, batch, chars, meta';

interface ChangeSql {
  /** Which live images of the chunk the change alters (over `a`, the assets row). */
  pick: string;
  /** The change itself, over temp.bulk_ids; its `changes` is what the action reports. */
  apply: string;
  /** Bookkeeping the deferred triggers would have done (tag counts), bound with @n = changes. */
  after?: string;
  params: Record<string, unknown>;
}

const IN_CHUNK = 'SELECT id FROM temp.bulk_ids';
// CROSS JOIN keeps the chunk's ids the outer loop: the temp table has no statistics, and left to itself
// the planner scans every asset for each chunk (40 µs a link at a million images instead of 2).
const CHUNK_ASSETS = 'temp.bulk_ids b CROSS JOIN assets a ON a.id = b.id';

function sqlOf(change: BulkChange): ChangeSql {
  switch (change.kind) {
    case 'flag':
      return {
        pick: `a.${change.column} <> @v`,
        apply: `UPDATE assets SET ${change.column} = @v WHERE id IN (${IN_CHUNK})`,
        params: { v: change.value },
      };
    case 'notes':
      return {
        pick: 'a.notes IS NOT @v',
        apply: `UPDATE assets SET notes = @v WHERE id IN (${IN_CHUNK})`,
        params: { v: change.value },
      };
    case 'addTag':
      return {
        pick: 'NOT EXISTS (SELECT 1 FROM asset_tags x WHERE x.asset_id = a.id AND x.tag_id = @tag)',
        apply: `INSERT OR IGNORE INTO asset_tags (asset_id, tag_id, sort_key)
                SELECT a.id, @tag, a.sort_key FROM ${CHUNK_ASSETS}`,
        after: 'UPDATE tags SET uses = uses + @n WHERE id = @tag',
        params: { tag: change.tagId },
      };
    case 'removeTag':
      return {
        pick: 'EXISTS (SELECT 1 FROM asset_tags x WHERE x.asset_id = a.id AND x.tag_id = @tag)',
        apply: `DELETE FROM asset_tags WHERE tag_id = @tag AND asset_id IN (${IN_CHUNK})`,
        after: 'UPDATE tags SET uses = uses - @n WHERE id = @tag',
        params: { tag: change.tagId },
      };
    case 'addToCollection':
      return {
        pick: 'NOT EXISTS (SELECT 1 FROM collection_assets ca WHERE ca.asset_id = a.id AND ca.collection_id = @c)',
        apply: `INSERT OR IGNORE INTO collection_assets (collection_id, asset_id, added_at, sort_key)
                SELECT @c, a.id, @at, a.sort_key FROM ${CHUNK_ASSETS}`,
        params: { c: change.collectionId, at: change.at },
      };
    case 'removeFromCollection':
      return {
        pick: 'EXISTS (SELECT 1 FROM collection_assets ca WHERE ca.asset_id = a.id AND ca.collection_id = @c)',
        apply: `DELETE FROM collection_assets WHERE collection_id = @c AND asset_id IN (${IN_CHUNK})`,
        params: { c: change.collectionId },
      };
    case 'trash':
      return {
        pick: '1',
        apply: `UPDATE assets SET deleted_at = @at WHERE id IN (${IN_CHUNK})`,
        params: { at: change.at },
      };
  }
}

const ready = new WeakSet<DB>();

/**
 * Applies `change` to the live images among `ids` (any number; one transaction, joining the caller's if
 * there is one) and returns how many rows or links changed. The ids of the images that changed are left
 * in temp.bulk_ids until the next call (the trash reads them).
 */
export function applyChange(db: DB, ids: readonly number[], change: BulkChange): number {
  if (!ready.has(db)) {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS bulk_ids (id INTEGER PRIMARY KEY)');
    ready.add(db);
  }
  const sql = sqlOf(change);
  // The index holds an image's notes and whether it is live; tags, collections and flags are outside it.
  const indexed = change.kind === 'notes' || change.kind === 'trash';
  return db.transaction(() => {
    db.prepare('DELETE FROM temp.bulk_ids').run();
    const picked = db
      .prepare(
        `INSERT INTO temp.bulk_ids (id) SELECT a.id FROM json_each(@ids) j JOIN assets a ON a.id = j.value
         WHERE a.deleted_at IS NULL AND ${sql.pick}`,
      )
      .run({ ...sql.params, ids: JSON.stringify(ids) }).changes;
    if (picked === 0) return 0;
    return withSearchTriggersDeferred(db, () => {
      if (indexed)
        db.prepare(
          `DELETE FROM asset_search WHERE rowid IN (SELECT sort_key FROM assets WHERE id IN (${IN_CHUNK}))`,
        ).run();
      const changed = db.prepare(sql.apply).run(sql.params).changes;
      if (sql.after) db.prepare(sql.after).run({ ...sql.params, n: changed });
      if (indexed)
        db.prepare(
          `INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
           SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source
           WHERE id IN (${IN_CHUNK}) AND deleted_at IS NULL`,
        ).run();
      return changed;
    });
  })();
}

/** The ids the last applyChange call changed (valid until the next call on this connection). */
export function lastChangedIds(db: DB): number[] {
  return db.prepare('SELECT id FROM temp.bulk_ids ORDER BY id').pluck().all() as number[];
}

/** Rows per statement: large enough to amortise the statements, small enough for json_each. */
export const BULK_CHUNK = 5000;

/**
 * Applies every change to the images among `ids` in one transaction and returns how many rows or links
 * changed. FTS5's automatic merging is held off for the transaction (and put back before it commits): a
 * bulk action would otherwise rewrite large index segments once per chunk; the studio merges them when it
 * is idle (Library.maintain), which searches do not wait for.
 */
export function applyChanges(db: DB, ids: readonly number[], changes: readonly BulkChange[]): number {
  return db.transaction(() => {
    const setting = (k: string, fallback: number) =>
      Math.trunc(
        Number(db.prepare('SELECT v FROM asset_search_config WHERE k = ?').pluck().get(k) ?? fallback),
      );
    const automerge = setting('automerge', 4);
    // FTS5 wants an integer literal here (a bound JavaScript number arrives as a real and is refused).
    db.exec("INSERT INTO asset_search (asset_search, rank) VALUES ('automerge', 0)");
    let changed = 0;
    for (let i = 0; i < ids.length; i += BULK_CHUNK) {
      const chunk = ids.slice(i, i + BULK_CHUNK);
      for (const c of changes) changed += applyChange(db, chunk, c);
    }
    db.exec(`INSERT INTO asset_search (asset_search, rank) VALUES ('automerge', ${automerge})`);
    return changed;
  })();
}
