import { createHash } from 'node:crypto';
import { readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as LazyModules from '../../main/engine/files/lazy-modules.ts';
import type { Logger } from '../../main/engine/log.ts';
import { ThumbnailQueue, ensureThumbnail, thumbPath } from '../../main/engine/library/thumbs.ts';
import { tempDir } from '../helpers/tmp.ts';

// Real sharp, counted: how many pipelines start, how many run at once, and how many event-loop turns
// (`probe.tick`, advanced by a setImmediate spinner in the tests that want it) pass while each one runs.
const probe = vi.hoisted(() => ({
  calls: 0,
  active: 0,
  maxActive: 0,
  tick: 0,
  pipelines: [] as { startTick: number; endTick: number }[],
}));

// The engine loads sharp on first use through lazy-modules.ts; its `sharp` is the one counted.
vi.mock('../../main/engine/files/lazy-modules.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof LazyModules>();
  const real = actual.sharp;
  const counted = (...args: Parameters<typeof real>) => {
    probe.calls++;
    const instance = real(...args);
    // Thumbnails are encoded to memory and written by the atomic-write helper.
    const toBuffer = instance.toBuffer.bind(instance) as () => Promise<Buffer>;
    (instance as { toBuffer: unknown }).toBuffer = () => {
      const run = { startTick: probe.tick, endTick: -1 };
      probe.active++;
      probe.maxActive = Math.max(probe.maxActive, probe.active);
      return toBuffer().finally(() => {
        probe.active--;
        run.endTick = probe.tick;
        probe.pipelines.push(run);
      });
    };
    return instance;
  };
  return { ...actual, sharp: Object.assign(counted, real) };
});

function resetProbe(): void {
  probe.calls = 0;
  probe.active = 0;
  probe.maxActive = 0;
  probe.pipelines = [];
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function captureLogger(): Logger & {
  lines: { level: string; msg: string; fields?: Record<string, unknown> }[];
} {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const logger = {
    lines,
    debug: (msg: string, fields?: Record<string, unknown>) =>
      void lines.push({ level: 'debug', msg, fields }),
    info: (msg: string, fields?: Record<string, unknown>) => void lines.push({ level: 'info', msg, fields }),
    warn: (msg: string, fields?: Record<string, unknown>) => void lines.push({ level: 'warn', msg, fields }),
    error: (msg: string, fields?: Record<string, unknown>) =>
      void lines.push({ level: 'error', msg, fields }),
    child: () => logger,
    flush: () => undefined,
    close: () => undefined,
    droppedLines: () => 0,
  };
  return logger;
}

/** Every file under `dir`, relative paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

let tmp: { dir: string; cleanup: () => void };
let big: string; // 1600×1000 JPEG
let small: string; // 100×80 PNG
let rotated: string; // stored 400×200, EXIF orientation 6 (shown 200×400)
let corrupt: string;

beforeAll(async () => {
  tmp = tempDir('qs-thumbs-');
  const noise = (width: number, height: number) =>
    sharp({
      create: {
        width,
        height,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    });
  big = path.join(tmp.dir, 'big.jpg');
  await noise(1600, 1000).jpeg().toFile(big);
  small = path.join(tmp.dir, 'small.png');
  await noise(100, 80).png().toFile(small);
  rotated = path.join(tmp.dir, 'rotated.jpg');
  await noise(400, 200).jpeg().withMetadata({ orientation: 6 }).toFile(rotated);
  corrupt = path.join(tmp.dir, 'corrupt.png');
  const png = await noise(200, 200).png().toBuffer();
  writeFileSync(corrupt, png.subarray(0, Math.floor(png.length / 2)));
});

afterAll(() => tmp.cleanup());

let thumbs: string;
beforeEach((ctx) => {
  thumbs = path.join(tmp.dir, 'thumbs-' + ctx.task.id);
  resetProbe();
});

describe('smaller thumbnails', () => {
  it('a grid-tile thumbnail is made from the 320 px one when it exists, not from the original', async () => {
    const h = sha('tile');
    await ensureThumbnail(big, h, thumbs);
    // The original cannot be read now: the small one can only come from the 320 px thumbnail.
    const tile = await ensureThumbnail(corrupt, h, thumbs, 192);
    expect(tile).toBe(thumbPath(thumbs, h, 192));
    expect(await sharp(tile).metadata()).toMatchObject({ format: 'webp', width: 192, height: 120 });
    // Without a 320 px thumbnail it is the original's: a damaged one fails as before.
    await expect(ensureThumbnail(corrupt, sha('no-320'), thumbs, 192)).rejects.toThrow(
      /Could not make a thumbnail/,
    );
  });
});

describe('thumbPath', () => {
  it('shards by the first two hex digits and names size and format', () => {
    const h = sha('x');
    expect(thumbPath('/t', h)).toBe(path.join('/t', h.slice(0, 2), `${h}-320.webp`));
    expect(thumbPath('/t', h, 640)).toBe(path.join('/t', h.slice(0, 2), `${h}-640.webp`));
  });

  it('refuses keys that are not a sha256 digest (no path tricks)', () => {
    expect(() => thumbPath('/t', '../../etc/passwd')).toThrow(/sha256/);
    expect(() => thumbPath('/t', sha('x').toUpperCase())).toThrow(/sha256/);
    expect(() => thumbPath('/t', sha('x'), 0)).toThrow(/size/);
  });
});

describe('ensureThumbnail', () => {
  it('makes a WebP that fits inside the box, keeping the aspect ratio', async () => {
    const h = sha('big');
    const file = await ensureThumbnail(big, h, thumbs);
    expect(file).toBe(thumbPath(thumbs, h));
    const meta = await sharp(file).metadata();
    expect(meta.format).toBe('webp');
    expect([meta.width, meta.height]).toEqual([320, 200]);

    const larger = await ensureThumbnail(big, h, thumbs, 500);
    expect(larger).toBe(thumbPath(thumbs, h, 500));
    const m2 = await sharp(larger).metadata();
    expect([m2.width, m2.height]).toEqual([500, 313]);
  });

  it('never enlarges a small image', async () => {
    const meta = await sharp(await ensureThumbnail(small, sha('small'), thumbs)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 100, 80]);
  });

  it('turns the picture upright by its EXIF orientation', async () => {
    const meta = await sharp(await ensureThumbnail(rotated, sha('rotated'), thumbs)).metadata();
    expect([meta.width, meta.height]).toEqual([160, 320]);
  });

  it('returns a cached thumbnail without touching it or running sharp again', async () => {
    const h = sha('cached');
    const file = await ensureThumbnail(big, h, thumbs);
    const before = statSync(file);
    expect(probe.calls).toBe(1);
    const again = await ensureThumbnail(big, h, thumbs);
    expect(again).toBe(file);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(file).ino).toBe(before.ino);
    expect(probe.calls).toBe(1);
  });

  it('shares one piece of work among concurrent requests for the same image', async () => {
    const h = sha('concurrent');
    const results = await Promise.all(Array.from({ length: 6 }, () => ensureThumbnail(big, h, thumbs)));
    expect(new Set(results)).toEqual(new Set([thumbPath(thumbs, h)]));
    expect(probe.calls).toBe(1);
    expect(filesUnder(thumbs)).toEqual([path.relative(thumbs, thumbPath(thumbs, h))]);
  });

  it('rejects for a damaged source and leaves no file behind', async () => {
    const h = sha('corrupt');
    await expect(ensureThumbnail(corrupt, h, thumbs)).rejects.toThrow(
      /Could not make a thumbnail of .*corrupt\.png/,
    );
    expect(filesUnder(thumbs)).toEqual([]);
    await expect(ensureThumbnail(path.join(tmp.dir, 'missing.png'), h, thumbs)).rejects.toThrow(
      /missing\.png/,
    );
  });

  it('rejects (does not throw) for a bad key', async () => {
    const p = ensureThumbnail(big, 'not-a-hash', thumbs);
    await expect(p).rejects.toThrow(/sha256/);
  });
});

describe('ThumbnailQueue', () => {
  it('logs a failure and resolves null instead of rejecting, then keeps working', async () => {
    const log = captureLogger();
    const queue = new ThumbnailQueue(thumbs, 2, { log });
    const bad = queue.enqueue(corrupt, sha('bad'));
    const good = queue.enqueue(small, sha('good'));
    await expect(bad).resolves.toBeNull();
    await expect(good).resolves.toBe(thumbPath(thumbs, sha('good')));
    await queue.idle();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({
      level: 'warn',
      msg: 'thumbnail failed',
      fields: { sha256: sha('bad') },
    });
    expect(String(log.lines[0]!.fields!.error)).toMatch(/corrupt\.png/);
  });

  it('makes an image queued twice only once', async () => {
    const queue = new ThumbnailQueue(thumbs);
    const h = sha('twice');
    const [a, b] = await Promise.all([queue.enqueue(big, h), queue.enqueue(big, h)]);
    expect(a).toBe(thumbPath(thumbs, h));
    expect(b).toBe(a);
    expect(probe.calls).toBe(1);
  });

  it('idle() resolves at once when nothing was queued', async () => {
    await new ThumbnailQueue(thumbs).idle();
  });

  it('keeps the event loop turning and at most `concurrency` images in flight while making 20', async () => {
    let spinning = true;
    const spin = () => {
      probe.tick++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    try {
      const queue = new ThumbnailQueue(thumbs, 2);
      const keys = Array.from({ length: 20 }, (_, i) => sha(`many-${i}`));
      const results = keys.map((k) => queue.enqueue(big, k));
      await queue.idle();
      expect(await Promise.all(results)).toEqual(keys.map((k) => thumbPath(thumbs, k)));
    } finally {
      spinning = false;
    }
    expect(probe.pipelines).toHaveLength(20);
    // Each pipeline spanned at least one turn of the loop: sharp's work ran off the main thread.
    for (const run of probe.pipelines) expect(run.endTick).toBeGreaterThan(run.startTick);
    expect(probe.maxActive).toBeLessThanOrEqual(2);
    expect(probe.maxActive).toBeGreaterThanOrEqual(1);
  });
});
