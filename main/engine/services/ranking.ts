// "Pick the best" over a batch, a sweep or a selection: the images of a round, the next pair to show, and
// each choice stored as new Elo scores (library/elo.ts computes them) with a log row, so the last choice
// can be taken back. The scores live in the catalog: they survive restarts, sort the library ("best
// first") and go out with exports' metadata.
import type { ChoiceReceipt, RankingPair } from '../../../shared/contract.ts';
import type { AssetRow } from '../../../shared/domain.ts';
import { StudioError } from '../errors.ts';
import { eloUpdate, nextPair, roundLength, type Contender } from '../library/elo.ts';
import type { Library, Selection } from '../library/library.ts';
import { toAssetRow, type AssetDbRow } from '../store/assets.ts';

/** A round compares at most this many images: past it, narrow the search (pairwise over more is a chore). */
export const RANKING_POOL_MAX = 500;

export class Ranking {
  private readonly library: Library;
  private readonly now: () => number;

  constructor(library: Library, opts: { now?: () => number } = {}) {
    this.library = library;
    this.now = opts.now ?? Date.now;
  }

  private get db() {
    return this.library.db;
  }

  /** The images of a round, in the library's order, checked: 2 to RANKING_POOL_MAX images, none trashed. */
  pool(sel: Selection): { ids: number[]; total: number } {
    const ids = this.library.resolve(sel);
    const live = this.contenders(ids).map((c) => c.id);
    if (live.length < 2)
      throw new StudioError(
        'NOTHING_SELECTED',
        `Pick the best needs at least two images; ${live.length === 1 ? 'one is' : 'none are'} selected.`,
      );
    if (live.length > RANKING_POOL_MAX)
      throw new StudioError(
        'OVER_LIMIT',
        `Pick the best compares at most ${RANKING_POOL_MAX} images at a time; ${live.length.toLocaleString('en-US')} ` +
          'are selected. Narrow the search (a batch, a tag, a rating) and start again.',
      );
    return { ids: live, total: roundLength(live.length) };
  }

  /** The pair to show after `shown` (this round's pairs so far), or null when the round is over. */
  next(
    ids: readonly number[],
    shown: readonly (readonly [number, number])[],
    seed: number,
  ): RankingPair | null {
    const pool = this.contenders(ids);
    const pair = nextPair(pool, shown, seed);
    if (!pair) return null;
    const [left, right] = pair.map((id) => this.row(id)) as [AssetRow, AssetRow];
    return { left, right, done: shown.length, total: roundLength(pool.length) };
  }

  /** Stores that `winner` was preferred to `loser`: both scores move (zero-sum) and the choice is logged. */
  choose(winnerId: number, loserId: number): ChoiceReceipt {
    if (winnerId === loserId)
      throw new StudioError('INVALID_INPUT', 'A choice is between two different images.');
    return this.db.transaction(() => {
      const [w, l] = [this.contenders([winnerId])[0], this.contenders([loserId])[0]];
      if (!w || !l) throw new StudioError('NOT_FOUND', 'One of the two images is no longer in the library.');
      const r = eloUpdate(w.score, l.score);
      const set = this.db.prepare('UPDATE assets SET score = ?, comparisons = comparisons + 1 WHERE id = ?');
      set.run(r.winner, w.id);
      set.run(r.loser, l.id);
      const token = Number(
        this.db
          .prepare(
            `INSERT INTO comparisons (winner_id, loser_id, winner_before, loser_before, winner_after, loser_after, at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(w.id, l.id, w.score, l.score, r.winner, r.loser, this.now()).lastInsertRowid,
      );
      return { token, winner: this.row(w.id), loser: this.row(l.id) };
    })();
  }

  /**
   * Takes a choice back: both images get the scores they had before it. Refused when either was compared
   * again since (undo the later choices first), so an undo never erases a choice it did not make.
   */
  undo(token: number): { winner: AssetRow; loser: AssetRow } {
    return this.db.transaction(() => {
      const c = this.db
        .prepare(
          'SELECT winner_id, loser_id, winner_before, loser_before, undone_at FROM comparisons WHERE id = ?',
        )
        .get(token) as
        | {
            winner_id: number;
            loser_id: number;
            winner_before: number;
            loser_before: number;
            undone_at: number | null;
          }
        | undefined;
      if (!c || c.undone_at !== null)
        throw new StudioError(
          'NOT_FOUND',
          `Choice ${token} cannot be taken back: it was undone already or never made.`,
        );
      const later = this.db
        .prepare(
          `SELECT count(*) FROM comparisons WHERE id > ? AND undone_at IS NULL
             AND (winner_id IN (?, ?) OR loser_id IN (?, ?))`,
        )
        .pluck()
        .get(token, c.winner_id, c.loser_id, c.winner_id, c.loser_id) as number;
      if (later > 0)
        throw new StudioError(
          'CONFLICT',
          'These images were compared again since: take the later choices back first.',
        );
      const set = this.db.prepare(
        'UPDATE assets SET score = ?, comparisons = max(0, comparisons - 1) WHERE id = ?',
      );
      set.run(c.winner_before, c.winner_id);
      set.run(c.loser_before, c.loser_id);
      this.db.prepare('UPDATE comparisons SET undone_at = ? WHERE id = ?').run(this.now(), token);
      return { winner: this.row(c.winner_id), loser: this.row(c.loser_id) };
    })();
  }

  private contenders(ids: readonly number[]): Contender[] {
    const get = this.db.prepare(
      'SELECT id, score, comparisons FROM assets WHERE id = ? AND deleted_at IS NULL',
    );
    return ids.flatMap((id) => {
      const r = get.get(id) as Contender | undefined;
      return r ? [r] : [];
    });
  }

  private row(id: number): AssetRow {
    const r = this.db.prepare('SELECT * FROM assets WHERE id = ?').get(id) as AssetDbRow | undefined;
    if (!r) throw new StudioError('NOT_FOUND', `Image ${id} is no longer in the library.`);
    return toAssetRow(r);
  }
}
