// Compare and choose: which images the compare view shows, and a "pick the best" round — its pool, the
// pairs shown so far, the choices (each can be taken back), and what the round did to the scores. The
// engine owns the rules (pairs, Elo): this slice only keeps the round's place.
import type { RankingPair, RankingRound, Selection } from '../../../shared/contract.ts';
import type { AssetRow } from '../../../shared/domain.ts';
import { api, errorMessage } from '../api.ts';
import { t } from '../i18n/index.ts';
import type { Slice } from './types.ts';

export type PickChoice = 'left' | 'right' | 'skip';

export interface PickRound {
  round: RankingRound;
  /** The pairs shown so far, [left, right], oldest first; each with its choice's undo token (null: skipped). */
  shown: { pair: [number, number]; token: number | null }[];
  pair: RankingPair | null;
  /** choosing: a pair waits; busy: a call is out (keys are ignored); done: the round ended or was stopped. */
  status: 'loading' | 'choosing' | 'busy' | 'done';
  /** Every image shown this round, as last reported (scores move with each choice). */
  seen: Record<number, AssetRow>;
  /** Their scores before the round, to show what it changed. */
  before: Record<number, number>;
}

export interface CompareSlice {
  /** The images of the compare view (2 to 4), or null when it is closed. */
  compareIds: number[] | null;
  openCompare(ids: number[]): void;
  closeCompare(): void;

  pick: PickRound | null;
  startPick(sel: Selection): Promise<void>;
  choosePick(choice: PickChoice): Promise<void>;
  undoPick(): Promise<void>;
  /** Ends the round early: the results so far are shown. */
  stopPick(): void;
  closePick(): void;
}

export const COMPARE_MAX = 4;

export const createCompareSlice: Slice<CompareSlice> = (set, get) => {
  const note = (rows: AssetRow[]) => {
    const p = get().pick;
    if (!p) return;
    const seen = { ...p.seen };
    const before = { ...p.before };
    for (const r of rows) {
      seen[r.id] = r;
      before[r.id] ??= r.score ?? 0;
    }
    set({ pick: { ...p, seen, before } });
  };

  /** Asks for the pair after what was shown; none left ends the round. */
  const advance = async () => {
    const p = get().pick;
    // Stopped while a choice was out: nothing more to ask.
    if (!p || p.status === 'done') return;
    const pair = await api.call('ranking.next', {
      ids: p.round.ids,
      shown: p.shown.map((s) => s.pair),
      seed: p.round.seed,
    });
    const now = get().pick;
    // Closed meanwhile, or stopped (Escape while the call was out): the round stays where it was left.
    if (now?.round !== p.round || now.status === 'done') return;
    if (pair) note([pair.left, pair.right]);
    set({ pick: { ...get().pick!, pair, status: pair ? 'choosing' : 'done' } });
  };

  const fail = (err: unknown) => {
    get().toast('error', t('pick.failed', { error: errorMessage(err) }));
    const p = get().pick;
    if (p && p.status === 'busy') set({ pick: { ...p, status: p.pair ? 'choosing' : 'done' } });
  };

  return {
    compareIds: null,
    openCompare(ids) {
      if (ids.length < 2 || ids.length > COMPARE_MAX) return;
      set({ compareIds: ids });
    },
    closeCompare() {
      set({ compareIds: null });
    },

    pick: null,
    async startPick(sel) {
      try {
        const round = await api.call('ranking.start', { selection: sel });
        set({ pick: { round, shown: [], pair: null, status: 'loading', seen: {}, before: {} } });
        await advance();
      } catch (err) {
        set({ pick: null });
        get().toast('error', t('pick.notStarted', { error: errorMessage(err) }));
      }
    },

    async choosePick(choice) {
      const p = get().pick;
      if (!p || p.status !== 'choosing' || !p.pair) return;
      const { left, right } = p.pair;
      set({ pick: { ...p, status: 'busy' } });
      try {
        let token: number | null = null;
        if (choice !== 'skip') {
          const [winner, loser] = choice === 'left' ? [left, right] : [right, left];
          const r = await api.call('ranking.choose', { winner: winner.id, loser: loser.id });
          token = r.token;
          note([r.winner, r.loser]);
        }
        const now = get().pick;
        if (now?.round !== p.round) return;
        set({ pick: { ...now, shown: [...now.shown, { pair: [left.id, right.id], token }] } });
        await advance();
      } catch (err) {
        fail(err);
      }
    },

    async undoPick() {
      const p = get().pick;
      const last = p?.shown.at(-1);
      if (!p || !last || p.status === 'busy' || p.status === 'loading') return;
      set({ pick: { ...p, status: 'busy' } });
      try {
        if (last.token !== null) {
          const r = await api.call('ranking.undo', { token: last.token });
          note([r.winner, r.loser]);
        }
        const now = get().pick;
        if (now?.round !== p.round) return;
        set({ pick: { ...now, shown: now.shown.slice(0, -1) } });
        await advance();
      } catch (err) {
        fail(err);
      }
    },

    stopPick() {
      const p = get().pick;
      if (p && p.status !== 'done') set({ pick: { ...p, status: 'done', pair: null } });
    },

    closePick() {
      const chose = get().pick?.shown.some((s) => s.token !== null) ?? false;
      set({ pick: null });
      if (!chose) return;
      // Scores changed: what shows them (the best-first order, the open details) reads them again.
      set({ libraryVersion: get().libraryVersion + 1 });
      if (get().librarySort === 'best') void get().refreshLibrary();
      const open = get().selectedAsset;
      if (open !== null) void get().selectAsset(open);
    },
  };
};
