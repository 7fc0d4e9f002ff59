import type { Migration } from './types.ts';

// Batch names are searched only through `batch:`, which looks the batch up by name and filters on its id
// token. Migration 002 still put the batch name into the index: into the `batch` column (never queried) and
// into `chars`, the column a one-character CJK query reads — so `车` found every image of a batch called
// "车展". From here on the index holds no batch name at all: the view leaves `batch` empty and `chars`
// without the name, and renaming a batch no longer rewrites the index rows of its images.
//
// Only images of batches whose name has a CJK character have a `chars` entry to take back, so only those
// are re-derived (a batch named in Latin letters left nothing there; its stale, never-queried `batch`
// column text goes when the row is next written). On a million-image library with a third of the batches
// named in Chinese this takes seconds, not minutes (see the README's figures).
const FTS_COLUMNS = 'prompt, negative, actual, tags, notes, batch, chars, meta';

const CJK_BATCH_ASSETS = `
  SELECT id FROM assets
  WHERE deleted_at IS NULL AND batch_id IN (SELECT id FROM batches WHERE qs_search_chars(name) <> '')`;

export const migration: Migration = {
  version: 9,
  name: 'search-without-batch-names',
  sql: `
DROP TRIGGER batches_rename;
DROP TRIGGER batches_terms_insert;
DROP TRIGGER batches_terms_update;
DROP VIEW asset_search_source;

CREATE VIEW asset_search_source AS
SELECT a.id, a.sort_key, a.deleted_at,
  qs_search_text(a.prompt) AS prompt,
  qs_search_text(a.negative_prompt) AS negative,
  qs_search_text(a.actual_prompt) AS actual,
  qs_search_text(a.tag_names) AS tags,
  qs_search_text(a.notes) AS notes,
  NULL AS batch,
  qs_search_chars(a.prompt, a.negative_prompt, a.actual_prompt, a.tag_names, a.notes) AS chars,
  qs_search_meta(a.created_at, a.favorite, a.rating, a.rejected, a.format, a.aspect_ratio, a.width, a.height, a.source, a.seed,
    a.model, a.batch_id, a.tag_ids,
    (SELECT group_concat(ca.collection_id, ' ') FROM collection_assets ca WHERE ca.asset_id = a.id)) AS meta
FROM (
  SELECT assets.*,
    (SELECT group_concat(t.name, ' ') FROM asset_tags x JOIN tags t ON t.id = x.tag_id WHERE x.asset_id = assets.id) AS tag_names,
    (SELECT group_concat(x.tag_id, ' ') FROM asset_tags x WHERE x.asset_id = assets.id) AS tag_ids
  FROM assets
) a;

CREATE TEMP TABLE reindex_009 (id INTEGER PRIMARY KEY);
INSERT INTO reindex_009 (id) ${CJK_BATCH_ASSETS};
DELETE FROM asset_search WHERE rowid IN (SELECT a.sort_key FROM assets a JOIN reindex_009 r ON r.id = a.id);
INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
  SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id IN (SELECT id FROM reindex_009);
DROP TABLE reindex_009;
`,
};
