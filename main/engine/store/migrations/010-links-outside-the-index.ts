import type { Migration } from './types.ts';

// Tags and collections leave the search index (issue 10: "tag all N matching" must take seconds, not a
// minute, on a million images). Until now every image's FTS5 row carried its tag names (text and CJK
// characters) and a token per tag and collection, so tagging an image re-derived and re-tokenized its whole
// row — 40 µs each. From here on the index holds only what an image is (its texts, its attributes and
// flags); what the person files it under lives only in the link tables, which queries read directly:
// - each link row carries its image's sort key, indexed per tag and per collection, so `tag:x` and
//   `collection:y` walk their images newest first and stop after a page, like the index does;
// - tag names get a small index of their own, `tag_search`, tokenized exactly like the images' texts, so
//   a plain word still finds the images whose tag it names (query.ts joins the two);
// - linking and unlinking touch nothing but the link row (and the tag's count).
// Only images that have tags hold tag text in their rows; those rows are derived again.
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
  qs_search_meta(a.created_at, a.favorite, a.rating, a.rejected, a.format, a.aspect_ratio, a.width, a.height,
    a.source, a.seed, a.model, a.batch_id) AS meta
FROM assets a;

DROP TRIGGER tags_rename;
DROP TRIGGER collection_assets_insert;
DROP TRIGGER collection_assets_delete;
DROP TRIGGER asset_tags_insert;
DROP TRIGGER asset_tags_delete;

ALTER TABLE asset_tags ADD COLUMN sort_key INTEGER;
ALTER TABLE collection_assets ADD COLUMN sort_key INTEGER;
UPDATE asset_tags SET sort_key = ${KEY_OF('asset_tags.asset_id')};
UPDATE collection_assets SET sort_key = ${KEY_OF('collection_assets.asset_id')};
DROP INDEX asset_tags_by_tag;
CREATE INDEX asset_tags_by_tag ON asset_tags(tag_id, sort_key);
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
  SELECT x.asset_id FROM asset_tags x JOIN assets a ON a.id = x.asset_id WHERE a.deleted_at IS NULL;
DELETE FROM asset_search WHERE rowid IN (SELECT a.sort_key FROM assets a JOIN reindex_010 r ON r.id = a.id);
INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
  SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE id IN (SELECT id FROM reindex_010);
DROP TABLE reindex_010;
`,
};
