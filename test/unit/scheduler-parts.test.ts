import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../main/engine/scheduler/backoff.ts';
import { AdaptiveLimit } from '../../main/engine/scheduler/concurrency.ts';
import { inputMatches, matchRunning } from '../../main/engine/scheduler/reconcile.ts';

describe('AdaptiveLimit', () => {
  it('halves on a 429, once per cooldown, never below 1', () => {
    const l = new AdaptiveLimit(16, 1_000);
    l.onRateLimited(0);
    expect(l.value).toBe(8);
    l.onRateLimited(10); // same wave
    expect(l.value).toBe(8);
    l.onRateLimited(2_000);
    l.onRateLimited(4_000);
    l.onRateLimited(6_000);
    l.onRateLimited(8_000);
    expect(l.value).toBe(1);
  });

  it('grows back by one per round of successes up to the ceiling', () => {
    const l = new AdaptiveLimit(4, 0);
    l.onRateLimited(0);
    expect(l.value).toBe(2);
    l.onAccepted();
    expect(l.value).toBe(2);
    l.onAccepted();
    expect(l.value).toBe(3);
    for (let i = 0; i < 100; i++) l.onAccepted();
    expect(l.value).toBe(4);
  });

  it('a lower ceiling applies at once', () => {
    const l = new AdaptiveLimit(8);
    l.setCeiling(3);
    expect([l.value, l.max]).toEqual([3, 3]);
  });

  it('a higher ceiling applies at once; the same ceiling again keeps what was learned', () => {
    const l = new AdaptiveLimit(1);
    l.setCeiling(6);
    expect([l.value, l.max]).toEqual([6, 6]);
    l.onRateLimited(0);
    l.setCeiling(6);
    expect(l.value).toBe(3);
  });
});

describe('backoffMs', () => {
  it('stays within [base/2, min(cap, base·2^n)]', () => {
    for (const r of [0, 0.5, 0.999]) {
      for (let n = 0; n < 12; n++) {
        const v = backoffMs(n, { baseMs: 1_000, capMs: 30_000, random: () => r });
        expect(v).toBeGreaterThanOrEqual(500);
        expect(v).toBeLessThanOrEqual(Math.min(30_000, 1_000 * 2 ** n));
      }
    }
    expect(backoffMs(20, { baseMs: 1_000, capMs: 30_000, random: () => 1 })).toBe(30_000);
  });
});

describe('reconcile matching', () => {
  const sent = { prompt: 'a red car', seed: 7, num_images: 2, aspect_ratio: '16:9' as const };

  it('matches on prompt and the fields the service echoes, text or typed', () => {
    expect(inputMatches(sent, { prompt: 'a red car', seed: 7, num_images: 2 })).toBe(true);
    expect(
      inputMatches(sent, { prompt: 'a red car', seed: '7', num_images: '2', aspect_ratio: '16:9' }),
    ).toBe(true);
    expect(inputMatches(sent, { prompt: 'a red car', seed: 8 })).toBe(false);
    expect(inputMatches(sent, { prompt: 'a blue car', seed: 7 })).toBe(false);
    expect(inputMatches(sent, null)).toBe(false);
  });

  it('pairs one to one and skips ids other jobs already follow', () => {
    const running = [
      { id: 'g1', status: 'IN_QUEUE', input: { prompt: 'same', seed: 1 } },
      { id: 'g2', status: 'IN_QUEUE', input: { prompt: 'same', seed: 1 } },
      { id: 'g3', status: 'IN_QUEUE', input: { prompt: 'other', seed: 1 } },
    ];
    const m = matchRunning(
      [
        { jobId: 1, input: { prompt: 'same', seed: 1 } },
        { jobId: 2, input: { prompt: 'same', seed: 1 } },
        { jobId: 3, input: { prompt: 'same', seed: 1 } },
      ],
      running,
      new Set(['g1']),
    );
    expect(m.get(1)?.id).toBe('g2');
    expect(m.get(2)).toBeNull();
    expect(m.get(3)).toBeNull();
  });
});
