import { describe, expect, it } from 'vitest';
import {
  INITIAL_SCORE,
  K_FACTOR,
  applyChoice,
  eloUpdate,
  expectedScore,
  nextPair,
  roundLength,
  type Contender,
} from '../../main/engine/library/elo.ts';

const pool = (scores: number[]): Contender[] =>
  scores.map((score, i) => ({ id: i + 1, score, comparisons: 0 }));

describe('Elo', () => {
  it('expects an even match between equals and 10:1 odds at a 400-point lead', () => {
    expect(expectedScore(1500, 1500)).toBe(0.5);
    expect(expectedScore(1900, 1500)).toBeCloseTo(10 / 11, 10);
    expect(expectedScore(1500, 1900)).toBeCloseTo(1 / 11, 10);
    expect(expectedScore(1600, 1500) + expectedScore(1500, 1600)).toBeCloseTo(1, 12);
  });

  it('moves equals by half the K-factor, and a favourite less than an underdog', () => {
    expect(K_FACTOR).toBe(32);
    expect(eloUpdate(1500, 1500)).toEqual({ winner: 1516, loser: 1484 });
    const favourite = eloUpdate(1700, 1500);
    const underdog = eloUpdate(1500, 1700);
    expect(favourite.winner - 1700).toBeCloseTo(32 * (1 - expectedScore(1700, 1500)), 10);
    expect(favourite.winner - 1700).toBeLessThan(underdog.winner - 1500);
    expect(eloUpdate(1500, 1500, 10)).toEqual({ winner: 1505, loser: 1495 });
  });

  it('is symmetric: what the winner gains the loser loses', () => {
    for (const [w, l] of [
      [1500, 1500],
      [1830, 1422],
      [1210, 1777],
    ] as const) {
      const r = eloUpdate(w, l);
      expect(r.winner + r.loser).toBeCloseTo(w + l, 10);
      // Either result between the same two moves them by K in all: the favourite's win is the smaller part.
      const back = eloUpdate(l, w);
      expect(r.winner - w + (back.winner - l)).toBeCloseTo(K_FACTOR, 10);
    }
  });

  it('leaves both scores alone on a skip', () => {
    const left = { id: 1, score: 1620, comparisons: 4 };
    const right = { id: 2, score: 1480, comparisons: 2 };
    expect(applyChoice(left, right, 'skip')).toEqual({ left, right });
    const won = applyChoice(left, right, 'left');
    expect(won.left.score).toBeGreaterThan(1620);
    expect(won.right.score).toBeLessThan(1480);
    expect([won.left.comparisons, won.right.comparisons]).toEqual([5, 3]);
    const lost = applyChoice(left, right, 'right');
    expect(lost.right.score).toBeGreaterThan(1480);
  });
});

describe('pairs for a round', () => {
  it('has a length that grows like n log n and never repeats a pair', () => {
    expect([2, 3, 4, 10].map(roundLength)).toEqual([1, 3, 4, 17]);
    expect(roundLength(1)).toBe(0);
    expect(roundLength(100)).toBe(333);
  });

  it('is deterministic for a seed, and another seed gives another order', () => {
    const p = pool(Array(10).fill(INITIAL_SCORE));
    const run = (seed: number) => {
      const shown: [number, number][] = [];
      for (let pair = nextPair(p, shown, seed); pair; pair = nextPair(p, shown, seed)) shown.push(pair);
      return shown;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    expect(run(7)).toHaveLength(17);
  });

  it('shows every image, and none again before all were shown', () => {
    const p = pool(Array(10).fill(INITIAL_SCORE));
    const shown: [number, number][] = [];
    for (let i = 0; i < 5; i++) shown.push(nextPair(p, shown, 3)!);
    expect(new Set(shown.flat()).size).toBe(10);
    for (let pair = nextPair(p, shown, 3); pair; pair = nextPair(p, shown, 3)) shown.push(pair);
    const keys = shown.map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('pairs images of close scores once every image has been seen', () => {
    // Each has been seen once this round; the partner of the least-compared is the nearest in score.
    const p: Contender[] = [
      { id: 1, score: 1700, comparisons: 1 },
      { id: 2, score: 1300, comparisons: 1 },
      { id: 3, score: 1690, comparisons: 1 },
      { id: 4, score: 1310, comparisons: 1 },
      { id: 5, score: 1500, comparisons: 0 },
      { id: 6, score: 1505, comparisons: 0 },
    ];
    const pair = nextPair(p, [], 11)!;
    expect(new Set(pair)).toEqual(new Set([5, 6]));
    const later = nextPair(p, [[5, 6]], 11)!;
    const key = new Set(later);
    expect(key.has(1) ? key.has(3) : key.has(2) && key.has(4)).toBe(true);
  });

  it('ends when the round is done or no pair is left', () => {
    expect(nextPair(pool([1500]), [], 1)).toBeNull();
    expect(nextPair(pool([1500, 1500]), [[1, 2]], 1)).toBeNull();
    expect(nextPair(pool([1500, 1500]), [], 1)).not.toBeNull();
  });
});
