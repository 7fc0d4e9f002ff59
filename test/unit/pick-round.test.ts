// A "pick the best" round in the page's store, against a stand-in engine whose answers the test releases:
// choices, skips and undo move through the round, and a round stopped or closed while a call is out stays
// as the person left it.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { AssetRow } from '../../shared/domain.ts';

const calls: { method: string; input: Record<string, unknown>; resolve: (v: unknown) => void }[] = [];
vi.mock('../../renderer/src/api.ts', () => ({
  api: {
    call: (method: string, input: Record<string, unknown>) =>
      new Promise((resolve) => calls.push({ method, input, resolve })),
  },
  errorMessage: (err: unknown) => String(err),
}));

/** What this test uses of the slice. It is loaded by a computed path so that the Node type check (which
 * covers tests) does not follow it into the page's code, which the web type check covers. */
interface PickState {
  status: string;
  pair: unknown;
  shown: { pair: [number, number]; token: number | null }[];
  seen: Record<number, AssetRow>;
  before: Record<number, number>;
}
interface CompareSlice {
  pick: PickState | null;
  startPick(sel: { ids: number[] } | { query: string }): Promise<void>;
  choosePick(choice: 'left' | 'right' | 'skip'): Promise<void>;
  undoPick(): Promise<void>;
  stopPick(): void;
  closePick(): void;
}
const SLICE = '../../renderer/src/store/compare-slice.ts';
const { createCompareSlice } = (await import(/* @vite-ignore */ SLICE)) as {
  createCompareSlice: (set: unknown, get: unknown, store: unknown) => CompareSlice;
};

const row = (id: number, score = 1500, comparisons = 0) =>
  ({ id, prompt: `image ${id}`, score, comparisons }) as AssetRow;
const pair = (l: number, r: number, done: number) => ({ left: row(l), right: row(r), done, total: 3 });

function makeStore() {
  const extra = {
    toasts: [] as string[],
    libraryVersion: 0,
    librarySort: 'newest',
    selectedAsset: null,
    toast(_kind: string, message: string) {
      extra.toasts.push(message);
    },
    refreshLibrary: async () => {},
    selectAsset: async () => {},
  };
  // The slice sees the whole state; only what it reads of the other slices is provided here.
  return create<CompareSlice & typeof extra>()((set, get, store) => ({
    ...extra,
    ...createCompareSlice(set, get, store),
  }));
}

/** Answers the oldest call still waiting, after checking which method it was. */
async function answer(method: string, value: unknown) {
  await vi.waitFor(() => expect(calls[0]?.method).toBe(method));
  const c = calls.shift()!;
  c.resolve(value);
  return c.input;
}

beforeEach(() => {
  calls.length = 0;
});

describe('a pick-the-best round in the page', () => {
  it('chooses, skips and takes a choice back, asking the engine for each next pair', async () => {
    const s = makeStore();
    const started = s.getState().startPick({ ids: [1, 2, 3] });
    await answer('ranking.start', { ids: [1, 2, 3], total: 3, seed: 9 });
    await answer('ranking.next', pair(1, 2, 0));
    await started;
    expect(s.getState().pick).toMatchObject({ status: 'choosing', shown: [] });

    const chose = s.getState().choosePick('right');
    expect(s.getState().pick!.status).toBe('busy');
    // A second key while the first choice is out does nothing.
    await s.getState().choosePick('left');
    expect(
      await answer('ranking.choose', { token: 5, winner: row(2, 1516, 1), loser: row(1, 1484, 1) }),
    ).toEqual({
      winner: 2,
      loser: 1,
    });
    expect((await answer('ranking.next', pair(3, 1, 1))).shown).toEqual([[1, 2]]);
    await chose;

    const skipped = s.getState().choosePick('skip');
    expect((await answer('ranking.next', pair(2, 3, 2))).shown).toEqual([
      [1, 2],
      [3, 1],
    ]);
    await skipped;
    expect(s.getState().pick!.shown.map((x) => x.token)).toEqual([5, null]);

    // Undo of a skip asks nothing of the engine but the pair again; undo of a choice takes it back.
    const undoSkip = s.getState().undoPick();
    expect((await answer('ranking.next', pair(3, 1, 1))).shown).toEqual([[1, 2]]);
    await undoSkip;
    const undoChoice = s.getState().undoPick();
    expect(await answer('ranking.undo', { winner: row(2), loser: row(1) })).toEqual({ token: 5 });
    await answer('ranking.next', pair(1, 2, 0));
    await undoChoice;
    expect(s.getState().pick).toMatchObject({ status: 'choosing', shown: [] });
    expect(s.getState().pick!.seen[2]!.score).toBe(1500);
    expect(s.getState().pick!.before[2]).toBe(1500);
  });

  it('stays stopped when Escape comes while a choice is out, and counts that choice', async () => {
    const s = makeStore();
    const started = s.getState().startPick({ query: 'batch:#1' });
    await answer('ranking.start', { ids: [1, 2, 3], total: 3, seed: 1 });
    await answer('ranking.next', pair(1, 2, 0));
    await started;
    const chose = s.getState().choosePick('left');
    s.getState().stopPick();
    await answer('ranking.choose', { token: 8, winner: row(1, 1516, 1), loser: row(2, 1484, 1) });
    await chose;
    expect(calls).toEqual([]);
    expect(s.getState().pick).toMatchObject({
      status: 'done',
      pair: null,
      shown: [{ pair: [1, 2], token: 8 }],
    });
    expect(s.getState().pick!.seen[1]!.score).toBe(1516);

    // Closing after a choice tells the library its scores changed.
    s.getState().closePick();
    expect(s.getState().pick).toBeNull();
    expect(s.getState().libraryVersion).toBe(1);
  });

  it('survives being closed while a call is out, and says when a round cannot start', async () => {
    const s = makeStore();
    const started = s.getState().startPick({ ids: [1, 2] });
    await answer('ranking.start', { ids: [1, 2], total: 1, seed: 1 });
    await answer('ranking.next', pair(1, 2, 0));
    await started;
    const chose = s.getState().choosePick('left');
    s.getState().closePick();
    await answer('ranking.choose', { token: 2, winner: row(1, 1516, 1), loser: row(2, 1484, 1) });
    await chose;
    expect(s.getState().pick).toBeNull();
    expect(calls).toEqual([]);

    const refused = s.getState().startPick({ ids: [1] });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    calls.shift()!.resolve(Promise.reject(new Error('Pick the best needs at least two images')));
    await refused;
    expect(s.getState().pick).toBeNull();
    expect(s.getState().toasts.at(-1)).toMatch(/at least two images/);
  });
});
