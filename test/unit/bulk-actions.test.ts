// Bulk actions over "all N matching": set-based writes that keep the search index exactly as the per-row
// triggers would, progress a chunk at a time, and a cancel that keeps what was done (issue 10 item 5).
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../shared/contract.ts';
import { createHandlers, dispatch } from '../../main/engine/handlers.ts';
import { Library } from '../../main/engine/library/library.ts';
import { bulkTestHooks, runBulkUpdate, type BulkProgress } from '../../main/engine/services/bulk.ts';
import { AssetStore } from '../../main/engine/store/assets.ts';
import { openDatabase, type DB } from '../../main/engine/store/db.ts';
import { Studio } from '../../main/engine/studio.ts';
import { seedAssets } from '../helpers/db.ts';
import { tempDir } from '../helpers/tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

const T0 = new Date(2026, 5, 1, 12, 0).getTime();
const N = 1200;
const WORDS = ['red fox', 'blue whale', '红色 汽车', 'green 森林', 'golden hour'];

let dir: string;
let cleanup: () => void;
const open: DB[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tempDir('qs-bulk-'));
});
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  cleanup();
});

/** A library of N images with a few prompts, tags and a collection, the same in every call. */
function library(name: string): { db: DB; lib: Library; ids: number[] } {
  const db = openDatabase(join(dir, `${name}.db`));
  open.push(db);
  const store = new AssetStore(db);
  const lib = new Library(db, dir, { now: () => T0 });
  const ids = db.transaction(() =>
    Array.from({ length: N }, (_, i) =>
      store.add({
        jobId: null,
        batchId: null,
        idx: 0,
        sha256: `sha-${i}`,
        path: join(dir, `img-${i}.png`),
        bytes: 1000,
        width: 1024,
        height: i % 3 ? 1024 : 576,
        format: 'png',
        prompt: `${WORDS[i % WORDS.length]} number ${i}`,
        createdAt: T0 + i * 1000,
        source: 'generated',
      }),
    ),
  )();
  db.prepare("INSERT INTO collections (id, name, created_at) VALUES (1, 'Best', 0)").run();
  return { db, lib, ids };
}

const QUERIES = [
  '',
  'fav',
  '-fav',
  'rating=3',
  'rating>=2 fox',
  'rejected',
  'tag:keeper',
  'tag:保留',
  '保留',
  'keeper',
  'keeper fox',
  '-tag:keeper',
  'tag:old',
  'old',
  'collection:best',
  'collection:best 汽车',
  '红色',
  'whale -tag:keeper',
  'ar:16:9 tag:keeper',
];

/** What each query finds, as ids (the whole answer, not only the count). */
function answers(lib: Library): Record<string, number[]> {
  return Object.fromEntries(QUERIES.map((q) => [q, [...lib.ids(q)].sort((a, b) => a - b)]));
}

describe('bulk writes keep the search index as the per-row triggers do', () => {
  it('tagging, collecting or flagging all matching writes the links and flags, and nothing in the search index', async () => {
    const { db, lib, ids } = library('links');
    // The search index's stored segments: any write to the index adds or rewrites some.
    const index = () =>
      db.prepare("SELECT count(*) || ':' || sum(length(block)) FROM asset_search_data").pluck().get();
    const before = index();
    const tagged = await runBulkUpdate(lib, { query: '' }, { addTags: ['keeper'] }, { chunk: 250 });
    expect(tagged.changed).toBe(N);
    const collected = await runBulkUpdate(lib, { query: 'fox' }, { addToCollection: 1 }, { chunk: 250 });
    expect(collected.changed).toBe(N / WORDS.length);
    // Flags are the images' own columns: favoriting, rating and rejecting leave the index alone too.
    await runBulkUpdate(lib, { query: 'fox' }, { favorite: true, rating: 4, rejected: true }, { chunk: 250 });
    expect(index()).toBe(before);
    // The notes are in the index: the same check sees them written.
    await runBulkUpdate(lib, { query: 'fox' }, { notes: 'checked' }, { chunk: 250 });
    expect(index()).not.toBe(before);
    expect(lib.count('tag:keeper')).toBe(N);
    expect(lib.count('keeper fox')).toBe(N / WORDS.length);
    expect(lib.count('collection:best')).toBe(N / WORDS.length);
    expect(lib.count('fav rating=4 rejected tag:keeper')).toBe(N / WORDS.length);
    expect([...lib.ids('collection:best')]).toEqual(ids.filter((_, i) => i % WORDS.length === 0).reverse());
  });

  it('favorite, rating, reject, tags, collections and trash over a query give the same searches', async () => {
    const bulk = library('bulk');
    const rows = library('rows');
    // An existing tag on some images, as a library has.
    const old = bulk.ids.filter((_, i) => i % 4 === 0);
    bulk.lib.addTags(old, ['old']);
    for (const id of old) rows.lib.addTags([id], ['old']);

    // The bulk way: everything over queries, chunked.
    const run = (sel: Parameters<typeof runBulkUpdate>[1], u: Parameters<typeof runBulkUpdate>[2]) =>
      runBulkUpdate(bulk.lib, sel, u, { chunk: 250 });
    await run({ query: 'fox' }, { favorite: true });
    await run({ query: 'whale' }, { rating: 3 });
    await run({ query: '汽车' }, { rating: 3 });
    await run({ query: 'rating=3 fox' }, { rejected: true });
    await run({ query: '' }, { addTags: ['keeper', '保留'] });
    await run({ query: 'whale' }, { removeTags: ['keeper', 'old'] });
    await run({ query: '汽车' }, { addToCollection: 1 });
    await run({ query: 'golden' }, { favorite: true, rating: 2 });
    bulk.lib.setNotes({ query: 'whale' }, 'a note');
    await bulk.lib.trash({ query: 'green' }, async () => null);

    // The same changes one image at a time, through the triggers.
    const each = (query: string, fn: (id: number) => void) => {
      for (const id of rows.lib.resolve({ query })) fn(id);
    };
    each('fox', (id) => rows.lib.setFavorite([id], true));
    each('whale', (id) => rows.lib.setRating([id], 3));
    each('汽车', (id) => rows.lib.setRating([id], 3));
    each('rating=3 fox', (id) => rows.lib.setRejected([id], true));
    rows.db.prepare("INSERT INTO tags (name, created_at) VALUES ('keeper', 0), ('保留', 0)").run();
    each('', (id) => {
      for (const name of ['keeper', '保留'])
        rows.db
          .prepare('INSERT INTO asset_tags (asset_id, tag_id) SELECT ?, id FROM tags WHERE name = ?')
          .run(id, name);
    });
    each('whale', (id) =>
      rows.db
        .prepare(
          "DELETE FROM asset_tags WHERE asset_id = ? AND tag_id IN (SELECT id FROM tags WHERE name IN ('keeper', 'old'))",
        )
        .run(id),
    );
    each('汽车', (id) =>
      rows.db
        .prepare('INSERT INTO collection_assets (collection_id, asset_id, added_at) VALUES (1, ?, 0)')
        .run(id),
    );
    each('golden', (id) =>
      rows.db.prepare('UPDATE assets SET favorite = 1, rating = 2 WHERE id = ?').run(id),
    );
    each('whale', (id) => rows.db.prepare("UPDATE assets SET notes = 'a note' WHERE id = ?").run(id));
    each('green', (id) => rows.db.prepare('UPDATE assets SET deleted_at = 1 WHERE id = ?').run(id));

    const expected = answers(rows.lib);
    expect(expected['tag:keeper']!.length).toBeGreaterThan(0);
    expect(expected['collection:best']!.length).toBeGreaterThan(0);
    expect(answers(bulk.lib)).toEqual(expected);
    // Tag counts (kept by the triggers one link at a time) agree too.
    expect(bulk.lib.tags()).toEqual(rows.lib.tags());
  });
});

describe('progress and cancel', () => {
  it('reports progress a chunk at a time and finishes with every image changed', async () => {
    const { lib } = library('p');
    const seen: BulkProgress[] = [];
    const out = await runBulkUpdate(
      lib,
      { query: 'number' },
      { addTags: ['all'] },
      {
        chunk: 100,
        onProgress: (p) => seen.push(p),
      },
    );
    expect(out).toEqual({ images: N, done: N, changed: N, canceled: false });
    expect(seen.map((p) => p.done)).toEqual(Array.from({ length: N / 100 + 1 }, (_, i) => i * 100));
    expect(seen.every((p) => p.total === N)).toBe(true);
    expect(lib.count('tag:all')).toBe(N);
  });

  it('a cancel between chunks keeps what was done, and says how many changed', async () => {
    const { lib } = library('c');
    const ctl = new AbortController();
    const out = await runBulkUpdate(
      lib,
      { query: '' },
      { addTags: ['half'] },
      {
        chunk: 100,
        signal: ctl.signal,
        beforeChunk: async (p) => {
          if (p.done === 300) ctl.abort();
        },
      },
    );
    expect(out).toEqual({ images: N, done: 300, changed: 300, canceled: true });
    expect(lib.count('tag:half')).toBe(300);
    expect(lib.count('-tag:half')).toBe(N - 300);
    expect(lib.tags()).toEqual([expect.objectContaining({ name: 'half', uses: 300 })]);
    // Running it again finishes the rest without counting the first 300 twice.
    expect(await runBulkUpdate(lib, { query: '' }, { addTags: ['half'] })).toMatchObject({
      changed: N - 300,
    });
  });

  it('a bad rating changes nothing', async () => {
    const { lib } = library('r');
    await expect(runBulkUpdate(lib, { query: '' }, { favorite: true, rating: 9 })).rejects.toThrow(
      /rating is a whole number from 0 to 5/,
    );
    expect(lib.count('fav')).toBe(0);
  });
});

describe('library.bulk runs as a task', () => {
  let studio: Studio;
  afterEach(async () => {
    await studio?.close();
  });

  it('shows progress events, can be canceled half way, and its result says how many changed', async () => {
    studio = new Studio({ dataDir: join(dir, 'data') });
    seedAssets(internalsOf(studio).stores.db, 500, {
      dir,
      prompt: (i) => `a lighthouse ${i}`,
      createdAt: (i) => T0 + i,
    });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    bulkTestHooks.set(internalsOf(studio).library, {
      chunk: 50,
      beforeChunk: async (p) => {
        if (p.done === 200) await held;
      },
    });
    const handlers = createHandlers(studio, {
      version: 'test',
      keyStore: { get: () => null, set: () => undefined, clear: () => undefined, kind: () => 'os' },
    });
    const events: TaskInfo[] = [];
    studio.tasks.on('task', (t) => events.push(t));
    const { task } = (await dispatch(handlers, 'library.bulk', {
      selection: { query: 'lighthouse' },
      action: { kind: 'update', addTags: ['beacon'] },
    })) as { task: TaskInfo };
    expect(task).toMatchObject({ kind: 'bulk', state: 'running' });
    await expect.poll(() => events.at(-1)?.done, { timeout: 10_000 }).toBe(200);
    expect(events.at(-1)).toMatchObject({ state: 'running', total: 500 });
    await dispatch(handlers, 'task.cancel', { id: task.id });
    release();
    await expect.poll(() => events.at(-1)?.state, { timeout: 10_000 }).toBe('canceled');
    const end = events.at(-1)!;
    expect(end).toMatchObject({
      kind: 'bulk',
      result: { action: 'update', images: 500, done: 200, changed: 200, token: null },
    });
    expect(end.message).toBe(
      'Canceled after 200 of 500 images: 200 tagged; the rest were left as they were.',
    );
    expect(studio.library.count('tag:beacon')).toBe(200);
  });
});
