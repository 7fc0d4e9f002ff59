import { describe, expect, it } from 'vitest';
import {
  aspectPixels,
  documentedDefaults,
  finalUsage,
  generationInputSchema,
  generationSchema,
  isTerminal,
  normalizeStatus,
  resultImages,
  serviceInputSchema,
} from '../../shared/api.ts';
import { batchSpecSchema } from '../../shared/domain.ts';
import { DEFAULT_SETTINGS, settingsSchema } from '../../shared/settings.ts';

const ok = (v: unknown) => generationInputSchema.safeParse(v).success;
const message = (v: unknown) => generationInputSchema.safeParse(v).error?.issues[0]?.message;

describe('generation input schema', () => {
  it('takes a bare prompt and every documented field at its limits', () => {
    expect(ok({ prompt: '一只猫' })).toBe(true);
    expect(
      ok({
        prompt: 'x',
        image_urls: ['https://a/1.png', 'https://a/2.png', 'https://a/3.png', 'http://a/4.png'],
        negative_prompt: 'n'.repeat(500),
        aspect_ratio: '2:3',
        enable_prompt_expansion: false,
        seed: 2147483647,
        num_images: 4,
        output_format: 'webp',
      }),
    ).toBe(true);
    expect(ok({ prompt: 'x', seed: 0 })).toBe(true);
    expect(ok({ prompt: 'x', enable_safety_checker: false })).toBe(true);
    expect(ok({ prompt: 'x', seed: null })).toBe(true);
  });

  it.each([
    [{ prompt: '   ' }, /prompt is empty/],
    [{ prompt: 'x', negative_prompt: 'n'.repeat(501) }, /longer than 500/],
    [{ prompt: 'x', seed: 2147483648 }, /at most 2147483647/],
    [{ prompt: 'x', seed: -1 }, /0 or more/],
    [{ prompt: 'x', seed: 1.5 }, /whole number/],
    [{ prompt: 'x', num_images: 5 }, /.+/],
    [{ prompt: 'x', image_urls: ['a', 'b', 'c', 'd', 'e'].map((s) => `https://h/${s}.png`) }, /at most 4/],
    [{ prompt: 'x', image_urls: ['file:///etc/passwd'] }, /http\(s\) URL/],
    [{ prompt: 'x', aspect_ratio: '5:4' }, /.+/],
    [{ prompt: 'x', image_size: 'square', aspect_ratio: '1:1' }, /either image_size or aspect_ratio/],
    [{ prompt: 'x', n: 2 }, /.+/],
  ])('refuses %j', (input, pattern) => {
    expect(ok(input)).toBe(false);
    expect(message(input)).toMatch(pattern);
  });
});

describe('what the service accepts beside what we send', () => {
  it('the service takes n (never sent by us: num_images is), and the documented defaults by model', () => {
    expect(serviceInputSchema.safeParse({ prompt: 'x', n: 2, num_images: 2 }).success).toBe(true);
    expect(serviceInputSchema.safeParse({ prompt: 'x', n: 5 }).success).toBe(false);
    expect(ok({ prompt: 'x', n: 2 })).toBe(false);
    expect(ok({ prompt: 'x', enable_safety_checker: 'yes' })).toBe(false);
    expect(documentedDefaults('qwen/qwen-image-2').enable_safety_checker).toBe(false);
    expect(documentedDefaults('qwen/qwen-image').enable_safety_checker).toBe(false);
    expect(documentedDefaults('qwen/qwen-image-2-pro').enable_safety_checker).toBe(true);
  });
});

describe('statuses', () => {
  it.each([
    ['IN_QUEUE', 'queued'],
    ['starting', 'queued'],
    ['queued', 'queued'],
    ['IN_PROGRESS', 'running'],
    ['processing', 'running'],
    ['running', 'running'],
    ['COMPLETED', 'completed'],
    ['succeeded', 'completed'],
    ['FAILED', 'failed'],
    ['failed', 'failed'],
    ['CANCELED', 'canceled'],
    ['CANCELLED', 'canceled'],
    ['canceled', 'canceled'],
    ['Cancelled', 'canceled'],
    [' canceled ', 'canceled'],
    ['Weird', 'unknown'],
    [null, 'unknown'],
  ] as const)('%s → %s', (raw, norm) => {
    expect(normalizeStatus(raw)).toBe(norm);
  });

  it('terminal states are exactly completed, failed, canceled', () => {
    expect(
      ['queued', 'running', 'completed', 'failed', 'canceled', 'unknown'].filter((s) =>
        isTerminal(s as never),
      ),
    ).toEqual(['completed', 'failed', 'canceled']);
  });
});

describe('generation object', () => {
  it('reads images from data.images, else data.image, tolerating unknown fields', () => {
    const g = generationSchema.parse({
      id: 'g',
      status: 'COMPLETED',
      extra: 1,
      data: { image: { url: 'u', width: 1 } },
    });
    expect(resultImages(g).map((i) => i.url)).toEqual(['u']);
    const h = generationSchema.parse({
      id: 'g',
      status: 'COMPLETED',
      data: { images: [{ url: 'a' }, { url: 'b' }], image: { url: 'a' } },
    });
    expect(resultImages(h).map((i) => i.url)).toEqual(['a', 'b']);
    expect(resultImages(generationSchema.parse({ id: 'g', status: 'IN_QUEUE', data: null }))).toEqual([]);
  });
});

describe('create answers of every age', () => {
  it('the pro model’s answer "starting" without input is a queued generation', () => {
    const g = generationSchema.parse({ id: 'gen_pro', status: 'starting' });
    expect(g.input).toBeUndefined();
    expect(normalizeStatus(g.status)).toBe('queued');
  });

  it('usage counts only at a terminal state: the create answer’s usage is never final', () => {
    const usage = { total: 20, subscription: 20, permanent: 0 };
    for (const status of ['IN_QUEUE', 'starting', 'IN_PROGRESS', 'processing', 'queued', 'whatever']) {
      expect(finalUsage({ status, usage })).toBeNull();
    }
    for (const status of ['COMPLETED', 'succeeded', 'FAILED', 'failed', 'CANCELED', 'cancelled']) {
      expect(finalUsage({ status, usage })).toEqual(usage);
    }
    expect(finalUsage({ status: 'COMPLETED' })).toBeNull();
  });
});

describe('domain and settings schemas', () => {
  it('aspect presets stay near one megapixel with the right shape', () => {
    const { width, height } = aspectPixels('16:9');
    expect(width / height).toBeCloseTo(16 / 9, 1);
    expect(width * height).toBeGreaterThan(900_000);
    expect(width * height).toBeLessThan(1_150_000);
  });

  it('a batch spec fills defaults and refuses an empty batch', () => {
    const s = batchSpecSchema.parse({ name: 'b', entries: [{ prompt: 'p' }] });
    expect(s).toMatchObject({ model: 'qwen/qwen-image-2', seed: { mode: 'random' }, repeat: 1, refs: [] });
    expect(batchSpecSchema.safeParse({ name: 'b', entries: [] }).error?.issues[0]?.message).toMatch(
      /no prompts/,
    );
    expect(
      batchSpecSchema.safeParse({ name: 'b', entries: [{ prompt: 'p' }], refs: ['/etc/passwd'] }).success,
    ).toBe(false);
  });

  it('settings have sensible defaults and bounds', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      concurrency: 4,
      stream: true,
      theme: 'system',
      apiBase: 'https://open.skills.video/api',
    });
    expect(settingsSchema.safeParse({ concurrency: 0 }).success).toBe(false);
    expect(settingsSchema.safeParse({ apiBase: 'ftp://x' }).success).toBe(false);
  });
});
