import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/api.ts';
import { batchSpecSchema, type BatchSpec } from '../../shared/domain.ts';
import { PlanError, planBatch, type PlanOptions } from '../../main/engine/batch/plan.ts';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

const opts: PlanOptions = { creditsPerImage: 20, estimateIsLearned: false };

function spec(input: Partial<BatchSpec> & Pick<BatchSpec, 'entries'>) {
  return batchSpecSchema.parse({ name: 'test batch', ...input });
}

function planError(fn: () => unknown): PlanError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return err as PlanError;
  }
  throw new Error('expected a PlanError');
}

/** A deterministic stand-in for Math.random: returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe('planBatch', () => {
  it('makes prompts × expansions × repeat jobs in order, numbered from 1', () => {
    const plan = planBatch(
      spec({
        entries: [{ prompt: 'a {red|blue} {car|boat}' }, { prompt: 'a plain one' }],
        repeat: 3,
      }),
      opts,
    );
    expect(plan.jobs).toHaveLength((4 + 1) * 3);
    expect(plan.jobs.map((j) => j.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(plan.jobs.map((j) => j.input.prompt)).toEqual([
      ...Array(3).fill('a red car'),
      ...Array(3).fill('a red boat'),
      ...Array(3).fill('a blue car'),
      ...Array(3).fill('a blue boat'),
      ...Array(3).fill('a plain one'),
    ]);
    const first = plan.jobs[0]!;
    expect(first.template).toBe('a {red|blue} {car|boat}');
    expect(first.bindings).toEqual(['red', 'car']);
    expect(first.model).toBe('qwen/qwen-image-2');
    expect(plan.jobs[14]!.bindings).toEqual([]);
  });

  it('estimates credits from the number of images, num_images included', () => {
    const plan = planBatch(
      spec({
        entries: [{ prompt: 'one' }, { prompt: '{two|three}', params: { num_images: 4 } }],
        params: { num_images: 2 },
      }),
      { creditsPerImage: 15, estimateIsLearned: true },
    );
    expect(plan.jobs.map((j) => j.numImages)).toEqual([2, 4, 4]);
    expect(plan.jobs.map((j) => j.input.num_images)).toEqual([2, 4, 4]);
    expect(plan.images).toBe(10);
    expect(plan.estimateCredits).toBe(150);
    expect(plan.creditsPerImage).toBe(15);
    expect(plan.estimateIsLearned).toBe(true);
  });

  it('defaults num_images to 1 and sends only the fields that are set', () => {
    const plan = planBatch(spec({ entries: [{ prompt: 'bare' }], seed: { mode: 'fixed', value: 9 } }), opts);
    expect(plan.jobs[0]!.input).toEqual({ prompt: 'bare', seed: 9, num_images: 1 });
    expect(plan.jobs[0]!.refHashes).toEqual([]);
    expect(plan.images).toBe(1);
  });

  describe('seeds', () => {
    it('random: one integer per job from the random source, within the seed range', () => {
      const plan = planBatch(spec({ entries: [{ prompt: '{a|b|c}' }] }), {
        ...opts,
        random: sequence(0, 0.5, 0.999999999999),
      });
      expect(plan.jobs.map((j) => j.input.seed)).toEqual([0, 1073741824, LIMITS.seedMax]);
    });

    it('random: different seeds for repeats with Math.random', () => {
      const plan = planBatch(spec({ entries: [{ prompt: 'x' }], repeat: 20 }), opts);
      const seeds = plan.jobs.map((j) => j.input.seed as number);
      for (const s of seeds) {
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(LIMITS.seedMax);
      }
      expect(new Set(seeds).size).toBeGreaterThan(1);
    });

    it('fixed: the same seed for every job', () => {
      const plan = planBatch(
        spec({ entries: [{ prompt: '{a|b}' }], repeat: 2, seed: { mode: 'fixed', value: 77 } }),
        opts,
      );
      expect(plan.jobs.map((j) => j.input.seed)).toEqual([77, 77, 77, 77]);
    });

    it('increment: start + job index across entries, wrapping inside the seed range', () => {
      const plan = planBatch(
        spec({
          entries: [{ prompt: '{a|b}' }, { prompt: 'c' }],
          seed: { mode: 'increment', start: LIMITS.seedMax - 1 },
        }),
        opts,
      );
      expect(plan.jobs.map((j) => j.input.seed)).toEqual([LIMITS.seedMax - 1, LIMITS.seedMax, 0]);
      const plain = planBatch(
        spec({ entries: [{ prompt: 'x' }], repeat: 3, seed: { mode: 'increment', start: 100 } }),
        opts,
      );
      expect(plain.jobs.map((j) => j.input.seed)).toEqual([100, 101, 102]);
    });

    it("an entry's own seed wins over the policy", () => {
      const plan = planBatch(
        spec({
          entries: [{ prompt: 'mine', params: { seed: 5 } }, { prompt: 'policy' }],
          seed: { mode: 'increment', start: 1000 },
        }),
        opts,
      );
      expect(plan.jobs.map((j) => j.input.seed)).toEqual([5, 1001]);
    });
  });

  describe('params', () => {
    it('entry params override batch params field by field', () => {
      const plan = planBatch(
        spec({
          entries: [
            { prompt: 'a', params: { negative_prompt: 'text', output_format: 'png' } },
            { prompt: 'b' },
          ],
          params: { negative_prompt: 'blurry', output_format: 'webp', enable_prompt_expansion: false },
          seed: { mode: 'fixed', value: 1 },
        }),
        opts,
      );
      expect(plan.jobs[0]!.input).toEqual({
        prompt: 'a',
        negative_prompt: 'text',
        output_format: 'png',
        enable_prompt_expansion: false,
        seed: 1,
        num_images: 1,
      });
      expect(plan.jobs[1]!.input).toMatchObject({ negative_prompt: 'blurry', output_format: 'webp' });
    });

    it('an entry choosing aspect_ratio drops the batch image_size, and the other way round', () => {
      const withSize = planBatch(
        spec({
          entries: [{ prompt: 'a', params: { aspect_ratio: '16:9' } }, { prompt: 'b' }],
          params: { image_size: 'square_hd' },
        }),
        opts,
      );
      expect(withSize.jobs[0]!.input.aspect_ratio).toBe('16:9');
      expect(withSize.jobs[0]!.input).not.toHaveProperty('image_size');
      expect(withSize.jobs[1]!.input.image_size).toBe('square_hd');

      const withRatio = planBatch(
        spec({
          entries: [{ prompt: 'a', params: { image_size: 'portrait_4_3' } }],
          params: { aspect_ratio: '1:1' },
        }),
        opts,
      );
      expect(withRatio.jobs[0]!.input.image_size).toBe('portrait_4_3');
      expect(withRatio.jobs[0]!.input).not.toHaveProperty('aspect_ratio');
    });
  });

  describe('references', () => {
    it('splits stored files into refHashes and URLs into image_urls, keeping each file’s place', () => {
      const plan = planBatch(
        spec({
          entries: [{ prompt: 'a' }],
          refs: [
            `sha256:${HASH_A}`,
            'https://example.com/1.png',
            `sha256:${HASH_B}`,
            'http://example.com/2.jpg',
          ],
        }),
        opts,
      );
      expect(plan.jobs[0]!.refHashes).toEqual([HASH_A, HASH_B]);
      // Where each file sits among all four: the URLs fill places 1 and 3 in their own order.
      expect(plan.jobs[0]!.refPositions).toEqual([0, 2]);
      expect(plan.jobs[0]!.input.image_urls).toEqual([
        'https://example.com/1.png',
        'http://example.com/2.jpg',
      ]);
    });

    it("an entry's own refs replace the batch refs; entries without refs use the batch's", () => {
      const plan = planBatch(
        spec({
          entries: [{ prompt: 'own', refs: ['https://example.com/own.png'] }, { prompt: 'shared' }],
          refs: [`sha256:${HASH_A}`],
        }),
        opts,
      );
      expect(plan.jobs[0]!.refHashes).toEqual([]);
      expect(plan.jobs[0]!.input.image_urls).toEqual(['https://example.com/own.png']);
      expect(plan.jobs[1]!.refHashes).toEqual([HASH_A]);
      expect(plan.jobs[1]!.refPositions).toEqual([0]);
      expect(plan.jobs[1]!.input).not.toHaveProperty('image_urls');
    });
  });

  describe('errors', () => {
    it('names the origin of an entry whose expansion the API would refuse', () => {
      const err = planError(() =>
        planBatch(
          spec({
            entries: [
              { prompt: 'fine', origin: 'list.csv:2' },
              { prompt: `{short|${'x'.repeat(LIMITS.promptChars + 1)}}`, origin: 'list.csv:3' },
            ],
          }),
          opts,
        ),
      );
      expect(err.origin).toBe('list.csv:3');
      expect(err.message).toMatch(/^list\.csv:3: this template can expand to a prompt of 5,001 characters/);
    });

    it('refuses an expansion that leaves the prompt empty', () => {
      const err = planError(() =>
        planBatch(spec({ entries: [{ prompt: '{|  }', origin: 'p.txt:4' }] }), opts),
      );
      expect(err.origin).toBe('p.txt:4');
      expect(err.message).toContain('prompt is empty');
    });

    it('turns a template syntax error into a PlanError with the origin and column', () => {
      const err = planError(() =>
        planBatch(spec({ entries: [{ prompt: 'a {b|c', origin: 'p.txt:9' }] }), opts),
      );
      expect(err.origin).toBe('p.txt:9');
      expect(err.message).toBe("p.txt:9: unclosed '{' at column 3 — close it or escape it as \\{");
    });

    it('uses the position of an entry that has no origin', () => {
      const err = planError(() =>
        planBatch(spec({ entries: [{ prompt: 'ok' }, { prompt: 'bad }' }] }), opts),
      );
      expect(err.origin).toBe('prompt 2');
    });

    it('refuses a batch past maxJobs before expanding anything, with the count and the limit', () => {
      // 2^40 expansions: only counting can answer this without running out of memory.
      const huge = spec({ entries: [{ prompt: '{a|b}'.repeat(40) }] });
      const err = planError(() => planBatch(huge, opts));
      expect(err.origin).toBeNull();
      expect(err.message).toContain(`${(2 ** 40).toLocaleString('en-US')} generations; the limit is 10,000`);

      const repeated = spec({ entries: [{ prompt: '{a|b|c}' }, { prompt: 'x' }], repeat: 3 });
      expect(() => planBatch(repeated, { ...opts, maxJobs: 11 })).toThrow(
        /expands to 12 generations; the limit is 11/,
      );
      expect(planBatch(repeated, { ...opts, maxJobs: 12 }).jobs).toHaveLength(12);
    });
  });
});
