import type { Migration } from './types.ts';

// The library: assets carry everything about their image (an imported one has no job), plus the person's
// organisation of them, and one FTS5 index that answers every search and filter (see ../search-text.ts).
//
// Order: the FTS5 rowid is `sort_key`, which ascends as (created_at DESC, id DESC) does, at one-second
// resolution: seconds before 2^33 (the year 2242) inverted in the high bits, the id's low 20 bits inverted
// below. FTS5 walks rowids in order, so "newest first" is the index's own order and a page stops after
// its 200 rows instead of sorting every match. FTS5 seeks within a long doclist by walking it, so date
// bounds and deep keyset pages also use month tokens (see search-text.ts) to skip straight to the months
// concerned. The key stays under 2^53, so JavaScript reads it exactly. Two live rows collide only with
// the same second and ids 2^20 apart; the UNIQUE index turns that into a loud error, not a shadowed entry.
//
// Everything the index holds is derived by triggers, so no engine code has to remember it: asset writes,
// tag and collection membership, tag and batch renames. Only live assets (deleted_at IS NULL) are indexed.
// `search_terms` lists every Latin word ever indexed, so that a word typed in the search box can be
// expanded to the few words it begins ("gold" → gold, golden) instead of an FTS5 prefix query, which
// merges every matching doclist before returning its first row.
// The triggers call qs_search_* functions that openDatabase registers on every connection.
const FTS_COLUMNS = 'prompt, negative, actual, tags, notes, batch, chars, meta';

/** Re-derives the index rows of the assets chosen by `where` (which may use `x` for the id). */
function reindex(where: string): string {
  return `
  DELETE FROM asset_search WHERE rowid IN (SELECT sort_key FROM assets WHERE id IN (${where}) AND deleted_at IS NULL);
  INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
    SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id IN (${where}) AND deleted_at IS NULL;`;
}

/** Adds the Latin words of the given text columns to search_terms. */
function terms(columns: string): string {
  return `
  INSERT OR IGNORE INTO search_terms (term) SELECT value FROM json_each(qs_search_terms(${columns}));`;
}

export const migration: Migration = {
  version: 2,
  name: 'library',
  sql: `
ALTER TABLE assets ADD COLUMN source TEXT NOT NULL DEFAULT 'generated' CHECK (source IN ('generated', 'imported'));
ALTER TABLE assets ADD COLUMN file_sha256 TEXT;
ALTER TABLE assets ADD COLUMN model TEXT;
ALTER TABLE assets ADD COLUMN negative_prompt TEXT;
ALTER TABLE assets ADD COLUMN actual_prompt TEXT;
ALTER TABLE assets ADD COLUMN aspect_ratio TEXT;
ALTER TABLE assets ADD COLUMN image_size TEXT;
ALTER TABLE assets ADD COLUMN seed INTEGER;
ALTER TABLE assets ADD COLUMN credits REAL;
ALTER TABLE assets ADD COLUMN params_json TEXT;
ALTER TABLE assets ADD COLUMN favorite INTEGER NOT NULL DEFAULT 0 CHECK (favorite IN (0, 1));
ALTER TABLE assets ADD COLUMN rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5);
ALTER TABLE assets ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0 CHECK (rejected IN (0, 1));
ALTER TABLE assets ADD COLUMN notes TEXT;
ALTER TABLE assets ADD COLUMN deleted_at INTEGER;
ALTER TABLE assets ADD COLUMN thumb_path TEXT;
ALTER TABLE assets ADD COLUMN sort_key INTEGER
  GENERATED ALWAYS AS (((8589934591 - min(max(created_at / 1000, 0), 8589934591)) << 20) | (1048575 - (id & 1048575))) VIRTUAL;

-- Backfill from the job that produced each image. Credits are the job's, shared by its images.
UPDATE assets SET
  model           = j.model,
  negative_prompt = json_extract(j.input_json, '$.negative_prompt'),
  actual_prompt   = j.actual_prompt,
  aspect_ratio    = json_extract(j.input_json, '$.aspect_ratio'),
  image_size      = json_extract(j.input_json, '$.image_size'),
  seed            = json_extract(j.input_json, '$.seed'),
  credits         = CASE WHEN j.credits IS NULL THEN NULL
                         ELSE CAST(j.credits AS REAL) / max(1, (SELECT count(*) FROM assets x WHERE x.job_id = j.id)) END,
  params_json     = json_remove(j.input_json, '$.prompt')
FROM jobs j WHERE j.id = assets.job_id;
UPDATE assets SET model = (SELECT b.model FROM batches b WHERE b.id = assets.batch_id) WHERE model IS NULL;
UPDATE assets SET file_sha256 = sha256 WHERE file_sha256 IS NULL;

-- Unique among live rows, which are exactly the index's rows; also counts them without reading the table.
CREATE UNIQUE INDEX assets_live_by_sort_key ON assets(sort_key) WHERE deleted_at IS NULL;
CREATE INDEX assets_by_file_sha ON assets(file_sha256);
CREATE INDEX assets_deleted ON assets(deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX assets_by_path ON assets(path);
CREATE INDEX assets_by_model ON assets(model);

CREATE TABLE tags (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  -- Links to assets (trashed ones included): the autocomplete order, kept by triggers.
  uses       INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE asset_tags (
  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (asset_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX asset_tags_by_tag ON asset_tags(tag_id, asset_id);

CREATE TABLE collections (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  created_at INTEGER NOT NULL
);
CREATE TABLE collection_assets (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  asset_id      INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  added_at      INTEGER NOT NULL,
  PRIMARY KEY (collection_id, asset_id)
) WITHOUT ROWID;
CREATE INDEX collection_assets_by_asset ON collection_assets(asset_id, collection_id);

CREATE TABLE saved_searches (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  query      TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- One row per trash action: which assets, and where each file went ({ from, to } with to = null when the
-- file went somewhere we cannot take it back from, such as the system trash).
CREATE TABLE trash_ops (
  id             INTEGER PRIMARY KEY,
  at             INTEGER NOT NULL,
  asset_ids_json TEXT    NOT NULL,
  moved_json     TEXT    NOT NULL DEFAULT '[]',
  undone_at      INTEGER,
  purged_at      INTEGER
);

CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE VIRTUAL TABLE asset_search USING fts5(
  ${FTS_COLUMNS},
  content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIEW asset_search_source AS
SELECT a.id, a.sort_key, a.deleted_at,
  qs_search_text(a.prompt) AS prompt,
  qs_search_text(a.negative_prompt) AS negative,
  qs_search_text(a.actual_prompt) AS actual,
  qs_search_text(a.tag_names) AS tags,
  qs_search_text(a.notes) AS notes,
  qs_search_text(a.batch_name) AS batch,
  qs_search_chars(a.prompt, a.negative_prompt, a.actual_prompt, a.tag_names, a.notes, a.batch_name) AS chars,
  qs_search_meta(a.created_at, a.favorite, a.rating, a.rejected, a.format, a.aspect_ratio, a.width, a.height, a.source, a.seed,
    a.model, a.batch_id, a.tag_ids,
    (SELECT group_concat(ca.collection_id, ' ') FROM collection_assets ca WHERE ca.asset_id = a.id)) AS meta
FROM (
  SELECT assets.*,
    (SELECT group_concat(t.name, ' ') FROM asset_tags x JOIN tags t ON t.id = x.tag_id WHERE x.asset_id = assets.id) AS tag_names,
    (SELECT group_concat(x.tag_id, ' ') FROM asset_tags x WHERE x.asset_id = assets.id) AS tag_ids,
    (SELECT b.name FROM batches b WHERE b.id = assets.batch_id) AS batch_name
  FROM assets
) a;

INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
  SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE deleted_at IS NULL;
INSERT OR IGNORE INTO search_terms (term)
  SELECT t.value FROM assets a, json_each(qs_search_terms(a.prompt, a.negative_prompt, a.actual_prompt, a.notes)) t;
INSERT OR IGNORE INTO search_terms (term) SELECT t.value FROM batches b, json_each(qs_search_terms(b.name)) t;

CREATE TRIGGER assets_search_insert AFTER INSERT ON assets WHEN new.deleted_at IS NULL BEGIN
  INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
    SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id = new.id;
END;
CREATE TRIGGER assets_terms_insert AFTER INSERT ON assets BEGIN${terms('new.prompt, new.negative_prompt, new.actual_prompt, new.notes')}
END;
CREATE TRIGGER assets_terms_update AFTER UPDATE OF prompt, negative_prompt, actual_prompt, notes ON assets BEGIN${terms('new.prompt, new.negative_prompt, new.actual_prompt, new.notes')}
END;
CREATE TRIGGER tags_terms_insert AFTER INSERT ON tags BEGIN${terms('new.name')}
END;
CREATE TRIGGER tags_terms_update AFTER UPDATE OF name ON tags BEGIN${terms('new.name')}
END;
CREATE TRIGGER batches_terms_insert AFTER INSERT ON batches BEGIN${terms('new.name')}
END;
CREATE TRIGGER batches_terms_update AFTER UPDATE OF name ON batches BEGIN${terms('new.name')}
END;
CREATE TRIGGER assets_search_update AFTER UPDATE OF
  id, created_at, prompt, negative_prompt, actual_prompt, notes, batch_id, deleted_at, favorite, rating, rejected,
  format, aspect_ratio, width, height, source, seed, model ON assets BEGIN
  DELETE FROM asset_search WHERE rowid = old.sort_key AND old.deleted_at IS NULL;
  INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
    SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id = new.id AND deleted_at IS NULL;
END;
CREATE TRIGGER assets_search_delete AFTER DELETE ON assets WHEN old.deleted_at IS NULL BEGIN
  DELETE FROM asset_search WHERE rowid = old.sort_key;
END;

CREATE TRIGGER asset_tags_insert AFTER INSERT ON asset_tags BEGIN
  UPDATE tags SET uses = uses + 1 WHERE id = new.tag_id;${reindex('new.asset_id')}
END;
CREATE TRIGGER asset_tags_delete AFTER DELETE ON asset_tags BEGIN
  UPDATE tags SET uses = uses - 1 WHERE id = old.tag_id;${reindex('old.asset_id')}
END;
CREATE TRIGGER tags_rename AFTER UPDATE OF name ON tags BEGIN${reindex('SELECT asset_id FROM asset_tags WHERE tag_id = new.id')}
END;
CREATE TRIGGER collection_assets_insert AFTER INSERT ON collection_assets BEGIN${reindex('new.asset_id')}
END;
CREATE TRIGGER collection_assets_delete AFTER DELETE ON collection_assets BEGIN${reindex('old.asset_id')}
END;
CREATE TRIGGER batches_rename AFTER UPDATE OF name ON batches BEGIN${reindex('SELECT id FROM assets WHERE batch_id = new.id')}
END;
`,
};
