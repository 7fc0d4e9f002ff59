import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INITIAL_SCORE } from '../../main/engine/library/elo.ts';
import { Library } from '../../main/engine/library/library.ts';
import { Ranking, RANKING_POOL_MAX } from '../../main/engine/services/ranking.ts';
import { AssetStore } from '../../main/engine/store/assets.ts';
import { openDatabase, type DB } from '../../main/engine/store/db.ts';
import { StudioError } from '../../main/engine/errors.ts';
import { thrown } from '../helpers/throws.ts';
import { tempDir } from '../helpers/tmp.ts';

const T0 = new Date(2026, 5, 1, 12, 0).getTime();
let dir: string;
let cleanup: () => void;
let path: string;
let db: DB;
let store: AssetStore;
let lib: Library;
let ranking: Ranking;
let seq = 0;

function open() {
  db = openDatabase(path);
  store = new AssetStore(db);
  lib = new Library(db, dir);
  ranking = new Ranking(lib);
}
beforeEach(() => {
  ({ dir, cleanup } = tempDir('qs-ranking-'));
  path = join(dir, 'studio.db');
  open();
});
afterEach(() => {
  db.close();
  cleanup();
});

function add(prompt: string): number {
  seq++;
  return store.add({
    jobId: null,
    batchId: null,
    idx: 0,
    sha256: `sha-${seq}`,
    path: join(dir, 'library', `img-${seq}.png`),
    bytes: 1000,
    width: 512,
    height: 512,
    format: 'png',
    prompt,
    createdAt: T0 + seq * 60_000,
    source: 'generated',
  });
}

function expectStudioError(fn: () => unknown, code: string, message: RegExp) {
  const err = thrown(StudioError, fn);
  expect(err.code).toBe(code);
  expect(err.message).toMatch(message);
}

const best = (text = '') => lib.search(text, { sort: 'best', limit: 100 }).rows.map((r) => r.prompt);

describe('the ranking service', () => {
  it('starts every image at 1500 with no comparisons, and a choice moves both (zero-sum)', () => {
    const a = add('apple');
    const b = add('banana');
    expect(lib.get(a)).toMatchObject({ score: INITIAL_SCORE, comparisons: 0 });
    const r = ranking.choose(b, a);
    expect(r.winner).toMatchObject({ id: b, score: 1516, comparisons: 1 });
    expect(r.loser).toMatchObject({ id: a, score: 1484, comparisons: 1 });
    expect(lib.get(b)!.score! + lib.get(a)!.score!).toBe(2 * INITIAL_SCORE);
  });

  it('sorts best first (then newest), also within a search, and keeps it across a restart', () => {
    const ids = ['red one', 'red two', 'blue three', 'red four'].map(add);
    expect(best()).toEqual(['red four', 'blue three', 'red two', 'red one']);
    ranking.choose(ids[0]!, ids[3]!);
    ranking.choose(ids[0]!, ids[2]!);
    ranking.choose(ids[1]!, ids[3]!);
    db.close();
    open();
    expect(best()).toEqual(['red one', 'red two', 'blue three', 'red four']);
    expect(best('red')).toEqual(['red one', 'red two', 'red four']);
    expect(best('-red')).toEqual(['blue three']);
    const page = lib.search('', { sort: 'best', limit: 2, offset: 2 });
    expect(page.rows.map((r) => r.prompt)).toEqual(['blue three', 'red four']);
    expect(page.next).toBeNull();
  });

  it('resolves a round from a selection or a query, leaving out the trash', async () => {
    const ids = ['cat 1', 'cat 2', 'cat 3', 'dog'].map(add);
    expect(ranking.pool({ query: 'cat' }).ids.sort()).toEqual(ids.slice(0, 3).sort());
    expect(ranking.pool({ query: 'cat' }).total).toBe(3);
    await lib.trash([ids[0]!], async () => null);
    expect(ranking.pool(ids).ids.sort()).toEqual(ids.slice(1).sort());
    expectStudioError(() => ranking.pool([ids[3]!]), 'NOTHING_SELECTED', /at least two images/);
    expect(RANKING_POOL_MAX).toBe(500);
  });

  it('gives the next pair of a round until it is over', () => {
    const ids = ['a', 'b', 'c'].map(add);
    const shown: [number, number][] = [];
    for (let p = ranking.next(ids, shown, 5); p; p = ranking.next(ids, shown, 5)) {
      expect(p.done).toBe(shown.length);
      expect(p.total).toBe(3);
      shown.push([p.left.id, p.right.id]);
      ranking.choose(p.left.id, p.right.id);
    }
    expect(shown).toHaveLength(3);
    expect(ids.map((id) => lib.get(id)!.comparisons)).toEqual([2, 2, 2]);
  });

  it('takes the last choice back, and refuses to skip over a later one', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(add) as [number, number, number];
    const first = ranking.choose(a, b);
    const second = ranking.choose(a, c);
    expectStudioError(() => ranking.undo(first.token), 'CONFLICT', /compared again/);
    ranking.undo(second.token);
    expect(lib.get(c)).toMatchObject({ score: INITIAL_SCORE, comparisons: 0 });
    ranking.undo(first.token);
    expect(lib.get(a)).toMatchObject({ score: INITIAL_SCORE, comparisons: 0 });
    expectStudioError(() => ranking.undo(first.token), 'NOT_FOUND', /undone already/);
    expectStudioError(() => ranking.choose(a, a), 'INVALID_INPUT', /two different images/);
  });
});
