import { describe, expect, it } from 'vitest';
import { batchSpecSchema, type BatchSpec } from '../../shared/domain.ts';
import { cellIndices, parseSweepArg, sweepSchema, SweepSyntaxError } from '../../shared/sweep.ts';
import { countBatch, PlanError, planBatch } from '../../main/engine/batch/plan.ts';
import { thrown } from '../helpers/throws.ts';

const opts = { creditsPerImage: 20, estimateIsLearned: false, random: () => 0.5 };
const spec = (input: Partial<BatchSpec> & Pick<BatchSpec, 'entries'>) =>
  batchSpecSchema.parse({ name: 'sweep', ...input });

describe('sweep planner', () => {
  it('runs every prompt once per cell, X fastest, recording each job its cell', () => {
    const plan = planBatch(
      spec({
        entries: [{ prompt: 'a fox' }],
        sweep: [
          { param: 'aspect_ratio', values: ['1:1', '16:9', '9:16'] },
          { param: 'output_format', values: ['png', 'webp'] },
        ],
      }),
      opts,
    );
    expect(plan.jobs.map((j) => [j.cell, j.input.aspect_ratio, j.input.output_format])).toEqual([
      [[0, 0], '1:1', 'png'],
      [[1, 0], '16:9', 'png'],
      [[2, 0], '9:16', 'png'],
      [[0, 1], '1:1', 'webp'],
      [[1, 1], '16:9', 'webp'],
      [[2, 1], '9:16', 'webp'],
    ]);
    expect(plan.estimateCredits).toBe(6 * 20);
  });

  it('shares one seed across the cells of a prompt so only the axes differ; a seed axis sets it', () => {
    let n = 0;
    const random = () => [0.1, 0.2][n++ % 2] as number;
    const plan = planBatch(
      spec({
        entries: [{ prompt: 'a {fox|owl}' }],
        sweep: [{ param: 'output_format', values: ['png', 'jpeg'] }],
      }),
      { ...opts, random },
    );
    const seeds = plan.jobs.map((j) => j.input.seed);
    expect(seeds[0]).toBe(seeds[1]);
    expect(seeds[2]).toBe(seeds[3]);
    expect(seeds[0]).not.toBe(seeds[2]);
    const seeded = planBatch(
      spec({ entries: [{ prompt: 'x' }], sweep: [{ param: 'seed', values: [7, 8, 9] }] }),
      opts,
    );
    expect(seeded.jobs.map((j) => j.input.seed)).toEqual([7, 8, 9]);
  });

  it('swaps aspect ratio for preset size, sweeps the model, and counts images per cell', () => {
    const plan = planBatch(
      spec({
        entries: [{ prompt: 'x' }],
        params: { aspect_ratio: '16:9' },
        sweep: [
          { param: 'image_size', values: ['square', 'landscape_4_3'] },
          { param: 'num_images', values: [1, 3] },
          { param: 'model', values: ['qwen/qwen-image-2', 'qwen/qwen-image-2-pro'] },
        ],
      }),
      opts,
    );
    expect(plan.jobs).toHaveLength(8);
    expect(plan.jobs.every((j) => j.input.aspect_ratio === undefined && j.input.image_size)).toBe(true);
    expect(plan.images).toBe(2 * (1 + 3) * 2);
    expect(plan.jobs.map((j) => j.model)).toContain('qwen/qwen-image-2-pro');
  });

  it('replaces the first prompt value in every prompt (search and replace), and says when it is missing', () => {
    const plan = planBatch(
      spec({
        entries: [{ prompt: 'a red {car|boat}' }],
        sweep: [{ param: 'prompt', values: ['red', 'blue', 'golden'] }],
      }),
      opts,
    );
    expect(plan.jobs.map((j) => j.input.prompt)).toEqual([
      'a red car',
      'a blue car',
      'a golden car',
      'a red boat',
      'a blue boat',
      'a golden boat',
    ]);
    const err = thrown(PlanError, () =>
      planBatch(
        spec({ entries: [{ prompt: 'a cat' }], sweep: [{ param: 'prompt', values: ['red', 'blue'] }] }),
        opts,
      ),
    );
    expect(err.message).toContain('the prompt axis replaces "red", which prompt "a cat" does not contain');
  });

  it('counts jobs and images exactly without expanding, and refuses past the cap from the count', () => {
    const big = spec({
      entries: [{ prompt: '{a|b|c|d|e|f|g|h|i|j} {a|b|c|d|e|f|g|h|i|j}' }],
      sweep: [
        { param: 'seed', values: Array.from({ length: 100 }, (_, i) => i) },
        { param: 'num_images', values: [1, 2] },
      ],
    });
    expect(countBatch(big)).toEqual({ jobs: 100 * 100 * 2, images: 100 * 100 * 3 });
    expect(() => planBatch(big, opts)).toThrow(/expands to 20,000 generations; the limit is 10,000/);
    const ok = spec({ entries: [{ prompt: 'p {a|b}' }], sweep: [{ param: 'num_images', values: [1, 4] }] });
    const plan = planBatch(ok, opts);
    expect(countBatch(ok)).toEqual({ jobs: plan.jobs.length, images: plan.images });
  });

  it('refuses more than three axes, a parameter twice, ratio with size, and bad values', () => {
    const axis = (param: string, values: unknown[]) => ({ param, values });
    const problems = (axes: unknown[]) => {
      const r = sweepSchema.safeParse(axes);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    expect(
      problems([
        axis('seed', [1]),
        axis('model', ['qwen/qwen-image']),
        axis('num_images', [1]),
        axis('output_format', ['png']),
      ]),
    ).toEqual(['a sweep has at most 3 axes (X, Y and Z)']);
    expect(problems([axis('seed', [1]), axis('seed', [2])])).toEqual(['Seed is on two axes — keep one']);
    expect(problems([axis('aspect_ratio', ['1:1']), axis('image_size', ['square'])])[0]).toContain(
      'one choice made two ways',
    );
    expect(problems([axis('aspect_ratio', ['5:4'])])[0]).toContain(
      'Aspect ratio: "5:4" is not a valid value',
    );
    expect(problems([axis('num_images', [1, 1])])[0]).toContain('a value is repeated');
  });

  it('numbers cells with X turning fastest', () => {
    const axes = sweepSchema.parse([
      { param: 'seed', values: [1, 2, 3] },
      { param: 'num_images', values: [1, 2] },
    ]);
    expect([0, 1, 2, 3, 4, 5].map((c) => cellIndices(axes, c))).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });
});

describe('--sweep name=v1,v2', () => {
  it('reads lists, ranges, on/off, aliases and escaped commas', () => {
    expect(parseSweepArg('ar=1:1,16:9')).toEqual({ param: 'aspect_ratio', values: ['1:1', '16:9'] });
    expect(parseSweepArg('seed=10..13')).toEqual({ param: 'seed', values: [10, 11, 12, 13] });
    expect(parseSweepArg('seed=1,5..6')).toEqual({ param: 'seed', values: [1, 5, 6] });
    expect(parseSweepArg('expansion=on,off')).toEqual({
      param: 'enable_prompt_expansion',
      values: [true, false],
    });
    expect(parseSweepArg('negative=,blurry\\, low quality')).toEqual({
      param: 'negative_prompt',
      values: ['', 'blurry, low quality'],
    });
    expect(parseSweepArg('model=qwen/qwen-image-2,qwen/qwen-image-2-pro').values).toHaveLength(2);
    expect(parseSweepArg('safety=on,off')).toEqual({ param: 'enable_safety_checker', values: [true, false] });
    expect(parseSweepArg('enable-safety-checker=off').values).toEqual([false]);
  });

  it('sweeps the safety checker: each cell sends its own enable_safety_checker', () => {
    const plan = planBatch(
      spec({
        entries: [{ prompt: 'a fox' }],
        params: { enable_safety_checker: true },
        sweep: [parseSweepArg('safety=on,off')],
      }),
      opts,
    );
    expect(plan.jobs.map((j) => [j.cell, j.input.enable_safety_checker])).toEqual([
      [[0], true],
      [[1], false],
    ]);
    expect(thrown(SweepSyntaxError, () => parseSweepArg('safety=maybe')).message).toContain(
      '"maybe" is not on or off',
    );
  });

  it('says what is wrong with a bad axis', () => {
    const msg = (arg: string) => thrown(SweepSyntaxError, () => parseSweepArg(arg)).message;
    expect(msg('colour=red')).toContain('"colour" is not a parameter that can be swept');
    expect(msg('seed')).toContain('write name=value1,value2');
    expect(msg('seed=5..1')).toContain('a range goes up');
    expect(msg('seed=x')).toContain('"x" is not a whole number');
    expect(msg('expansion=maybe')).toContain('"maybe" is not on or off');
    expect(msg('format=gif')).toContain('Format: "gif" is not a valid value');
  });
});
