// Migration 002 on a database that already has batches, jobs and downloaded assets from schema 1.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../../main/engine/library/library.ts';
import { openDatabase } from '../../main/engine/store/db.ts';
import { MIGRATIONS } from '../../main/engine/store/migrations/index.ts';
import { tempDir } from '../helpers/tmp.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('qs-migrate-')));
afterEach(() => cleanup());

/** What a search finds, as sorted ids. */
const foundIds = (lib: Library, q: string) =>
  lib
    .search(q)
    .rows.map((r) => r.id)
    .sort();

describe('migration 002 (library)', () => {
  it('adds the library columns, backfills them from the jobs, and indexes existing assets for search', () => {
    const path = join(dir, 'studio.db');
    const v1 = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version === 1) });
    v1.exec(`
      INSERT INTO batches (id, name, model, spec_json, total_jobs, total_images, credits_per_image, created_at)
        VALUES (1, 'Autumn 海报', 'qwen/qwen-image-2-pro', '{}', 2, 3, 20, 1000);
      INSERT INTO jobs (id, batch_id, seq, state, model, prompt, input_json, template, num_images, actual_prompt,
                        credits, created_at, updated_at)
        VALUES (1, 1, 1, 'done', 'qwen/qwen-image-2-pro', 'a red maple leaf',
                '{"prompt":"a red maple leaf","negative_prompt":"blurry","aspect_ratio":"16:9","seed":77,"num_images":2}',
                'a red maple leaf', 2, 'a red maple leaf, expanded with golden light', 40, 1000, 1000),
               (2, 1, 2, 'done', 'qwen/qwen-image-2-pro', '一只红色的猫',
                '{"prompt":"一只红色的猫","image_size":"square_hd"}', '一只红色的猫', 1, NULL, NULL, 1000, 1000);
      INSERT INTO assets (id, job_id, batch_id, idx, sha256, path, bytes, width, height, format, prompt, created_at)
        VALUES (1, 1, 1, 0, 'aa', '/lib/1.png', 10, 1024, 576, 'png', 'a red maple leaf', 1700000000000),
               (2, 1, 1, 1, 'bb', '/lib/2.png', 10, 1024, 576, 'png', 'a red maple leaf', 1700000001000),
               (3, 2, 1, 0, 'cc', '/lib/3.png', 10, 1024, 1024, 'webp', '一只红色的猫', 1700000002000),
               (4, NULL, NULL, 0, 'dd', '/lib/4.png', 10, 800, 600, 'jpeg', 'orphan from a deleted job', 1700000003000);
    `);
    v1.close();

    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const rows = db
      .prepare(
        `SELECT id, source, file_sha256, model, negative_prompt, actual_prompt, aspect_ratio, image_size, seed, credits,
                params_json, favorite, rating, rejected, deleted_at FROM assets ORDER BY id`,
      )
      .all() as Record<string, unknown>[];
    expect(rows[0]).toEqual({
      id: 1,
      source: 'generated',
      file_sha256: 'aa',
      model: 'qwen/qwen-image-2-pro',
      negative_prompt: 'blurry',
      actual_prompt: 'a red maple leaf, expanded with golden light',
      aspect_ratio: '16:9',
      image_size: null,
      seed: 77,
      credits: 20,
      params_json: '{"negative_prompt":"blurry","aspect_ratio":"16:9","seed":77,"num_images":2}',
      favorite: 0,
      rating: 0,
      rejected: 0,
      deleted_at: null,
    });
    expect(rows[2]).toMatchObject({
      id: 3,
      image_size: 'square_hd',
      aspect_ratio: null,
      seed: null,
      credits: null,
    });
    expect(rows[3]).toMatchObject({ id: 4, model: null, negative_prompt: null, file_sha256: 'dd' });

    const lib = new Library(db, dir);
    const found = (q: string) => foundIds(lib, q);
    expect(found('maple')).toEqual([1, 2]);
    expect(found('golden')).toEqual([1, 2]); // the actual prompt
    expect(found('blurry')).toEqual([1, 2]); // the negative prompt
    expect(found('红色')).toEqual([3]);
    expect(found('猫')).toEqual([3]);
    expect(found('海报')).toEqual([]); // only in the batch name, which plain words do not search
    expect(found('batch:海报')).toEqual([1, 2, 3]);
    expect(found('seed:77')).toEqual([1, 2]);
    expect(found('ar:16:9')).toEqual([1, 2]);
    expect(found('ar:4:3 format:jpeg')).toEqual([4]);
    expect(found('model:pro')).toEqual([1, 2, 3]);
    expect(lib.search('').rows.map((r) => r.id)).toEqual([4, 3, 2, 1]);
    db.close();
  });

  it('reopening an up-to-date library is a no-op', () => {
    const path = join(dir, 'studio.db');
    openDatabase(path).close();
    const db = openDatabase(path);
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: MIGRATIONS.length });
    db.close();
  });
});

describe('migration 009 (the index holds no batch names)', () => {
  it('takes the batch names out of an indexed library: one Chinese character no longer finds a batch', () => {
    const path = join(dir, 'studio.db');
    const v8 = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version <= 8) });
    v8.exec(`
      INSERT INTO batches (id, name, model, spec_json, total_jobs, total_images, credits_per_image, created_at)
        VALUES (1, '春季车展', 'qwen/qwen-image-2', '{}', 2, 2, 20, 1000),
               (2, 'Car show', 'qwen/qwen-image-2', '{}', 1, 1, 20, 1000);
      INSERT INTO assets (id, job_id, batch_id, idx, sha256, path, bytes, width, height, format, prompt, created_at)
        VALUES (1, NULL, 1, 0, 'aa', '/lib/1.png', 10, 1024, 1024, 'png', 'a red sports car', 1700000000000),
               (2, NULL, 1, 1, 'bb', '/lib/2.png', 10, 1024, 1024, 'png', '一辆红色的汽车', 1700000001000),
               (3, NULL, 2, 0, 'cc', '/lib/3.png', 10, 1024, 1024, 'png', 'a blue car', 1700000002000);
    `);
    // What schema 8 did: the batch name's characters answered a one-character query.
    const charsOf = (db: typeof v8, ch: string) =>
      db
        .prepare(
          `SELECT a.id FROM asset_search s JOIN assets a ON a.sort_key = s.rowid
           WHERE asset_search MATCH ? ORDER BY a.id`,
        )
        .pluck()
        .all(`chars : "${ch}"`);
    expect(charsOf(v8, '展')).toEqual([1, 2]);
    v8.close();

    const db = openDatabase(path);
    const lib = new Library(db, dir);
    const found = (q: string) => foundIds(lib, q);
    expect(found('展')).toEqual([]);
    expect(found('车')).toEqual([2]); // in its prompt
    expect(found('春')).toEqual([]);
    expect(found('batch:车展')).toEqual([1, 2]);
    expect(found('batch:展')).toEqual([1, 2]);
    expect(found('car')).toEqual([1, 3]);
    expect(found('show')).toEqual([]);
    // New images and renames keep batch names out too.
    db.prepare('UPDATE batches SET name = ? WHERE id = 2').run('蓝色展台');
    db.exec(`INSERT INTO assets (id, job_id, batch_id, idx, sha256, path, bytes, width, height, format, prompt, created_at)
      VALUES (4, NULL, 1, 2, 'dd', '/lib/4.png', 10, 1024, 1024, 'png', 'a green car', 1700000003000)`);
    expect(found('台')).toEqual([]);
    expect(found('展')).toEqual([]);
    expect(found('batch:台')).toEqual([3]);
    expect(found('batch:春季')).toEqual([1, 2, 4]);
    expect(found('green')).toEqual([4]);
    db.close();
  });
});

describe('migration 010 (tags and collections outside the index)', () => {
  it('takes tag text out of the indexed rows; words still find tagged images, and untagging or renaming leaves nothing stale', () => {
    const path = join(dir, 'studio.db');
    const v9 = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version <= 9) });
    v9.exec(`
      INSERT INTO assets (id, job_id, batch_id, idx, sha256, path, bytes, width, height, format, prompt, created_at)
        VALUES (1, NULL, NULL, 0, 'aa', '/lib/1.png', 10, 1024, 1024, 'png', 'a red sports car', 1700000000000),
               (2, NULL, NULL, 1, 'bb', '/lib/2.png', 10, 1024, 1024, 'png', 'a teapot', 1700000001000),
               (3, NULL, NULL, 2, 'cc', '/lib/3.png', 10, 1024, 1024, 'png', 'a blue car', 1700000002000);
      INSERT INTO tags (id, name, created_at) VALUES (1, 'draft', 0), (2, '海报', 0);
      INSERT INTO asset_tags (asset_id, tag_id) VALUES (1, 1), (2, 1), (2, 2);
      INSERT INTO collections (id, name, created_at) VALUES (1, 'best', 0);
      INSERT INTO collection_assets (collection_id, asset_id, added_at) VALUES (1, 3, 0);
    `);
    // Schema 9 held the tag names in each image's row.
    const rowsMatching = (db: typeof v9, match: string) =>
      db.prepare('SELECT count(*) FROM asset_search WHERE asset_search MATCH ?').pluck().get(match);
    expect(rowsMatching(v9, 'tags : draft')).toBe(2);
    expect(rowsMatching(v9, 'chars : "报"')).toBe(1);
    v9.close();

    const db = openDatabase(path);
    // The one stale place a search would read: a Chinese tag name's characters.
    expect(rowsMatching(db, 'chars : "报"')).toBe(0);
    // Every link carries its image's sort key (the tag and collection lists are read in that order).
    expect(db.prepare('SELECT count(*) FROM asset_tags WHERE sort_key IS NULL').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM collection_assets WHERE sort_key IS NULL').pluck().get()).toBe(0);

    const lib = new Library(db, dir);
    const found = (q: string) => foundIds(lib, q);
    expect(found('draft')).toEqual([1, 2]);
    expect(found('报')).toEqual([2]);
    expect(found('tag:draft')).toEqual([1, 2]);
    expect(found('car -draft')).toEqual([3]);
    expect(found('collection:best')).toEqual([3]);
    expect(lib.count('draft')).toBe(2);
    lib.removeTags([1], ['draft']);
    expect(found('draft')).toEqual([2]);
    db.prepare("UPDATE tags SET name = 'final' WHERE id = 1").run();
    expect(found('draft')).toEqual([]);
    expect(found('final')).toEqual([2]);
    expect(found('tag:final')).toEqual([2]);
    db.close();
  });
});
