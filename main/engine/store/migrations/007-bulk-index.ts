import type { Migration } from './types.ts';

// Bulk actions over "all N matching" (issue 10): the search-index triggers of migration 002 re-derive an
// image's index row once per changed row — once per tag link, once per flag — which takes a minute over a
// million images. Every trigger that keeps the index (and the tag counts) now stands aside while the
// connection's qs_search_deferred() says so; the bulk writer (library/bulk-write.ts) then does the same
// work set-based, a chunk at a time, inside the transaction that makes the change. Other writers and other
// connections see the triggers exactly as before (the function answers 0 outside a bulk chunk).
const FTS_COLUMNS = 'prompt, negative, actual, tags, notes, batch, chars, meta';

function reindex(where: string): string {
  return `
  DELETE FROM asset_search WHERE rowid IN (SELECT sort_key FROM assets WHERE id IN (${where}) AND deleted_at IS NULL);
  INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
    SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id IN (${where}) AND deleted_at IS NULL;`;
}

export const migration: Migration = {
  version: 7,
  name: 'bulk-index',
  sql: `
DROP TRIGGER assets_search_insert;
CREATE TRIGGER assets_search_insert AFTER INSERT ON assets
  WHEN new.deleted_at IS NULL AND NOT qs_search_deferred() BEGIN
  INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
    SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id = new.id;
END;
DROP TRIGGER assets_search_update;
CREATE TRIGGER assets_search_update AFTER UPDATE OF
  id, created_at, prompt, negative_prompt, actual_prompt, notes, batch_id, deleted_at, favorite, rating, rejected,
  format, aspect_ratio, width, height, source, seed, model ON assets WHEN NOT qs_search_deferred() BEGIN
  DELETE FROM asset_search WHERE rowid = old.sort_key AND old.deleted_at IS NULL;
  INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
    SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id = new.id AND deleted_at IS NULL;
END;
DROP TRIGGER asset_tags_insert;
CREATE TRIGGER asset_tags_insert AFTER INSERT ON asset_tags WHEN NOT qs_search_deferred() BEGIN
  UPDATE tags SET uses = uses + 1 WHERE id = new.tag_id;${reindex('new.asset_id')}
END;
DROP TRIGGER asset_tags_delete;
CREATE TRIGGER asset_tags_delete AFTER DELETE ON asset_tags WHEN NOT qs_search_deferred() BEGIN
  UPDATE tags SET uses = uses - 1 WHERE id = old.tag_id;${reindex('old.asset_id')}
END;
DROP TRIGGER collection_assets_insert;
CREATE TRIGGER collection_assets_insert AFTER INSERT ON collection_assets WHEN NOT qs_search_deferred() BEGIN${reindex('new.asset_id')}
END;
DROP TRIGGER collection_assets_delete;
CREATE TRIGGER collection_assets_delete AFTER DELETE ON collection_assets WHEN NOT qs_search_deferred() BEGIN${reindex('old.asset_id')}
END;
`,
};
