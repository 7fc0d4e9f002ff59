import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedMetadata } from '../../main/engine/library/metadata/embed.ts';
import { toA1111Parameters } from '../../main/engine/library/metadata/a1111.ts';
import type { StudioRecord } from '../../main/engine/library/metadata/types.ts';
import { Studio } from '../../main/engine/studio.ts';
import { tempDir } from '../helpers/tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let dir: string;
let cleanup: () => void;
let studio: Studio;

const png = (r: number) =>
  sharp({ create: { width: 24, height: 16, channels: 3, background: { r, g: 20, b: 90 } } })
    .png()
    .toBuffer();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A hand-made PNG tEXt chunk, the way A1111 writes `parameters`. */
function withTextChunk(pngBytes: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const type = Buffer.from('tEXt', 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0);
  const ihdrEnd = 8 + 25;
  return Buffer.concat([pngBytes.subarray(0, ihdrEnd), len, type, data, crc, pngBytes.subarray(ihdrEnd)]);
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('qs-import-'));
  studio = new Studio({ dataDir: join(dir, 'data') });
});
afterEach(async () => {
  await studio.close();
  cleanup();
});

describe('import a folder', () => {
  it('reads our own records and A1111 parameters, skips non-images, and never imports the same bytes twice', async () => {
    const src = join(dir, 'incoming');
    mkdirSync(join(src, 'nested'), { recursive: true });
    const original = await png(10);
    const record: StudioRecord = {
      v: 1,
      app: 'qwen-studio',
      model: 'qwen/qwen-image-2',
      input: { prompt: '一只红色的猫', seed: 42, aspect_ratio: '3:2' },
      prompt: '一只红色的猫',
      negativePrompt: 'blurry',
      actualPrompt: 'a red cat, expanded',
      remoteId: 'gen_1',
      batch: { id: 3, name: 'Cats' },
      credits: 20,
      referenceHashes: [],
      seed: 42,
      createdAt: new Date().toISOString(),
      downloadedSha256: sha(original),
    };
    const ours = embedMetadata(original, 'png', { parameters: toA1111Parameters(record), record });
    writeFileSync(join(src, 'ours.png'), ours);
    const a1111 = withTextChunk(
      await png(200),
      'parameters',
      'a lighthouse at dusk\nNegative prompt: fog\nSteps: 20, Seed: 777, Size: 24x16, Model: sdxl',
    );
    writeFileSync(join(src, 'nested', 'a1111.png'), a1111);
    writeFileSync(
      join(src, 'plain.jpg'),
      await sharp({ create: { width: 8, height: 8, channels: 3, background: 'blue' } })
        .jpeg()
        .toBuffer(),
    );
    writeFileSync(join(src, 'fake.png'), 'not an image at all');
    writeFileSync(join(src, 'copy-of-ours.png'), ours);
    writeFileSync(join(src, '.hidden.png'), ours);

    const progress: number[] = [];
    const report = await studio.library.import(src, { onProgress: (p) => progress.push(p.done) });
    expect(report).toMatchObject({ scanned: 5, imported: 3, duplicates: 1 });
    expect(report.skipped).toEqual([
      { path: join(src, 'fake.png'), reason: 'not a PNG, JPEG, WebP or GIF image' },
    ]);
    expect(progress.at(-1)).toBe(5);

    const rows = report.ids.map((id) => internalsOf(studio).stores.assets.get(id)!);
    const mine = rows.find((r) => r.prompt === '一只红色的猫')!;
    expect(mine).toMatchObject({
      source: 'imported',
      seed: 42,
      negativePrompt: 'blurry',
      actualPrompt: 'a red cat, expanded',
      aspectRatio: '3:2',
      sha256: sha(original),
      fileSha256: sha(ours),
    });
    // The copy in the library is the file byte for byte.
    expect(sha(readFileSync(mine.path))).toBe(sha(ours));
    expect(mine.path.startsWith(join(dir, 'data', 'library', 'imported'))).toBe(true);
    const lighthouse = rows.find((r) => r.prompt === 'a lighthouse at dusk')!;
    expect(lighthouse).toMatchObject({ negativePrompt: 'fog', seed: 777, model: 'sdxl' });
    expect(studio.library.search('lighthouse').rows.map((r) => r.id)).toEqual([lighthouse.id]);
    expect(studio.library.search('红色').rows.map((r) => r.id)).toEqual([mine.id]);

    const again = await studio.library.import(src);
    expect(again).toMatchObject({ imported: 0, duplicates: 4 });
  });

  it('says clearly when the folder is missing or is a file', async () => {
    await expect(studio.library.import(join(dir, 'nope'))).rejects.toThrow(/not found/);
    writeFileSync(join(dir, 'file.txt'), 'x');
    await expect(studio.library.import(join(dir, 'file.txt'))).rejects.toThrow(/not a folder/);
  });

  it('stops when canceled and keeps what it had imported', async () => {
    const src = join(dir, 'many');
    mkdirSync(src);
    for (let i = 0; i < 6; i++) writeFileSync(join(src, `${i}.png`), await png(i * 30));
    const ctl = new AbortController();
    const report = await studio.library.import(src, {
      signal: ctl.signal,
      onProgress: (p) => p.done === 2 && ctl.abort(),
    });
    expect(report.imported).toBe(2);
    expect(internalsOf(studio).stores.assets.count()).toBe(2);
  });
});
