import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inspectReference,
  loadReference,
  ReferenceError as RefError,
  storeReference,
  validateReferenceList,
} from '../../main/engine/batch/refs.ts';

let dir: string;
let png: Buffer;
let jpeg: Buffer;

/** Pixels that do not compress away, so a cut file really misses image data. */
function noise(width: number, height: number): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  let x = 12345;
  for (let i = 0; i < buf.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    buf[i] = x >>> 24;
  }
  return buf;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'qs-refs-'));
  const raw = { raw: { width: 320, height: 200, channels: 3 as const } };
  png = await sharp(noise(320, 200), raw).png().toBuffer();
  jpeg = await sharp(noise(320, 200), raw).jpeg({ quality: 90 }).toBuffer();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, data: Buffer | string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, data);
  return file;
}

async function refError(promise: Promise<unknown>): Promise<RefError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RefError);
  return err as RefError;
}

describe('loadReference', () => {
  it('loads a PNG with its hash, type and dimensions', async () => {
    const file = await write('photo.png', png);
    const ref = await loadReference(file);
    expect(ref).toMatchObject({
      mime: 'image/png',
      width: 320,
      height: 200,
      bytes: png.length,
      fileName: 'photo.png',
    });
    expect(ref.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect(ref.data.equals(png)).toBe(true);
  });

  it('recognises a JPEG by its bytes, whatever its extension says', async () => {
    const file = await write('actually-a-jpeg.png', jpeg);
    const ref = await loadReference(file);
    expect(ref.mime).toBe('image/jpeg');
    expect([ref.width, ref.height]).toEqual([320, 200]);
  });

  it('accepts WebP and GIF', async () => {
    const raw = { raw: { width: 40, height: 30, channels: 3 as const } };
    const webp = await loadReference(
      await write('a.webp', await sharp(noise(40, 30), raw).webp().toBuffer()),
    );
    expect([webp.mime, webp.width, webp.height]).toEqual(['image/webp', 40, 30]);
    const gif = await loadReference(await write('a.gif', await sharp(noise(40, 30), raw).gif().toBuffer()));
    expect([gif.mime, gif.width, gif.height]).toEqual(['image/gif', 40, 30]);
  });

  it('refuses a text file renamed .png', async () => {
    const file = await write('notes.png', 'these are my notes, not a picture\n');
    const err = await refError(loadReference(file));
    expect(err.source).toBe(file);
    expect(err.message).toContain('notes.png is not a PNG, JPEG, WebP or GIF image');
  });

  it('refuses a truncated PNG whose header still looks fine', async () => {
    const file = await write('cut.png', png.subarray(0, Math.floor(png.length / 2)));
    // The header alone still reads: only decoding finds the damage.
    expect((await sharp(file).metadata()).width).toBe(320);
    const err = await refError(loadReference(file));
    expect(err.message).toMatch(/^cut\.png looks like a PNG but cannot be decoded/);
    expect(err.message).toContain('export it again');
  });

  it('refuses a truncated JPEG', async () => {
    const file = await write('cut.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const err = await refError(loadReference(file));
    expect(err.message).toContain('cut.jpg looks like a JPG but cannot be decoded');
  });

  it('refuses a file over the size limit without reading it, saying by how much', async () => {
    const file = path.join(dir, 'huge.png');
    // A sparse 21 MB file: the limit is checked on the size alone.
    await writeFile(file, png);
    await truncate(file, 21 * 1024 * 1024);
    const err = await refError(loadReference(file));
    expect(err.message).toBe(
      'huge.png is 21 MB; references must be 20 MB or smaller — downscale or compress it',
    );
  });

  it('shows one decimal, and bytes when the rounded size would equal the limit', async () => {
    const file = path.join(dir, 'big.png');
    await writeFile(file, png);
    await truncate(file, Math.round(31.2 * 1024 * 1024));
    expect((await refError(loadReference(file))).message).toContain(
      'big.png is 31.2 MB; references must be 20 MB',
    );
    await truncate(file, 20 * 1024 * 1024 + 1);
    expect((await refError(loadReference(file))).message).toContain(
      'big.png is 20,971,521 bytes; references must be 20,971,520 bytes or smaller',
    );
  });

  it('honours a custom size limit', async () => {
    const file = await write('small-limit.png', png);
    await expect(loadReference(file, png.length)).resolves.toMatchObject({ bytes: png.length });
    await expect(loadReference(file, png.length - 1)).rejects.toThrow(/references must be/);
  });

  it('reports a missing path, a folder and an empty file', async () => {
    const missing = path.join(dir, 'nowhere', 'ghost.png');
    const gone = await refError(loadReference(missing));
    expect(gone.message).toBe(`reference image ${missing} not found — check the path`);
    expect(gone.source).toBe(missing);

    const folder = path.join(dir, 'a-folder.png');
    await mkdir(folder);
    expect((await refError(loadReference(folder))).message).toContain('is a folder, not an image');

    const empty = await write('empty.png', Buffer.alloc(0));
    expect((await refError(loadReference(empty))).message).toContain('empty.png is empty (0 bytes)');
  });
});

describe('inspectReference', () => {
  it('checks bytes from memory the same way', async () => {
    const ref = await inspectReference(jpeg, 'upload.jpg');
    expect([ref.mime, ref.width, ref.height, ref.fileName]).toEqual(['image/jpeg', 320, 200, 'upload.jpg']);
    const bad = await refError(inspectReference(Buffer.from('GIF89a but not really'), 'fake.gif'));
    expect(bad.message).toContain('fake.gif looks like a GIF but cannot be decoded');
    expect(bad.source).toBe('fake.gif');
    const big = await refError(inspectReference(Buffer.alloc(21 * 1024 * 1024), 'zeros.png'));
    expect(big.message).toContain('zeros.png is 21 MB; references must be 20 MB or smaller');
  });
});

describe('storeReference', () => {
  it('stores content-addressed: the same bytes twice make one file', async () => {
    const refsDir = path.join(dir, 'store', 'refs');
    const a = await loadReference(await write('first.png', png));
    const b = await inspectReference(Buffer.from(png), 'second-name.png');
    const pathA = await storeReference(refsDir, a);
    const pathB = await storeReference(refsDir, b);
    expect(pathA).toBe(path.join(refsDir, `${a.sha256}.png`));
    expect(pathB).toBe(pathA);
    expect(await readdir(refsDir)).toEqual([`${a.sha256}.png`]);
    expect((await readFile(pathA)).equals(png)).toBe(true);

    const j = await inspectReference(jpeg, 'x.jpeg');
    const pathJ = await storeReference(refsDir, j);
    expect(path.basename(pathJ)).toBe(`${j.sha256}.jpg`);
    expect((await readdir(refsDir)).sort()).toEqual([`${a.sha256}.png`, `${j.sha256}.jpg`].sort());
  });

  it('rewrites a stored file that was damaged from outside', async () => {
    const refsDir = path.join(dir, 'store2');
    const ref = await inspectReference(png, 'p.png');
    const stored = await storeReference(refsDir, ref);
    await writeFile(stored, 'garbage');
    await storeReference(refsDir, ref);
    expect((await readFile(stored)).equals(png)).toBe(true);
    // No temporary files are left behind.
    expect(await readdir(refsDir)).toEqual([path.basename(stored)]);
  });
});

describe('validateReferenceList', () => {
  it('accepts up to four and refuses five with a clear message', () => {
    expect(() => validateReferenceList(0)).not.toThrow();
    expect(() => validateReferenceList(4)).not.toThrow();
    expect(() => validateReferenceList(5)).toThrow(RefError);
    expect(() => validateReferenceList(5)).toThrow(/^5 reference images given; the service takes at most 4/);
  });
});
