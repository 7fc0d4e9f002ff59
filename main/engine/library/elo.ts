// "Pick the best": pairwise choices turned into an Elo score per image, and the pair to show next. Pure
// functions (no database, no clock): the ranking service (services/ranking.ts) stores what they compute.
import { hash32, mulberry32 } from '../../../shared/prng.ts';

/** The score of an image never compared: the middle of the scale, so unseen images sort as average. */
export const INITIAL_SCORE = 1500;
/** How far one result moves two equals (half of it each way). 32 settles a batch in a few rounds. */
export const K_FACTOR = 32;
/** A round's partner choice weighs one more appearance this round like this many points of score gap. */
const SEEN_PENALTY = 50;

export interface Contender {
  id: number;
  score: number;
  /** Choices it took part in, over all rounds. */
  comparisons: number;
}

export type Choice = 'left' | 'right' | 'skip';

/** The chance that an image scored `a` is preferred to one scored `b`. */
export function expectedScore(a: number, b: number): number {
  return 1 / (1 + 10 ** ((b - a) / 400));
}

/** New scores after `winner` was chosen over `loser`: zero-sum, so the scale does not drift. */
export function eloUpdate(winner: number, loser: number, k = K_FACTOR): { winner: number; loser: number } {
  const delta = k * (1 - expectedScore(winner, loser));
  return { winner: winner + delta, loser: loser - delta };
}

/** Both sides after a choice; a skip ("cannot decide") changes nothing, not even the counts. */
export function applyChoice(
  left: Contender,
  right: Contender,
  choice: Choice,
): { left: Contender; right: Contender } {
  if (choice === 'skip') return { left, right };
  const [w, l] = choice === 'left' ? [left, right] : [right, left];
  const r = eloUpdate(w.score, l.score);
  const won = { ...w, score: r.winner, comparisons: w.comparisons + 1 };
  const lost = { ...l, score: r.loser, comparisons: l.comparisons + 1 };
  return choice === 'left' ? { left: won, right: lost } : { left: lost, right: won };
}

/**
 * Choices in one round over `n` images: about log2(n) appearances each (a sort's worth of comparisons
 * when scores start equal), never more than there are distinct pairs.
 */
export function roundLength(n: number): number {
  if (n < 2) return 0;
  return Math.min((n * (n - 1)) / 2, Math.ceil((n * Math.log2(n)) / 2));
}

const pairKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);

/**
 * The next pair to show, [left, right], or null when the round is over. Like a Swiss tournament: the image
 * seen least this round (then least compared overall) meets the unshown partner nearest in score, a
 * partner seen less this round preferred; so every image is seen early, and later choices are between
 * close scores, where a choice tells the most. Ties and sides are drawn from `seed` and the number of pairs
 * shown, so the same round state always gives the same pair.
 */
export function nextPair(
  pool: readonly Contender[],
  shown: readonly (readonly [number, number])[],
  seed: number,
): [number, number] | null {
  if (shown.length >= roundLength(pool.length)) return null;
  const done = new Set(shown.map(([a, b]) => pairKey(a, b)));
  const seen = new Map<number, number>();
  for (const [a, b] of shown) {
    seen.set(a, (seen.get(a) ?? 0) + 1);
    seen.set(b, (seen.get(b) ?? 0) + 1);
  }
  const rand = mulberry32(hash32(`${seed >>> 0}:${shown.length}`));
  // A random key per image breaks every tie, the same way for the same state.
  const tie = new Map(pool.map((c) => [c.id, rand()]));
  const order = [...pool].sort(
    (x, y) =>
      (seen.get(x.id) ?? 0) - (seen.get(y.id) ?? 0) ||
      x.comparisons - y.comparisons ||
      tie.get(x.id)! - tie.get(y.id)!,
  );
  for (const a of order) {
    let best: Contender | null = null;
    let bestCost = Infinity;
    for (const b of pool) {
      if (b.id === a.id || done.has(pairKey(a.id, b.id))) continue;
      const cost = Math.abs(a.score - b.score) + SEEN_PENALTY * (seen.get(b.id) ?? 0);
      if (cost < bestCost || (cost === bestCost && tie.get(b.id)! < tie.get(best!.id)!)) {
        best = b;
        bestCost = cost;
      }
    }
    if (best) return rand() < 0.5 ? [a.id, best.id] : [best.id, a.id];
  }
  return null;
}
