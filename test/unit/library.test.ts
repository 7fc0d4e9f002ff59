import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../main/engine/errors.ts';
import { Library } from '../../main/engine/library/library.ts';
import { moveToTrashFolder, systemTrashMover } from '../../main/engine/library/trash.ts';
import { AssetStore, type NewAsset } from '../../main/engine/store/assets.ts';
import { openDatabase, type DB } from '../../main/engine/store/db.ts';
import { rig } from '../helpers/engine.ts';
import { tempDir } from '../helpers/tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

const DAY = 86_400_000;
const T0 = new Date(2026, 5, 1, 12, 0).getTime();

let dir: string;
let cleanup: () => void;
let db: DB;
let store: AssetStore;
let lib: Library;
let clock: number;
let seq = 0;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('qs-library-'));
  db = openDatabase(join(dir, 'studio.db'));
  store = new AssetStore(db);
  clock = T0 + 400 * DAY;
  lib = new Library(db, dir, { now: () => clock });
});
afterEach(() => {
  db.close();
  cleanup();
});

function batch(name: string, model = 'qwen/qwen-image-2'): number {
  return Number(
    db
      .prepare(
        `INSERT INTO batches (name, model, spec_json, total_jobs, total_images, credits_per_image, created_at)
         VALUES (?, ?, '{}', 0, 0, 20, ?)`,
      )
      .run(name, model, T0).lastInsertRowid,
  );
}

/** Adds an asset through the engine's own insert; `file` writes a real file for it. */
function add(prompt: string, o: Partial<NewAsset> & { file?: boolean } = {}): number {
  seq++;
  const path = o.path ?? join(dir, 'library', `img-${seq}.png`);
  if (o.file) {
    mkdirSync(join(dir, 'library'), { recursive: true });
    writeFileSync(path, `image ${seq}`);
  }
  const { file: _file, ...rest } = o;
  return store.add({
    jobId: null,
    batchId: null,
    idx: 0,
    sha256: `sha-${seq}`,
    path,
    bytes: 1000,
    width: 1024,
    height: 1024,
    format: 'png',
    prompt,
    createdAt: T0 + seq * 60_000,
    source: 'generated',
    ...rest,
  });
}

const ids = (text: string, opts: Parameters<Library['search']>[1] = {}) =>
  lib
    .search(text, { limit: 1000, ...opts })
    .rows.map((r) => r.id)
    .sort((a, b) => a - b);
const sorted = (...xs: number[]) => [...xs].sort((a, b) => a - b);

describe('text search in English and Chinese', () => {
  let car: number, cat: number, city: number, oil: number, mixed: number, cafe: number, coffee: number;
  beforeEach(() => {
    car = add('a red sports car at sunset, cinematic');
    cat = add('一只红色的猫，水彩风格');
    city = add('赛博朋克城市夜景，霓虹灯');
    oil = add('portrait of a cat, oil painting', { negativePrompt: '模糊, blurry' });
    mixed = add('红色汽车 in the rain');
    cafe = add('Café on a rainy street');
    coffee = add('コーヒーと猫');
  });

  it('matches English words by their beginning, any case', () => {
    expect(ids('red')).toEqual([car]);
    expect(ids('RED')).toEqual([car]);
    expect(ids('spo')).toEqual([car]);
    expect(ids('cat')).toEqual([oil]);
    expect(ids('sunset cinematic')).toEqual([car]);
    expect(ids('cars')).toEqual([]);
  });

  it('folds accents and full-width letters', () => {
    expect(ids('cafe')).toEqual([cafe]);
    expect(ids('ｒｅｄ')).toEqual([car]);
  });

  it('finds one Chinese character anywhere in a run: start, middle and end', () => {
    expect(ids('猫')).toEqual(sorted(cat, coffee));
    expect(ids('红')).toEqual(sorted(cat, mixed));
    expect(ids('色')).toEqual(sorted(cat, mixed));
    expect(ids('车')).toEqual([mixed]);
    expect(ids('灯')).toEqual([city]);
  });

  it('finds two-character words, including across word boundaries inside a run', () => {
    expect(ids('红色')).toEqual(sorted(cat, mixed));
    expect(ids('色的')).toEqual([cat]);
    expect(ids('汽车')).toEqual([mixed]);
    expect(ids('夜景')).toEqual([city]);
    expect(ids('水彩')).toEqual([cat]);
    expect(ids('彩色')).toEqual([]);
  });

  it('finds three- and four-character words and longer', () => {
    expect(ids('赛博朋克')).toEqual([city]);
    expect(ids('朋克城市')).toEqual([city]);
    expect(ids('城市夜')).toEqual([city]);
    expect(ids('一只红色的猫')).toEqual([cat]);
    expect(ids('红色的狗')).toEqual([]);
  });

  it('finds Japanese kana runs', () => {
    expect(ids('コーヒー')).toEqual([coffee]);
  });

  it('quoted phrases need the words in order, across scripts', () => {
    expect(ids('"red sports car"')).toEqual([car]);
    expect(ids('"sports red"')).toEqual([]);
    expect(ids('"汽车 in the"')).toEqual([mixed]);
    expect(ids('"车 in"')).toEqual([mixed]);
    expect(ids('"oil painting"')).toEqual([oil]);
  });

  it('mixes words from both languages, all of which must match', () => {
    expect(ids('红色 rain')).toEqual([mixed]);
    expect(ids('红色 sunset')).toEqual([]);
  });

  it('searches the negative and actual prompts, tags and notes; batch names only through batch:', () => {
    expect(ids('模糊')).toEqual([oil]);
    const b = batch('Summer 海报 set');
    const x = add('plain', { batchId: b, actualPrompt: 'plain, expanded with a lighthouse' });
    lib.addTags([car], ['Landscape', '风景']);
    lib.setNotes([cafe], 'client liked this one');
    expect(ids('lighthouse')).toEqual([x]);
    expect(ids('海报')).toEqual([]);
    expect(ids('summer')).toEqual([]);
    expect(ids('batch:summer')).toEqual([x]);
    expect(ids('batch:海报')).toEqual([x]);
    // One character is looked up in its own column: it must not hold the batch name's characters either.
    expect(ids('海')).toEqual([]);
    expect(ids('报')).toEqual([]);
    expect(ids('batch:报')).toEqual([x]);
    // …nor after a rename (车 is in one prompt; the batch's images only have it in their batch's name).
    db.prepare('UPDATE batches SET name = ? WHERE id = ?').run('夏日车展', b);
    expect(ids('车')).toEqual([mixed]);
    expect(ids('展')).toEqual([]);
    expect(ids('batch:车')).toEqual([x]);
    expect(ids('landscape')).toEqual([car]);
    expect(ids('风景')).toEqual([car]);
    expect(ids('client')).toEqual([cafe]);
  });

  it('a word finds, leaves out and counts images by their tag names as by their texts; renames and untags leave nothing behind', () => {
    lib.addTags([car], ['Landscape', '风景']);
    lib.addTags([city], ['landmark']);
    lib.addTags([cafe], ['red']);
    // A prefix of two tag names; a word in one prompt and one tag; one character of a tag name.
    expect(ids('land')).toEqual(sorted(car, city));
    expect(ids('red')).toEqual(sorted(car, cafe));
    expect(ids('景')).toEqual(sorted(car, city)); // 风景 (a tag) and 夜景 (a prompt)
    expect(ids('cat -red')).toEqual([oil]);
    expect(ids('-land -red -猫 -红')).toEqual([oil]);
    expect(ids('rain -red')).toEqual([mixed]);
    expect(ids('red rain')).toEqual([cafe]); // cafe's tag and its "rainy" prompt
    for (const q of ['land', 'red', 'red rain', 'cat -red', '景 tag:landmark', 'red -tag:landscape']) {
      expect(lib.count(q), q).toBe(ids(q).length);
      expect(
        [...lib.ids(q, 1)].sort((a, b) => a - b),
        q,
      ).toEqual(ids(q));
    }
    expect(ids('red', { sort: 'relevance' })).toEqual(sorted(car, cafe));
    lib.removeTags([cafe], ['red']);
    expect(ids('red')).toEqual([car]);
    db.prepare("UPDATE tags SET name = 'skyline' WHERE name = 'landmark'").run();
    expect(ids('land')).toEqual([car]);
    expect(ids('sky')).toEqual([city]);
    expect(ids('tag:skyline')).toEqual([city]);
  });

  it('a batch name never empties or fills a plain search (teapot -red, cat vs "Spring catalogue")', () => {
    const red = batch('red teapots and a catalogue');
    const teapot = add('a porcelain teapot on a table', { batchId: red });
    const spring = batch('Spring catalogue');
    add('a bicycle in the rain', { batchId: spring });
    expect(ids('teapot -red')).toEqual([teapot]);
    expect(ids('cat')).toEqual([oil]);
    expect(ids('catalogue')).toEqual([]);
  });

  it('excludes words, phrases and Chinese', () => {
    expect(ids('红色 -猫')).toEqual([mixed]);
    expect(ids('cat -"oil painting"')).toEqual([]);
    expect(ids('-红色 -cat -rain')).toEqual(sorted(car, city, coffee));
  });

  it('expands a typed word to exactly the words the index holds, whatever the script or accents', () => {
    const texts = [
      'Crème brûlée, ÉCOLE, naïve façade',
      'Straße Größe ß',
      'İstanbul ıssız',
      'łódź Øresund Ångström',
      'Tiếng Việt phở',
      "artist's sci-fi x-ray 8k 1024x1024",
      'Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ',
      'ﬁne ligature Æther œuvre',
      'Привет мир йогурт ёлка',
      'Γειά σου',
      'שלום עולם',
      'مرحبا',
      'हिन्दी',
      'caffè lattè',
      'Ⅻ ½ ²³',
      'ǅemal Ǆ',
    ];
    for (const t of texts) add(t, { negativePrompt: t.split(' ').reverse().join(' ') });
    db.exec("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, 'asset_search', 'col')");
    const indexed = db
      .prepare(
        "SELECT DISTINCT term FROM temp.vocab WHERE col IN ('prompt', 'negative') AND length(term) >= 3 AND term NOT GLOB '*[一-龥]*'",
      )
      .pluck()
      .all() as string[];
    const known = new Set(db.prepare('SELECT term FROM search_terms').pluck().all() as string[]);
    expect(indexed.length).toBeGreaterThan(40);
    expect(indexed.filter((t) => !known.has(t))).toEqual([]);
    // And each word is found from its first three letters, typed with or without accents.
    expect(ids('cre')).toEqual(ids('crème'));
    expect(ids('ecol')).toHaveLength(1);
    expect(ids('STRA')).toHaveLength(1);
    expect(ids('pho')).toHaveLength(1);
    expect(ids('при')).toHaveLength(1);
  });

  it('turns FTS5 syntax typed by a person into plain text', () => {
    for (const q of [
      'NEAR(red car)',
      'red OR car',
      'red AND',
      'NOT',
      '^red',
      'red*',
      '"',
      '(',
      'prompt:red',
      '{prompt}: red',
      'a"b',
    ]) {
      expect(() => lib.search(q)).not.toThrow();
    }
    expect(ids('red*')).toEqual([car]);
  });

  it('follows edits: a changed prompt, tag rename, batch rename', () => {
    lib.addTags([oil], ['old-name']);
    expect(ids('old')).toEqual([oil]);
    lib.renameTag('old-name', 'fresh-name');
    expect(ids('old')).toEqual([]);
    expect(ids('fresh')).toEqual([oil]);
    const b = batch('Alpha');
    const y = add('thing', { batchId: b });
    db.prepare('UPDATE batches SET name = ? WHERE id = ?').run('Omega', b);
    expect(ids('batch:alpha')).toEqual([]);
    expect(ids('batch:omega')).toEqual([y]);
    db.prepare('UPDATE assets SET prompt = ? WHERE id = ?').run('a blue bicycle', car);
    expect(ids('red')).toEqual([]);
    expect(ids('bicycle')).toEqual([car]);
  });
});

describe('every operator, end to end', () => {
  let a: number, b: number, c: number, d: number, e: number;
  let summer: number, winter: number;
  beforeEach(() => {
    summer = batch('Summer set', 'qwen/qwen-image-2-pro');
    winter = batch('Winter set');
    a = add('alpha', {
      batchId: summer,
      model: 'qwen/qwen-image-2-pro',
      aspectRatio: '16:9',
      width: 1024,
      height: 576,
      seed: 11,
      format: 'png',
      createdAt: T0,
    });
    b = add('beta', {
      batchId: summer,
      model: 'qwen/qwen-image-2-pro',
      aspectRatio: '9:16',
      width: 576,
      height: 1024,
      seed: 22,
      format: 'jpeg',
      createdAt: T0 + 10 * DAY,
    });
    c = add('gamma', {
      batchId: winter,
      model: 'qwen/qwen-image-2',
      width: 1024,
      height: 1024,
      seed: 33,
      format: 'webp',
      createdAt: T0 + 20 * DAY,
    });
    d = add('delta', {
      source: 'imported',
      width: 1200,
      height: 800,
      format: 'png',
      createdAt: T0 + 30 * DAY,
    });
    e = add('epsilon', {
      batchId: winter,
      model: 'qwen/qwen-image-2',
      width: 1024,
      height: 768,
      seed: 55,
      format: 'png',
      createdAt: T0 + 40 * DAY,
    });
    lib.setFavorite([a, c], true);
    lib.setRating([a], 5);
    lib.setRating([b], 4);
    lib.setRating([c], 2);
    lib.setRejected([e], true);
    lib.addTags([a, b], ['portrait']);
    lib.addTags([b, c], ['draft']);
    const best = lib.createCollection('Best of June');
    lib.addToCollection(best, [a, d]);
  });

  it.each([
    ['tag:portrait', () => [a, b]],
    ['tag:PORTRAIT tag:draft', () => [b]],
    ['-tag:draft', () => [a, d, e]],
    ['tag:nosuch', () => []],
    ['-tag:nosuch', () => [a, b, c, d, e]],
    ['batch:summer', () => [a, b]],
    ['batch:SET', () => [a, b, c, e]],
    ['-batch:summer', () => [c, d, e]],
    ['collection:june', () => [a, d]],
    ['-collection:june', () => [b, c, e]],
    ['ar:16:9', () => [a]],
    ['ar:9:16', () => [b]],
    ['ar:1:1', () => [c]],
    ['ar:3:2', () => [d]],
    ['ar:4:3', () => [e]],
    ['ar:16:9 ar:9:16', () => [a, b]],
    ['ar:landscape', () => [a, d, e]],
    ['ar:portrait', () => [b]],
    ['ar:square', () => [c]],
    ['format:png', () => [a, d, e]],
    ['format:jpg', () => [b]],
    ['format:webp,jpeg', () => [b, c]],
    ['-format:png', () => [b, c]],
    ['fav', () => [a, c]],
    ['-fav', () => [b, d, e]],
    ['rejected', () => [e]],
    ['-rejected', () => [a, b, c, d]],
    ['rating>=4', () => [a, b]],
    ['rating>4', () => [a]],
    ['rating<=2', () => [c, d, e]],
    ['rating<2', () => [d, e]],
    ['rating=2', () => [c]],
    ['rating:0', () => [d, e]],
    ['rating>=2 rating<5', () => [b, c]],
    ['seed:22', () => [b]],
    ['-seed:22', () => [a, c, d, e]],
    ['model:pro', () => [a, b]],
    ['-model:pro', () => [c, d, e]],
    ['source:imported', () => [d]],
    ['source:generated', () => [a, b, c, e]],
    ['fav rating>=4 tag:portrait', () => [a]],
    ['fav -rejected format:webp', () => [c]],
  ])('%s', (query, expected) => {
    expect(ids(query)).toEqual(sorted(...expected()));
    expect(lib.count(query)).toBe(expected().length);
  });

  it('batch:#id and collection:#id', () => {
    expect(ids(`batch:#${winter}`)).toEqual(sorted(c, e));
    const col = lib.collections()[0]!.id;
    expect(ids(`collection:#${col}`)).toEqual(sorted(a, d));
  });

  it('before:, after:, on: and relative dates', () => {
    const day = (ms: number) => {
      const x = new Date(ms);
      return `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`;
    };
    expect(ids(`after:${day(T0 + 10 * DAY)}`)).toEqual(sorted(b, c, d, e));
    expect(ids(`before:${day(T0 + 10 * DAY)}`)).toEqual([a]);
    expect(ids(`after:${day(T0 + 5 * DAY)} before:${day(T0 + 25 * DAY)}`)).toEqual(sorted(b, c));
    expect(ids(`on:${day(T0 + 20 * DAY)}`)).toEqual([c]);
    clock = T0 + 45 * DAY;
    expect(ids('after:7d')).toEqual([e]);
    expect(ids('after:today')).toEqual([]);
    clock = T0 + 40 * DAY + 3_600_000;
    expect(ids('after:today')).toEqual([e]);
  });

  it('text and filters together', () => {
    expect(ids('beta tag:portrait')).toEqual([b]);
    expect(ids('alpha -fav')).toEqual([]);
  });
});

describe('order and paging', () => {
  it('newest first by creation time, not insertion order, with keyset paging matching offsets', () => {
    const made: number[] = [];
    for (let i = 0; i < 30; i++)
      // Spread over five months (keyset pages narrow by month) and out of insertion order.
      made.push(add(`item ${i} lantern`, { createdAt: T0 + ((i * 7) % 30) * 5 * DAY }));
    const byDate = [...made].sort((x, y) => {
      const ax = lib.get(x)!.createdAt;
      const ay = lib.get(y)!.createdAt;
      return ay - ax || y - x;
    });
    const all = lib.search('lantern', { limit: 100 });
    expect(all.rows.map((r) => r.id)).toEqual(byDate);
    expect(all.total).toBe(30);
    const pages: number[] = [];
    let after: number | null = null;
    for (;;) {
      const page = lib.search('lantern', { limit: 7, after, count: false });
      pages.push(...page.rows.map((r) => r.id));
      if (page.next === null) break;
      after = page.next;
    }
    expect(pages).toEqual(byDate);
    expect(lib.search('lantern', { limit: 7, offset: 14 }).rows.map((r) => r.id)).toEqual(
      byDate.slice(14, 21),
    );
    // Keyset pages of a date-filtered query, and of every image, agree with the unpaged order too.
    const day = new Date(T0 + 100 * DAY);
    const before = `before:${day.getFullYear()}-${day.getMonth() + 1}-${day.getDate()}`;
    const cut = new Date(day.getFullYear(), day.getMonth(), day.getDate()).getTime();
    const older = byDate.filter((id) => lib.get(id)!.createdAt < cut);
    expect(older.length).toBeGreaterThan(10);
    expect(older.length).toBeLessThan(30);
    for (const [q, want] of [
      [before, older],
      ['', byDate],
    ] as const) {
      const got: number[] = [];
      let cursor: number | null = null;
      do {
        const page = lib.search(q, { limit: 4, after: cursor, count: false });
        got.push(...page.rows.map((r) => r.id));
        cursor = page.next;
      } while (cursor !== null);
      expect(got).toEqual(want);
      expect(lib.count(q)).toBe(want.length);
      expect([...lib.ids(q, 3)]).toEqual(want);
    }
  });

  it('relevance puts the strongest match first, newest puts the latest first', () => {
    const strong = add('dragon, a dragon flying over a dragon castle', { createdAt: T0 });
    lib.addTags([strong], ['dragon']);
    const weak = add('a castle at dusk', { negativePrompt: 'no dragon', createdAt: T0 + DAY });
    const middle = add('a small dragon toy on a desk, soft light, studio shot', { createdAt: T0 + 2 * DAY });
    expect(lib.search('dragon').rows.map((r) => r.id)).toEqual([middle, weak, strong]);
    expect(lib.search('dragon', { sort: 'relevance' }).rows.map((r) => r.id)).toEqual([strong, middle, weak]);
    expect(lib.search('dragon', { sort: 'relevance' }).next).toBeNull();
  });
});

describe('bulk actions', () => {
  const N = 10_000;
  let made: number[];
  beforeEach(() => {
    made = db.transaction(() =>
      Array.from({ length: N }, (_, i) =>
        add(i % 2 ? `bulk sunflower field ${i}` : `bulk 向日葵 ${i}`, { createdAt: T0 + i * 1000 }),
      ),
    )();
  });

  it(`favorite and tag ${N} images by id, and every match of a query ("all N matching")`, () => {
    expect(lib.setFavorite(made, true)).toBe(N);
    expect(lib.setFavorite(made, true)).toBe(0); // already favorites: nothing rewritten
    expect(lib.count('fav bulk')).toBe(N);
    expect(lib.addTags(made, ['batch-a', 'Batch-A', ' 批次 '])).toBe(2 * N);
    expect(lib.count('tag:batch-a')).toBe(N);
    expect(lib.count('tag:批次 fav')).toBe(N);

    const matching = lib.count('向日葵');
    expect(matching).toBe(N / 2);
    expect(lib.setRating({ query: '向日葵' }, 4)).toBe(N / 2);
    expect(lib.count('rating=4')).toBe(N / 2);
    expect(lib.setFavorite({ query: 'sunflower' }, false)).toBe(N / 2);
    expect(lib.count('fav')).toBe(N / 2);
    expect(lib.count('fav 向日葵')).toBe(N / 2);
    expect(lib.removeTags({ query: 'rating=4' }, ['batch-a'])).toBe(N / 2);
    expect(lib.count('tag:batch-a')).toBe(N / 2);
    expect(lib.count('tag:batch-a sunflower')).toBe(N / 2);
    expect(lib.tagSuggestions('batch')).toEqual([expect.objectContaining({ name: 'batch-a', uses: N / 2 })]);
  });

  it('ids() streams every match and lets the caller write between chunks', () => {
    let seen = 0;
    for (const id of lib.ids('bulk', 1000)) {
      if (seen % 1000 === 0) lib.setRejected([id], true);
      seen++;
    }
    expect(seen).toBe(N);
    expect(lib.count('rejected')).toBe(N / 1000);
    expect(lib.resolve({ query: 'sunflower' })).toHaveLength(N / 2);
  });

  it('collections take bulk adds and removes, and report their size', () => {
    const c = lib.createCollection('Flowers');
    expect(lib.addToCollection(c, { query: '向日葵' })).toBe(N / 2);
    expect(lib.collections()).toEqual([expect.objectContaining({ id: c, name: 'Flowers', count: N / 2 })]);
    expect(lib.count('collection:flowers sunflower')).toBe(0);
    expect(lib.removeFromCollection(c, made.slice(0, 1000))).toBe(500);
    expect(lib.count('collection:flowers')).toBe(N / 2 - 500);
  });
});

describe('trash and undo', () => {
  it('moves files to the trash folder, hides the rows, and undo restores files, rows, tags and search', async () => {
    const keep = add('a blue teapot', { file: true });
    const gone1 = add('a red teapot', { file: true });
    const gone2 = add('红色茶壶', { file: true });
    lib.addTags([gone1, gone2], ['teaware']);
    const col = lib.createCollection('Kitchen');
    lib.addToCollection(col, [gone1]);
    const paths = [gone1, gone2].map((id) => lib.get(id)!.path);

    const receipt = await lib.trash({ query: 'tag:teaware' });
    expect(receipt).toEqual({ token: expect.any(Number), assets: 2, files: 2, failed: [] });
    for (const p of paths) expect(existsSync(p)).toBe(false);
    expect(readdirSync(lib.trashDir(receipt.token))).toHaveLength(2);
    expect(ids('teapot')).toEqual([keep]);
    expect(ids('茶壶')).toEqual([]);
    expect(lib.count('tag:teaware')).toBe(0);
    expect(lib.get(gone1)!.deletedAt).toBe(clock);
    expect(store.count()).toBe(1);
    expect(lib.collections()[0]!.count).toBe(0);
    expect(lib.trashOps()).toEqual([{ token: receipt.token, at: clock, assets: 2 }]);

    const undo = await lib.undo(receipt.token);
    expect(undo).toEqual({ assets: 2, filesRestored: 2, filesNotRestored: [] });
    for (const [i, p] of paths.entries()) {
      expect(readFileSync(p, 'utf8')).toMatch(/^image \d+$/);
      expect(lib.get([gone1, gone2][i]!)!.path).toBe(p);
    }
    expect(ids('teapot')).toEqual(sorted(keep, gone1));
    expect(ids('茶壶')).toEqual([gone2]);
    expect(ids('tag:teaware')).toEqual(sorted(gone1, gone2));
    expect(ids('collection:kitchen')).toEqual([gone1]);
    expect(existsSync(lib.trashDir(receipt.token))).toBe(false);
    await expect(lib.undo(receipt.token)).rejects.toThrow(StudioError);
    await expect(lib.undo(receipt.token)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(lib.trashOps()).toEqual([]);
  });

  it('keeps a file that another image still uses, and restores beside a file that took its name', async () => {
    const shared = join(dir, 'library', 'shared.png');
    const first = add('first copy', { path: shared, file: true });
    const second = add('second copy', { path: shared, sha256: 'sha-same' });
    const r1 = await lib.trash([first]);
    expect(r1.files).toBe(0);
    expect(existsSync(shared)).toBe(true);
    expect(lib.get(second)!.deletedAt).toBeNull();

    const lone = add('lonely', { file: true });
    const lonePath = lib.get(lone)!.path;
    const r2 = await lib.trash([lone]);
    writeFileSync(lonePath, 'a newer file with the same name');
    await lib.undo(r2.token);
    expect(readFileSync(lonePath, 'utf8')).toBe('a newer file with the same name');
    const restored = lib.get(lone)!.path;
    expect(restored).not.toBe(lonePath);
    expect(restored).toMatch(/\(restored\)\.png$/);
    expect(readFileSync(restored, 'utf8')).toMatch(/^image/);
  });

  it('a trash canceled half way keeps the images whose files left, brings back the others, and says how far it got', async () => {
    const all = Array.from({ length: 10 }, (_, i) => add(`a lamp ${i}`, { file: true }));
    const stop = new AbortController();
    const progress: number[] = [];
    let moved = 0;
    const receipt = await lib.trash(
      { query: 'lamp' },
      async (from, to) => {
        const where = await moveToTrashFolder(from, to);
        if (++moved === 4) stop.abort();
        return where;
      },
      { signal: stop.signal, onProgress: (done) => progress.push(done) },
    );
    expect(receipt).toEqual({ token: expect.any(Number), assets: 4, files: 4, failed: [], canceled: true });
    expect(progress).toEqual([0, 1, 2, 3, 4]);
    expect(lib.count('lamp')).toBe(6);
    const back = ids('lamp');
    for (const id of back) expect(existsSync(lib.get(id)!.path)).toBe(true);
    expect(lib.trashOps()).toEqual([{ token: receipt.token, at: clock, assets: 4 }]);
    // Undo brings back exactly what went.
    expect(await lib.undo(receipt.token)).toMatchObject({ assets: 4, filesRestored: 4 });
    expect(ids('lamp')).toEqual(sorted(...all));

    // Canceled before the first file: nothing stays in the trash, and no empty action is left to undo.
    const before = new AbortController();
    before.abort();
    const none = await lib.trash({ query: 'lamp' }, moveToTrashFolder, { signal: before.signal });
    expect(none).toMatchObject({ token: 0, assets: 0, canceled: true });
    expect(lib.count('lamp')).toBe(10);
    expect(lib.trashOps()).toEqual([]);
  });

  it('with the system trash, undo brings the rows back and names the files it cannot', async () => {
    const x = add('system trash test', { file: true });
    const path = lib.get(x)!.path;
    const sent: string[] = [];
    const receipt = await lib.trash(
      [x],
      systemTrashMover(async (p) => void sent.push(p)),
    );
    expect(sent).toEqual([path]);
    const undo = await lib.undo(receipt.token);
    expect(undo).toEqual({ assets: 1, filesRestored: 0, filesNotRestored: [path] });
    expect(ids('system')).toEqual([x]);
  });

  it('a file the mover cannot move stays, and is reported', async () => {
    const x = add('stubborn', { file: true });
    const receipt = await lib.trash([x], async () => {
      throw new Error('permission denied');
    });
    expect(receipt.failed).toEqual([{ path: lib.get(x)!.path, error: 'permission denied' }]);
    expect(existsSync(lib.get(x)!.path)).toBe(true);
    await lib.undo(receipt.token);
    expect(ids('stubborn')).toEqual([x]);
  });

  it('tags count only the images outside the trash, in the rail and in suggestions', async () => {
    const [a, b] = [add('kept one', { file: true }), add('trashed one', { file: true })];
    lib.addTags([a, b], ['keeper']);
    lib.addTags([b], ['gone-with-it']);
    const receipt = await lib.trash([b]);
    expect(lib.tags().map((t) => [t.name, t.uses])).toEqual([['keeper', 1]]);
    expect(lib.tagSuggestions('').map((t) => [t.name, t.uses])).toEqual([['keeper', 1]]);
    await lib.undo(receipt.token);
    expect(lib.tags().map((t) => [t.name, t.uses])).toEqual([
      ['gone-with-it', 1],
      ['keeper', 2],
    ]);
  });

  it('purging deletes rows and trashed files for good', async () => {
    const x = add('to be purged', { file: true });
    lib.addTags([x], ['temp']);
    const receipt = await lib.trash([x]);
    expect(await lib.purgeTrash()).toBe(1);
    expect(lib.get(x)).toBeNull();
    expect(existsSync(lib.trashDir(receipt.token))).toBe(false);
    expect(lib.tags()).toEqual([]);
    await expect(lib.undo(receipt.token)).rejects.toThrow(/emptied/);
  });
});

describe('duplicates, disk usage, saved searches, tags', () => {
  it('groups duplicates by received or stored hash and suggests which to keep', () => {
    const a = add('one', { sha256: 'h1', bytes: 100, path: join(dir, 'a.png') });
    const b = add('two', { sha256: 'h1', bytes: 100, path: join(dir, 'b.png') });
    const c = add('three', { sha256: 'h2', fileSha256: 'h2-stored', bytes: 300, path: join(dir, 'c.png') });
    const d = add('four', { sha256: 'h2-stored', source: 'imported', bytes: 300, path: join(dir, 'd.png') });
    add('unique', { sha256: 'h3' });
    lib.setFavorite([b], true);
    const groups = lib.duplicates();
    expect(groups).toHaveLength(2);
    const g1 = groups.find((g) => g.ids.includes(a))!;
    expect(g1).toMatchObject({ ids: sorted(a, b), keep: b, reclaimableBytes: 100 });
    const g2 = groups.find((g) => g.ids.includes(c))!;
    expect(g2).toMatchObject({ ids: sorted(c, d), keep: c, reclaimableBytes: 300 });
  });

  it('reports disk usage per batch and per collection, counting a shared file once', () => {
    const b1 = batch('Big');
    const b2 = batch('Small');
    const shared = join(dir, 'shared.png');
    const x = add('x', { batchId: b1, bytes: 1000, path: shared });
    const y = add('y', { batchId: b1, bytes: 1000, path: shared });
    const z = add('z', { batchId: b1, bytes: 500 });
    add('w', { batchId: b2, bytes: 200 });
    const imported = add('v', { bytes: 50 });
    const col = lib.createCollection('Picks');
    lib.addToCollection(col, [x, y, imported]);
    lib.createCollection('Empty');
    const byBatch = lib.diskUsage({ by: 'batch' });
    expect(byBatch.rows).toEqual([
      { id: b1, name: 'Big', assets: 3, files: 2, bytes: 1500 },
      { id: b2, name: 'Small', assets: 1, files: 1, bytes: 200 },
      { id: null, name: 'No batch (imported)', assets: 1, files: 1, bytes: 50 },
    ]);
    expect(byBatch.total).toEqual({ assets: 5, files: 4, bytes: 1750 });
    expect(lib.diskUsage({ by: 'collection' }).rows).toEqual([
      { id: col, name: 'Picks', assets: 3, files: 2, bytes: 1050 },
      { id: col + 1, name: 'Empty', assets: 0, files: 0, bytes: 0 },
    ]);
    expect(z).toBeGreaterThan(0);
  });

  it('saves, replaces, renames and deletes searches', () => {
    const s = lib.saveSearch('Favorites 4+', 'fav rating>=4');
    expect(lib.savedSearches()).toEqual([s]);
    clock += 1000;
    const replaced = lib.saveSearch('favorites 4+', 'fav rating>=5');
    expect(replaced).toMatchObject({ id: s.id, query: 'fav rating>=5', updatedAt: clock });
    lib.saveSearch('Cats', 'cat');
    expect(() => lib.renameSavedSearch(s.id, 'cats')).toThrow(/already exists/);
    lib.renameSavedSearch(s.id, 'Top picks');
    expect(lib.savedSearches().map((x) => x.name)).toEqual(['Cats', 'Top picks']);
    expect(lib.deleteSavedSearch(s.id)).toBe(true);
    expect(lib.savedSearches().map((x) => x.name)).toEqual(['Cats']);
    expect(() => lib.saveSearch('  ', 'x')).toThrow(StudioError);
  });

  it('suggests tags by prefix first, then by substring, most used first', () => {
    const xs = Array.from({ length: 6 }, (_, i) => add(`t${i}`));
    lib.addTags(xs, ['portrait']);
    lib.addTags(xs.slice(0, 2), ['Port city']);
    lib.addTags(xs.slice(0, 4), ['support']);
    lib.addTags(xs.slice(0, 1), ['人像']);
    expect(lib.tagSuggestions('por').map((t) => [t.name, t.uses])).toEqual([
      ['portrait', 6],
      ['Port city', 2],
      ['support', 4],
    ]);
    expect(lib.tagSuggestions('PORT', 1).map((t) => t.name)).toEqual(['portrait']);
    expect(lib.tagSuggestions('人').map((t) => t.name)).toEqual(['人像']);
    expect(lib.tagSuggestions('%')).toEqual([]);
    lib.removeTags(xs, ['portrait']);
    expect(lib.tagSuggestions('por').map((t) => t.name)).toEqual(['Port city', 'support']);
  });

  it('get() returns tags and collections; invalid ratings are refused', () => {
    const x = add('detail');
    lib.addTags([x], ['b-tag', 'a-tag']);
    const c = lib.createCollection('Set');
    lib.addToCollection(c, [x]);
    expect(lib.get(x)).toMatchObject({
      id: x,
      tags: ['a-tag', 'b-tag'],
      collections: [{ id: c, name: 'Set' }],
      favorite: false,
      rating: 0,
    });
    expect(() => lib.setRating([x], 6)).toThrow(/0 to 5/);
    expect(() => lib.createCollection('set')).toThrow(/already exists/);
  });
});

describe('AssetStore.search (the CLI) goes through the query engine', () => {
  it('understands the query language and leaves out the trash', async () => {
    const x = add('a red fox', { file: true });
    const y = add('红色狐狸');
    lib.setFavorite([y], true);
    expect(store.search('红色 fav').map((r) => r.id)).toEqual([y]);
    expect(store.search('fox').map((r) => r.id)).toEqual([x]);
    await lib.trash([x]);
    expect(store.search('fox')).toEqual([]);
    expect(store.pathForSha(lib.get(x)!.sha256)).toBeNull();
  });
});

describe('downloaded images reach the library with their generation', () => {
  it('the scheduler stores negative prompt, ratio, seed, model, params and credits, and search finds them', async () => {
    const r = await rig({ faults: { latencyMs: 20, jitterMs: 0 } });
    try {
      r.studio.start();
      r.studio.batches.create({
        name: '夏日 batch',
        model: 'qwen/qwen-image-2-pro',
        entries: [{ prompt: '一只红色的狐狸 in the snow' }],
        params: { negative_prompt: 'blurry, 水印', aspect_ratio: '16:9', num_images: 2 },
        seed: { mode: 'fixed', value: 4242 },
      });
      await r.studio.whenSettled();
      const assets = internalsOf(r.studio).stores.assets.search('', 10);
      expect(assets).toHaveLength(2);
      for (const a of assets) {
        expect(a).toMatchObject({
          source: 'generated',
          model: 'qwen/qwen-image-2-pro',
          negativePrompt: 'blurry, 水印',
          aspectRatio: '16:9',
          seed: 4242,
          favorite: false,
          rating: 0,
        });
        expect(a.params).toMatchObject({ negative_prompt: 'blurry, 水印', aspect_ratio: '16:9', seed: 4242 });
        expect(a.credits).toBe(internalsOf(r.studio).stores.jobs.get(a.jobId)!.credits! / 2);
      }
      const found = new Library(internalsOf(r.studio).stores.db, r.dataDir);
      for (const q of ['狐狸', '狐', 'snow', '水印', 'seed:4242', 'ar:16:9', 'model:pro', 'batch:夏日']) {
        expect(found.count(q)).toBe(2);
      }
      expect(found.count('夏日')).toBe(0);
    } finally {
      await r.close();
    }
  });
});
