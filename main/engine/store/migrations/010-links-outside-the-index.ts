import type { Migration } from './types.ts';

// Tags, collections and flags leave the search index (issue 10: "tag all N matching" must take seconds,
// not a minute, on a million images). Until now every image's FTS5 row carried its tag names (text and CJK
// characters), a token per tag and collection, and its favorite, rating and reject flags, so tagging or
// rating an image re-derived and re-tokenized its whole row — 40 µs each. From here on the index holds only
// what an image is (its texts and attributes); what the person made of it lives in the link tables and the
// flag columns, which queries read directly:
// - each link row carries its image's sort key, indexed per tag and per collection, so `tag:x` and
//   `collection:y` walk their images newest first and stop after a page, like the index does;
// - tag names get a small index of their own, `tag_search`, tokenized exactly like the images' texts, so
//   a plain word still finds the images whose tag it names (query.ts joins the two);
// - favorites, rejects and ratings are read from partial indexes on the assets, newest first;
// - linking, unlinking and flagging touch nothing but the link row (and the tag's count) or the flag.
// What rows still hold of tags and flags is never asked for again (the `tags` column, the link and flag
// tokens), and goes when a row is next written — except in `chars`, the column a one-character CJK query
// reads, where a tag's Chinese name left its characters. So only images with such a tag are derived
// again (as migration 009 did for batch names): seconds, not a minute, on a million images.
const FTS_COLUMNS = 'prompt, negative, actual, tags, notes, batch, chars, meta';

/** The sort key of the image a link row names (kept by the triggers below when a writer leaves it out). */
const KEY_OF = (asset: string) => `(SELECT sort_key FROM assets WHERE id = ${asset})`;

export const migration: Migration = {
  version: 10,
  name: 'links-outside-the-index',
  sql: `
DROP VIEW asset_search_source;
CREATE VIEW asset_search_source AS
SELECT a.id, a.sort_key, a.deleted_at,
  qs_search_text(a.prompt) AS prompt,
  qs_search_text(a.negative_prompt) AS negative,
  qs_search_text(a.actual_prompt) AS actual,
  NULL AS tags,
  qs_search_text(a.notes) AS notes,
  NULL AS batch,
  qs_search_chars(a.prompt, a.negative_prompt, a.actual_prompt, a.notes) AS chars,
  qs_search_meta(a.created_at, NULL, NULL, NULL, a.format, a.aspect_ratio, a.width, a.height,
    a.source, a.seed, a.model, a.batch_id) AS meta
FROM assets a;

DROP TRIGGER tags_rename;
DROP TRIGGER collection_assets_insert;
DROP TRIGGER collection_assets_delete;
DROP TRIGGER asset_tags_insert;
DROP TRIGGER asset_tags_delete;
DROP TRIGGER assets_search_update;
CREATE TRIGGER assets_search_update AFTER UPDATE OF
  id, created_at, prompt, negative_prompt, actual_prompt, notes, batch_id, deleted_at,
  format, aspect_ratio, width, height, source, seed, model ON assets WHEN NOT qs_search_deferred() BEGIN
  DELETE FROM asset_search WHERE rowid = old.sort_key AND old.deleted_at IS NULL;
  INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
    SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id = new.id AND deleted_at IS NULL;
END;
CREATE INDEX assets_favorites ON assets(sort_key) WHERE favorite = 1 AND deleted_at IS NULL;
CREATE INDEX assets_rejected ON assets(sort_key) WHERE rejected = 1 AND deleted_at IS NULL;
CREATE INDEX assets_by_rating ON assets(rating, sort_key) WHERE deleted_at IS NULL;

-- The link tables are rebuilt with the sort key (filling a new column row by row takes 8 µs a link; an
-- ordered copy, 1).
CREATE TABLE asset_tags_010 (
  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  sort_key INTEGER,
  PRIMARY KEY (asset_id, tag_id)
) WITHOUT ROWID;
INSERT INTO asset_tags_010 (asset_id, tag_id, sort_key)
  SELECT x.asset_id, x.tag_id, ${KEY_OF('x.asset_id')} FROM asset_tags x ORDER BY x.asset_id, x.tag_id;
DROP TABLE asset_tags;
ALTER TABLE asset_tags_010 RENAME TO asset_tags;
CREATE INDEX asset_tags_by_tag ON asset_tags(tag_id, sort_key);

CREATE TABLE collection_assets_010 (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  asset_id      INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  added_at      INTEGER NOT NULL,
  sort_key      INTEGER,
  PRIMARY KEY (collection_id, asset_id)
) WITHOUT ROWID;
INSERT INTO collection_assets_010 (collection_id, asset_id, added_at, sort_key)
  SELECT c.collection_id, c.asset_id, c.added_at, ${KEY_OF('c.asset_id')} FROM collection_assets c
  ORDER BY c.collection_id, c.asset_id;
DROP TABLE collection_assets;
ALTER TABLE collection_assets_010 RENAME TO collection_assets;
CREATE INDEX collection_assets_by_asset ON collection_assets(asset_id, collection_id);
CREATE INDEX collection_assets_by_key ON collection_assets(collection_id, sort_key);

CREATE TRIGGER asset_tags_insert AFTER INSERT ON asset_tags WHEN NOT qs_search_deferred() BEGIN
  UPDATE tags SET uses = uses + 1 WHERE id = new.tag_id;
END;
CREATE TRIGGER asset_tags_key AFTER INSERT ON asset_tags WHEN new.sort_key IS NULL BEGIN
  UPDATE asset_tags SET sort_key = ${KEY_OF('new.asset_id')} WHERE asset_id = new.asset_id AND tag_id = new.tag_id;
END;
CREATE TRIGGER asset_tags_delete AFTER DELETE ON asset_tags WHEN NOT qs_search_deferred() BEGIN
  UPDATE tags SET uses = uses - 1 WHERE id = old.tag_id;
END;
CREATE TRIGGER collection_assets_key AFTER INSERT ON collection_assets WHEN new.sort_key IS NULL BEGIN
  UPDATE collection_assets SET sort_key = ${KEY_OF('new.asset_id')}
    WHERE collection_id = new.collection_id AND asset_id = new.asset_id;
END;
CREATE TRIGGER assets_link_keys AFTER UPDATE OF created_at ON assets BEGIN
  UPDATE asset_tags SET sort_key = new.sort_key WHERE asset_id = new.id;
  UPDATE collection_assets SET sort_key = new.sort_key WHERE asset_id = new.id;
END;

CREATE VIRTUAL TABLE tag_search USING fts5(
  name, chars, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO tag_search (rowid, name, chars) SELECT id, qs_search_text(name), qs_search_chars(name) FROM tags;
CREATE TRIGGER tags_search_insert AFTER INSERT ON tags BEGIN
  INSERT INTO tag_search (rowid, name, chars) VALUES (new.id, qs_search_text(new.name), qs_search_chars(new.name));
END;
CREATE TRIGGER tags_search_rename AFTER UPDATE OF name ON tags BEGIN
  DELETE FROM tag_search WHERE rowid = old.id;
  INSERT INTO tag_search (rowid, name, chars) VALUES (new.id, qs_search_text(new.name), qs_search_chars(new.name));
END;
CREATE TRIGGER tags_search_delete AFTER DELETE ON tags BEGIN
  DELETE FROM tag_search WHERE rowid = old.id;
END;

CREATE TEMP TABLE reindex_010 (id INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO reindex_010 (id)
  SELECT x.asset_id FROM asset_tags x JOIN assets a ON a.id = x.asset_id
  WHERE a.deleted_at IS NULL AND x.tag_id IN (SELECT id FROM tags WHERE qs_search_chars(name) <> '');
DELETE FROM asset_search WHERE rowid IN (SELECT a.sort_key FROM assets a JOIN reindex_010 r ON r.id = a.id);
INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
  SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id IN (SELECT id FROM reindex_010);
DROP TABLE reindex_010;
`,
};
