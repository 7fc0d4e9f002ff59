// The compare view's pure parts: one zoom and pan shared by every pane, and the parameters that differ.
import { describe, expect, it } from 'vitest';
import type { AssetDetail } from '../../shared/contract.ts';
import { paramRows } from '../../renderer/src/compare/param-diff.ts';
import { FIT, MAX_SCALE, clampView, panBy, wheelFactor, zoomAt } from '../../renderer/src/compare/zoom.ts';

describe('the shared zoom', () => {
  it('zooms about the pointer: the point under it stays under it', () => {
    const v = zoomAt(FIT, 2, 0.25, 0.75);
    expect(v.scale).toBe(2);
    // Content point under (0.25, 0.75) before: (0.25, 0.75); after: x + 2·0.25 = 0.25.
    expect(v.x + v.scale * 0.25).toBeCloseTo(0.25, 12);
    expect(v.y + v.scale * 0.75).toBeCloseTo(0.75, 12);
    const back = zoomAt(v, 0.5, 0.25, 0.75);
    expect(back).toEqual(FIT);
  });

  it('never zooms out past the whole image nor in past the maximum, and keeps the image covering the pane', () => {
    expect(zoomAt(FIT, 0.5)).toEqual(FIT);
    expect(zoomAt(FIT, 1000).scale).toBe(MAX_SCALE);
    const v = zoomAt(FIT, 4);
    expect(panBy(v, 10, 10)).toEqual({ scale: 4, x: 0, y: 0 });
    expect(panBy(v, -10, -10)).toEqual({ scale: 4, x: -3, y: -3 });
    expect(panBy(FIT, 0.3, 0)).toEqual(FIT);
    expect(clampView({ scale: 2, x: 0.5, y: -5 })).toEqual({ scale: 2, x: 0, y: -1 });
  });

  it('turns a wheel notch into one step, a trackpad nudge into less, and lines into pixels', () => {
    expect(wheelFactor(-100)).toBeCloseTo(1.25, 12);
    expect(wheelFactor(100)).toBeCloseTo(0.8, 12);
    expect(wheelFactor(-4)).toBeGreaterThan(1);
    expect(wheelFactor(-4)).toBeLessThan(1.02);
    expect(wheelFactor(-3, 1)).toBeCloseTo(1.25 ** 1.2, 12);
  });
});

const words = { on: 'on', off: 'off', none: '(none)', date: (ms: number) => new Date(ms).toISOString() };

function asset(o: Partial<AssetDetail>): AssetDetail {
  return {
    id: 1,
    jobId: 1,
    batchId: 1,
    idx: 0,
    sha256: 'x',
    path: 'p.png',
    bytes: 1,
    width: 1024,
    height: 1024,
    format: 'png',
    prompt: 'a red car',
    createdAt: 0,
    model: 'qwen/qwen-image-2',
    seed: 7,
    aspectRatio: '1:1',
    negativePrompt: null,
    job: null,
    batchName: 'Cars',
    refs: [],
    tags: [],
    collections: [],
    ...o,
  };
}

describe('the parameters that differ', () => {
  it('lists what differs first, then what the images share', () => {
    const rows = paramRows(
      [asset({ id: 1 }), asset({ id: 2, seed: 8, format: 'jpeg' }), asset({ id: 3, createdAt: 5 })],
      words,
    );
    const differs = rows.filter((r) => r.differs).map((r) => r.key);
    expect(differs).toEqual(['seed', 'format']);
    expect(rows.find((r) => r.key === 'seed')!.values).toEqual(['7', '8', '7']);
    expect(rows.slice(0, 2).map((r) => r.key)).toEqual(['seed', 'format']);
    expect(rows.map((r) => r.key)).toContain('prompt');
    // The date differs but is never a difference worth leading with.
    expect(rows.find((r) => r.key === 'created')!.differs).toBe(false);
  });

  it('reads the prompt, negative prompt, size and model, and leaves out what no image has', () => {
    const rows = paramRows(
      [
        asset({
          prompt: 'a red car',
          negativePrompt: 'blurry',
          aspectRatio: '16:9',
          width: 1664,
          height: 928,
        }),
        asset({ prompt: 'a blue car', model: 'qwen/qwen-image-2-pro' }),
      ],
      words,
    );
    const get = (k: string) => rows.find((r) => r.key === k);
    expect(get('prompt')).toMatchObject({ differs: true, values: ['a red car', 'a blue car'] });
    expect(get('negative')).toMatchObject({ differs: true, values: ['blurry', '(none)'] });
    expect(get('size')!.differs).toBe(true);
    expect(get('dimensions')!.differs).toBe(true);
    expect(get('model')!.differs).toBe(true);
    expect(get('safety')).toBeUndefined();
    expect(get('score')).toBeUndefined();
  });
});
