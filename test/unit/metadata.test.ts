import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { OutputInfo } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseA1111Parameters, toA1111Parameters } from '../../main/engine/library/metadata/a1111.ts';
import {
  embedMetadata,
  embedMetadataInFile,
  readMetadata,
  stripMetadata,
} from '../../main/engine/library/metadata/embed.ts';
import { decodeUserComment } from '../../main/engine/library/metadata/exif.ts';
import type { StudioRecord } from '../../main/engine/library/metadata/types.ts';
import { tempDir } from '../helpers/tmp.ts';

const run = promisify(execFile);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const HAS_EXIFTOOL = (() => {
  try {
    execFileSync('exiftool', ['-ver'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** exiftool's view of a file: `-G1` group:tag names, `-a` duplicates kept, warnings included. */
async function exiftool(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('exiftool', ['-j', '-G1', '-a', file]);
  return (JSON.parse(stdout) as Record<string, unknown>[])[0]!;
}

function record(overrides: Partial<StudioRecord> = {}): StudioRecord {
  const prompt = overrides.prompt ?? '一只戴着红色围巾的猫, sitting on a "chair"\n第二行: 水彩 & <ink>';
  const negativePrompt =
    overrides.negativePrompt === undefined ? '模糊, low quality' : overrides.negativePrompt;
  return {
    v: 1,
    app: 'qwen-studio',
    model: 'qwen/qwen-image-2',
    input: {
      prompt,
      ...(negativePrompt ? { negative_prompt: negativePrompt } : {}),
      image_size: 'square_hd',
      seed: 1234,
      enable_prompt_expansion: true,
      output_format: 'png',
    },
    prompt,
    negativePrompt,
    actualPrompt: 'A cat wearing a red scarf, sitting on a chair, watercolour and ink, 水彩',
    remoteId: 'gen_01HXYZ',
    batch: { id: 7, name: 'Cats, autumn' },
    credits: 2.5,
    referenceHashes: ['a'.repeat(64), 'b'.repeat(64)],
    seed: 1234,
    createdAt: '2026-11-24T04:00:00.000Z',
    downloadedSha256: 'c'.repeat(64),
    ...overrides,
  };
}

// ---- hand-made containers ------------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** `png` with `chunks` inserted right after IHDR (where PIL, and so A1111, writes its text chunks). */
function pngWith(png: Buffer, ...chunks: Buffer[]): Buffer {
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

const tEXt = (key: string, text: string) => pngChunk('tEXt', Buffer.from(`${key}\0${text}`, 'latin1'));
const zTXt = (key: string, text: string) =>
  pngChunk(
    'zTXt',
    Buffer.concat([Buffer.from(`${key}\0\0`, 'latin1'), deflateSync(Buffer.from(text, 'latin1'))]),
  );
const compressedITXt = (key: string, text: string) =>
  pngChunk(
    'iTXt',
    Buffer.concat([Buffer.from(`${key}\0\x01\0\0\0`, 'latin1'), deflateSync(Buffer.from(text, 'utf8'))]),
  );

/** A standard JFIF APP0 segment right after SOI, as libjpeg writes it. */
function withJfif(jpeg: Buffer): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00,
  ]);
  return Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
}

function webpChunks(buf: Buffer): string[] {
  const out: string[] = [];
  for (let at = 12; at + 8 <= buf.length;) {
    const size = buf.readUInt32LE(at + 4);
    out.push(buf.toString('latin1', at, at + 4));
    at += 8 + size + (size & 1);
  }
  return out;
}

async function pixels(buf: Buffer): Promise<{ data: Buffer; info: OutputInfo }> {
  return sharp(buf).raw().toBuffer({ resolveWithObject: true });
}

// ---- samples -------------------------------------------------------------------------------------------

type Sample = { name: string; format: 'png' | 'jpeg' | 'webp'; bytes: Buffer };
const samples: Sample[] = [];
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  tmp = tempDir('qs-meta-');
  const rgb = () =>
    sharp({
      create: {
        width: 96,
        height: 64,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 50 },
      },
    });
  const rgba = async () =>
    sharp(await rgb().png().toBuffer())
      .ensureAlpha()
      .composite([
        {
          input: Buffer.from([255, 255, 255, 0]),
          raw: { width: 1, height: 1, channels: 4 },
          tile: true,
          blend: 'dest-in',
        },
      ]);
  const png = await rgb().png().toBuffer();
  const jpeg = await rgb().jpeg({ quality: 85 }).toBuffer();
  samples.push(
    { name: 'PNG', format: 'png', bytes: png },
    { name: 'PNG with a tEXt chunk', format: 'png', bytes: pngWith(png, tEXt('Comment', 'made by hand')) },
    { name: 'JPEG', format: 'jpeg', bytes: jpeg },
    { name: 'JPEG with a JFIF APP0', format: 'jpeg', bytes: withJfif(jpeg) },
    {
      name: 'JPEG with EXIF (orientation 6)',
      format: 'jpeg',
      bytes: await rgb().jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    },
    { name: 'WebP lossy (VP8)', format: 'webp', bytes: await rgb().webp({ quality: 80 }).toBuffer() },
    { name: 'WebP lossless (VP8L)', format: 'webp', bytes: await rgb().webp({ lossless: true }).toBuffer() },
    {
      name: 'WebP lossless with alpha (VP8L)',
      format: 'webp',
      bytes: await (await rgba()).webp({ lossless: true }).toBuffer(),
    },
    {
      name: 'WebP lossy with alpha (VP8X)',
      format: 'webp',
      bytes: await (await rgba()).webp({ quality: 80 }).toBuffer(),
    },
  );
});

afterAll(() => tmp.cleanup());

const sample = (name: string) => samples.find((s) => s.name === name)!;
const NAMES = [
  'PNG',
  'PNG with a tEXt chunk',
  'JPEG',
  'JPEG with a JFIF APP0',
  'JPEG with EXIF (orientation 6)',
  'WebP lossy (VP8)',
  'WebP lossless (VP8L)',
  'WebP lossless with alpha (VP8L)',
  'WebP lossy with alpha (VP8X)',
];

// ---- A1111 text ----------------------------------------------------------------------------------------

describe('A1111 parameters text', () => {
  it('follows the PNG Info layout: prompt lines, negative prompt line, one settings line', () => {
    const text = toA1111Parameters(record());
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['一只戴着红色围巾的猫, sitting on a "chair"', '第二行: 水彩 & <ink>']);
    expect(lines[2]).toBe('Negative prompt: 模糊, low quality');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(
      /^Seed: 1234, Size: 1024x1024, Model: qwen\/qwen-image-2, Image size: square_hd, /,
    );
    expect(lines[3]).toContain('Batch: "Cats, autumn"');
    expect(lines[3]).toContain('Created: "2026-11-24T04:00:00.000Z"');
    expect(lines[3]).toMatch(/, Version: qwen-studio$/);
  });

  it('reads back what it wrote, quoted values included', () => {
    const r = record({ actualPrompt: 'line one,\nline "two": done' });
    const parsed = parseA1111Parameters(toA1111Parameters(r));
    expect(parsed.prompt).toBe(r.prompt);
    expect(parsed.negativePrompt).toBe(r.negativePrompt);
    expect(parsed.settings).toMatchObject({
      Seed: '1234',
      Size: '1024x1024',
      Model: 'qwen/qwen-image-2',
      'Image size': 'square_hd',
      'Prompt expansion': 'on',
      'Actual prompt': 'line one,\nline "two": done',
      'Remote id': 'gen_01HXYZ',
      Batch: 'Cats, autumn',
      Credits: '2.5',
      'Reference hashes': `${'a'.repeat(64)}, ${'b'.repeat(64)}`,
      Created: '2026-11-24T04:00:00.000Z',
      Version: 'qwen-studio',
    });
  });

  it('leaves out the negative prompt line when there is none, and sizes come from the measured image first', () => {
    const text = toA1111Parameters(
      record({
        negativePrompt: null,
        width: 1328,
        height: 752,
        seed: null,
        input: { aspect_ratio: '16:9', prompt: 'x' },
      }),
    );
    expect(text).not.toContain('Negative prompt');
    const parsed = parseA1111Parameters(text);
    expect(parsed.negativePrompt).toBeNull();
    expect(parsed.settings.Size).toBe('1328x752');
    expect(parsed.settings.Seed).toBeUndefined();
    expect(parsed.settings['Aspect ratio']).toBe('16:9');
  });

  it('derives Size from the aspect ratio when nothing was measured', () => {
    const text = toA1111Parameters(record({ input: { prompt: 'x', aspect_ratio: '1:1' }, seed: null }));
    expect(parseA1111Parameters(text).settings.Size).toBe('1024x1024');
  });

  it('parses real A1111 output: multi-line negative prompt, quoted Lora hashes, CRLF line ends', () => {
    const text = [
      'masterpiece, 1girl, (red scarf:1.2)',
      'autumn forest',
      'Negative prompt: lowres, bad anatomy',
      'extra fingers',
      'Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 3141592, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: "scarf: 1a2b3c, style: 4d5e6f", Version: v1.6.0',
    ].join('\r\n');
    const parsed = parseA1111Parameters(text);
    expect(parsed.prompt).toBe('masterpiece, 1girl, (red scarf:1.2)\nautumn forest');
    expect(parsed.negativePrompt).toBe('lowres, bad anatomy\nextra fingers');
    expect(parsed.settings).toEqual({
      Steps: '20',
      Sampler: 'DPM++ 2M Karras',
      'CFG scale': '7',
      Seed: '3141592',
      Size: '512x768',
      'Model hash': '6ce0161689',
      Model: 'v1-5-pruned-emaonly',
      'Lora hashes': 'scarf: 1a2b3c, style: 4d5e6f',
      Version: 'v1.6.0',
    });
  });

  it('treats a last line with fewer than three settings as part of the prompt (as A1111 does)', () => {
    const parsed = parseA1111Parameters('a castle\nstyle: gothic, mood: dark');
    expect(parsed).toEqual({
      prompt: 'a castle\nstyle: gothic, mood: dark',
      negativePrompt: null,
      settings: {},
    });
    expect(parseA1111Parameters('')).toEqual({ prompt: '', negativePrompt: null, settings: {} });
  });

  it('drops NUL and other control characters no container can carry', () => {
    const text = toA1111Parameters(record({ prompt: 'a\u0000b\u0007c\tTab', negativePrompt: null }));
    expect(text.split('\n')[0]).toBe('abc\tTab');
  });
});

// ---- embedding -----------------------------------------------------------------------------------------

describe.each(NAMES)('embed into %s', (name) => {
  const meta = () => {
    const r = record({ downloadedSha256: sha256(sample(name).bytes) });
    return { parameters: toA1111Parameters(r), record: r };
  };

  it('keeps every pixel and gives back the original bytes when stripped', async () => {
    const { bytes, format } = sample(name);
    const embedded = embedMetadata(bytes, format, meta());
    expect(embedded.length).toBeGreaterThan(bytes.length);
    const [a, b] = await Promise.all([pixels(bytes), pixels(embedded)]);
    expect(b.info).toEqual(a.info);
    expect(b.data.equals(a.data)).toBe(true);
    const stripped = stripMetadata(embedded);
    expect(stripped.equals(bytes)).toBe(true);
    expect(sha256(stripped)).toBe(meta().record.downloadedSha256);
  });

  it('reads back the parameters text (Chinese, line breaks) and the record', () => {
    const { bytes, format } = sample(name);
    const m = meta();
    const got = readMetadata(embedMetadata(bytes, format, m));
    expect(got.format).toBe(format);
    expect(got.parameters).toBe(m.parameters);
    expect(got.record).toEqual(m.record);
  });

  it('replaces an earlier embedding instead of stacking a second one', () => {
    const { bytes, format } = sample(name);
    const first = embedMetadata(bytes, format, meta());
    const r2 = record({ prompt: 'second version', remoteId: 'gen_2' });
    const second = embedMetadata(first, format, { parameters: toA1111Parameters(r2), record: r2 });
    expect(readMetadata(second).record).toEqual(r2);
    expect(stripMetadata(second).equals(bytes)).toBe(true);
    expect(second.length - bytes.length).toBeLessThan(first.length - bytes.length + 200);
  });
});

describe('container details', () => {
  const m = () => ({ parameters: toA1111Parameters(record()), record: record() });

  it('JPEG: the JFIF APP0 stays first, our EXIF and XMP APP1 segments follow it', () => {
    const out = embedMetadata(sample('JPEG with a JFIF APP0').bytes, 'jpeg', m());
    expect([out[2], out[3]]).toEqual([0xff, 0xe0]);
    const afterApp0 = 4 + out.readUInt16BE(4);
    expect([out[afterApp0], out[afterApp0 + 1]]).toEqual([0xff, 0xe1]);
    expect(out.toString('latin1', afterApp0 + 4, afterApp0 + 10)).toBe('Exif\0\0');
  });

  it('JPEG: an image with EXIF keeps its orientation for readers of either EXIF segment', async () => {
    const out = embedMetadata(sample('JPEG with EXIF (orientation 6)').bytes, 'jpeg', m());
    expect((await sharp(out).metadata()).orientation).toBe(6);
    const upright = await sharp(out).rotate().toBuffer({ resolveWithObject: true });
    expect([upright.info.width, upright.info.height]).toEqual([64, 96]);
  });

  it('WebP: a simple file becomes VP8X with EXIF/XMP flags and the canvas of its bitstream', async () => {
    for (const name of ['WebP lossy (VP8)', 'WebP lossless (VP8L)', 'WebP lossless with alpha (VP8L)']) {
      const { bytes } = sample(name);
      expect(webpChunks(bytes)).toHaveLength(1);
      const out = embedMetadata(bytes, 'webp', m());
      expect(webpChunks(out)).toEqual(['VP8X', webpChunks(bytes)[0], 'EXIF', 'XMP ']);
      const flags = out[20]!;
      expect(flags & 0x0c).toBe(0x0c);
      expect(Boolean(flags & 0x10)).toBe(name.includes('alpha'));
      expect([out.readUIntLE(24, 3) + 1, out.readUIntLE(27, 3) + 1]).toEqual([96, 64]);
      expect(out.readUInt32LE(4)).toBe(out.length - 8);
      const meta = await sharp(out).metadata();
      expect([meta.width, meta.height, meta.hasAlpha]).toEqual([96, 64, name.includes('alpha')]);
    }
  });

  it('WebP: an extended file keeps its chunks in order and gains EXIF and XMP after the image data', () => {
    const { bytes } = sample('WebP lossy with alpha (VP8X)');
    expect(webpChunks(bytes)).toEqual(['VP8X', 'ALPH', 'VP8 ']);
    const out = embedMetadata(bytes, 'webp', m());
    expect(webpChunks(out)).toEqual(['VP8X', 'ALPH', 'VP8 ', 'EXIF', 'XMP ']);
    expect(out[20]).toBe(bytes[20]! | 0x0c);
  });

  it('WebP and JPEG that already carry EXIF and XMP: theirs stay, ours come first and keep the orientation', async () => {
    const xmp =
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
      '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq>' +
      '<rdf:li>Someone Else</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>';
    const src = sharp(await sharp(sample('PNG').bytes).toBuffer())
      .withMetadata({ orientation: 3 })
      .withXmp(xmp);
    const webp = await src.clone().webp().toBuffer();
    const jpeg = await src.clone().jpeg().toBuffer();
    expect(webpChunks(webp)).toEqual(expect.arrayContaining(['VP8X', 'EXIF', 'XMP ']));
    for (const [format, bytes] of [
      ['webp', webp],
      ['jpeg', jpeg],
    ] as const) {
      const out = embedMetadata(bytes, format, m());
      expect(readMetadata(out).record).toEqual(record());
      expect((await sharp(out).metadata()).orientation).toBe(3);
      expect(out.includes('Someone Else')).toBe(true);
      expect(stripMetadata(out).equals(bytes)).toBe(true);
    }
    const chunks = webpChunks(embedMetadata(webp, 'webp', m()));
    expect(chunks.indexOf('EXIF')).toBeLessThan(chunks.lastIndexOf('EXIF'));
  });

  it('PNG: text chunks go right after IHDR, IDAT and the other chunks are untouched', () => {
    const { bytes } = sample('PNG with a tEXt chunk');
    const out = embedMetadata(bytes, 'png', m());
    const types: string[] = [];
    for (let at = 8; at < out.length;) {
      const len = out.readUInt32BE(at);
      types.push(out.toString('latin1', at + 4, at + 8));
      at += 12 + len;
    }
    expect(types.slice(0, 3)).toEqual(['IHDR', 'iTXt', 'iTXt']); // non-ASCII parameters → iTXt
    expect(types.filter((t) => t === 'tEXt')).toHaveLength(1); // the file's own Comment
    expect(readMetadata(out).other).toEqual({ Comment: 'made by hand' });
  });

  it('PNG: ASCII-only parameters are a plain tEXt chunk, like A1111 writes them', () => {
    const r = record({ prompt: 'a red car', negativePrompt: null, actualPrompt: null, batch: null });
    const out = embedMetadata(sample('PNG').bytes, 'png', { parameters: toA1111Parameters(r), record: r });
    expect(out.toString('latin1', 37, 41)).toBe('tEXt');
    expect(out.toString('latin1', 41, 52)).toBe('parameters\0');
    expect(readMetadata(out).parameters).toBe(toA1111Parameters(r));
  });

  it('JPEG: a record too large for one segment keeps the parameters and drops bulky fields, listed in `truncated`', async () => {
    const prompt = '山水画，云雾缭绕的山峰，'.repeat(400).slice(0, 5000);
    const r = record({
      prompt,
      input: { prompt, image_size: 'square_hd' },
      actualPrompt: 'mist over the peaks '.repeat(3000),
    });
    const parameters = toA1111Parameters(r);
    expect(Buffer.byteLength(parameters)).toBeGreaterThan(64 * 1024);
    const { bytes } = sample('JPEG');
    const out = embedMetadata(bytes, 'jpeg', { parameters, record: r });
    const got = readMetadata(out);
    expect(got.record!.prompt).toBe(prompt);
    expect(got.record!.truncated).toEqual(['input.prompt', 'input', 'actualPrompt']);
    expect(r.actualPrompt!.startsWith(got.record!.actualPrompt!)).toBe(true);
    expect(got.record!.actualPrompt!.length).toBeGreaterThan(1000);
    expect(parameters.startsWith(got.parameters!)).toBe(true); // the EXIF copy, cut to fit
    expect(got.parameters!.startsWith(prompt)).toBe(true);
    expect(stripMetadata(out).equals(bytes)).toBe(true);
    expect((await pixels(out)).data.equals((await pixels(bytes)).data)).toBe(true);
  });

  it('refuses bytes of another format or a damaged file, with a message that says which', () => {
    const png = sample('PNG').bytes;
    expect(() => embedMetadata(png, 'jpeg', m())).toThrow(/a PNG image, not JPEG/);
    expect(() => embedMetadata(Buffer.from('hello'), 'png', m())).toThrow(/not an image we know/);
    expect(() => embedMetadata(png.subarray(0, 60), 'png', m())).toThrow(/damaged/);
    const webp = sample('WebP lossy (VP8)').bytes;
    const cut = Buffer.from(webp.subarray(0, 40));
    expect(() => embedMetadata(cut, 'webp', m())).toThrow(/damaged/);
  });

  it('readMetadata never throws: GIF, junk and truncated files read as empty', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
      .gif()
      .toBuffer();
    expect(readMetadata(gif)).toEqual({ format: 'gif', parameters: null, record: null, other: {} });
    expect(readMetadata(Buffer.from('not an image'))).toEqual({
      format: null,
      parameters: null,
      record: null,
      other: {},
    });
    const full = embedMetadata(sample('JPEG').bytes, 'jpeg', m());
    expect(() => readMetadata(full.subarray(0, 200))).not.toThrow();
    expect(stripMetadata(Buffer.from('not an image')).toString()).toBe('not an image');
  });

  it('ignores a record of another app or version but still reads the parameters', () => {
    const r = { ...record(), v: 2 } as unknown as StudioRecord;
    const out = embedMetadata(sample('PNG').bytes, 'png', {
      parameters: 'hello\nSeed: 1, Size: 1x1, Model: m',
      record: r,
    });
    expect(readMetadata(out)).toMatchObject({
      parameters: 'hello\nSeed: 1, Size: 1x1, Model: m',
      record: null,
    });
  });
});

describe('embedMetadataInFile', () => {
  it('replaces the file atomically and returns the new hash; stripping gives the downloaded hash', async () => {
    const dir = path.join(tmp.dir, 'in-file');
    mkdirSync(dir);
    const file = path.join(dir, '0001-cat.webp');
    const original = sample('WebP lossy (VP8)').bytes;
    writeFileSync(file, original);
    const r = record({ downloadedSha256: sha256(original) });
    const meta = { parameters: toA1111Parameters(r), record: r };
    const result = await embedMetadataInFile(file, 'webp', meta);
    const onDisk = readFileSync(file);
    expect(result).toEqual({ sha256: sha256(onDisk), bytes: onDisk.length });
    expect(onDisk.equals(embedMetadata(original, 'webp', meta))).toBe(true);
    expect(sha256(stripMetadata(onDisk))).toBe(r.downloadedSha256);
    expect(readdirSync(dir)).toEqual(['0001-cat.webp']);
  });

  it('leaves the file alone when it is not the format it claims to be', async () => {
    const file = path.join(tmp.dir, 'wrong.png');
    writeFileSync(file, sample('JPEG').bytes);
    await expect(embedMetadataInFile(file, 'png', { parameters: 'x', record: record() })).rejects.toThrow(
      /wrong\.png.*JPEG/,
    );
    expect(readFileSync(file).equals(sample('JPEG').bytes)).toBe(true);
    await expect(
      embedMetadataInFile(path.join(tmp.dir, 'missing.png'), 'png', { parameters: 'x', record: record() }),
    ).rejects.toThrow(/missing|ENOENT|not found/i);
  });
});

// ---- foreign files (the importer's side) -------------------------------------------------------------

const A1111_TEXT =
  'a lighthouse at dusk, oil painting\nNegative prompt: blurry\nSteps: 30, Sampler: Euler a, CFG scale: 6.5, Seed: 42, Size: 96x64, Model: sdxl';

describe('reading files written by other tools', () => {
  it('PNG with a plain tEXt `parameters` chunk (A1111)', () => {
    const out = readMetadata(
      pngWith(sample('PNG').bytes, tEXt('parameters', A1111_TEXT), tEXt('Software', 'webui')),
    );
    expect(out).toEqual({
      format: 'png',
      parameters: A1111_TEXT,
      record: null,
      other: { Software: 'webui' },
    });
    expect(parseA1111Parameters(out.parameters!).settings.Sampler).toBe('Euler a');
  });

  it('PNG with zTXt or compressed iTXt `parameters`', () => {
    expect(readMetadata(pngWith(sample('PNG').bytes, zTXt('parameters', A1111_TEXT))).parameters).toBe(
      A1111_TEXT,
    );
    const chinese = '一座灯塔\nSteps: 30, Seed: 42, Size: 96x64';
    expect(readMetadata(pngWith(sample('PNG').bytes, compressedITXt('parameters', chinese))).parameters).toBe(
      chinese,
    );
  });

  it('a foreign `parameters` chunk stays where it was; ours wins while present and strip restores the file', () => {
    const foreign = pngWith(sample('PNG').bytes, tEXt('parameters', A1111_TEXT));
    const r = record();
    const out = embedMetadata(foreign, 'png', { parameters: toA1111Parameters(r), record: r });
    expect(readMetadata(out).parameters).toBe(toA1111Parameters(r));
    expect(stripMetadata(out).equals(foreign)).toBe(true);
    expect(readMetadata(stripMetadata(out)).parameters).toBe(A1111_TEXT);
  });

  it('EXIF UserComment in either character set and byte order', () => {
    const unicode = (text: string, le: boolean) => {
      const body = Buffer.from(text, 'utf16le');
      if (!le) body.swap16();
      return Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), body]);
    };
    const text = 'a cat, 一只猫\nSteps: 20, Seed: 5, Size: 64x48';
    expect(decodeUserComment(unicode(text, false), false)).toBe(text); // A1111 / piexif: MM + BE
    expect(decodeUserComment(unicode(text, true), true)).toBe(text); // II + LE (exiftool on an II block)
    expect(decodeUserComment(unicode(text, false), true)).toBe(text); // BE text in an II block
    expect(decodeUserComment(unicode(text, true), false)).toBe(text); // LE text in an MM block
    expect(decodeUserComment(unicode('一只猫', true), true)).toBe('一只猫'); // no ASCII to go by: block order
    expect(decodeUserComment(unicode('一', true), true)).toBe('一');
    const bom = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from([0xfe, 0xff, 0x00, 0x41])]);
    expect(decodeUserComment(bom, true)).toBe('A');
    expect(decodeUserComment(Buffer.from('ASCII\0\0\0hello\0\0', 'latin1'), false)).toBe('hello');
    expect(decodeUserComment(Buffer.concat([Buffer.alloc(8), Buffer.from('ünï', 'utf8')]), false)).toBe(
      'ünï',
    );
    expect(decodeUserComment(Buffer.alloc(8), false)).toBeNull();
  });
});

// ---- exiftool ------------------------------------------------------------------------------------------

const EXIFTOOL_TITLE = HAS_EXIFTOOL
  ? 'exiftool reads what we wrote'
  : 'exiftool reads what we wrote — SKIPPED: exiftool is not installed (apt-get install libimage-exiftool-perl)';

describe('exiftool is there in CI', () => {
  it.runIf(process.env.CI)('is installed (CI must not skip the exiftool checks)', () => {
    expect(HAS_EXIFTOOL).toBe(true);
  });
});

describe.skipIf(!HAS_EXIFTOOL)(EXIFTOOL_TITLE, () => {
  const EXPECTED_TAGS: Record<'png' | 'jpeg' | 'webp', { parameters: string[]; record: string }> = {
    png: { parameters: ['PNG:Parameters'], record: 'PNG:Qwen-studio' },
    jpeg: {
      parameters: ['ExifIFD:UserComment', 'XMP-qwenstudio:Parameters'],
      record: 'XMP-qwenstudio:Record',
    },
    webp: {
      parameters: ['ExifIFD:UserComment', 'XMP-qwenstudio:Parameters'],
      record: 'XMP-qwenstudio:Record',
    },
  };

  it.each(NAMES)('%s: the parameters text and the JSON record, without warnings', async (name) => {
    const { bytes, format } = sample(name);
    const r = record({ downloadedSha256: sha256(bytes) });
    const parameters = toA1111Parameters(r);
    const file = path.join(tmp.dir, `exif-${name.replace(/\W+/g, '-')}.${format}`);
    writeFileSync(file, embedMetadata(bytes, format, { parameters, record: r }));
    const tags = await exiftool(file);
    for (const tag of EXPECTED_TAGS[format].parameters) expect(tags[tag], tag).toBe(parameters);
    expect(JSON.parse(tags[EXPECTED_TAGS[format].record] as string)).toEqual(r);
    expect(tags['ExifTool:Warning']).toBeUndefined();
    expect(tags['ExifTool:Error']).toBeUndefined();
    if (name.includes('orientation')) expect(tags['IFD0:Orientation']).toBe('Rotate 90 CW');
  });

  it('reads an oversized JPEG: the EXIF comment cut to fit, the record whole once the XMP copy of the text goes', async () => {
    const prompt = '长'.repeat(5000);
    const r = record({ prompt, input: { prompt }, actualPrompt: 'x'.repeat(30000) });
    const parameters = toA1111Parameters(r);
    const file = path.join(tmp.dir, 'oversized.jpg');
    writeFileSync(file, embedMetadata(sample('JPEG').bytes, 'jpeg', { parameters, record: r }));
    const tags = await exiftool(file);
    expect(tags['ExifTool:Warning']).toBeUndefined();
    const comment = String(tags['ExifIFD:UserComment']);
    expect(comment.startsWith(prompt)).toBe(true);
    expect(comment.length).toBeLessThan(parameters.length);
    expect(parameters.startsWith(comment)).toBe(true);
    expect(tags['XMP-qwenstudio:Parameters']).toBeUndefined();
    const embedded = JSON.parse(tags['XMP-qwenstudio:Record'] as string) as StudioRecord;
    expect(embedded).toEqual({ ...r, input: {}, truncated: ['input.prompt'] });
  });

  it('our reader takes an ASCII UserComment that exiftool wrote into a JPEG', async () => {
    const file = path.join(tmp.dir, 'by-exiftool.jpg');
    writeFileSync(file, sample('JPEG').bytes);
    await run('exiftool', ['-q', '-overwrite_original', `-UserComment=${A1111_TEXT}`, file]);
    const bytes = readFileSync(file);
    expect(bytes.includes(Buffer.from('ASCII\0\0\0', 'latin1'))).toBe(true);
    expect(readMetadata(bytes)).toMatchObject({ format: 'jpeg', parameters: A1111_TEXT, record: null });
  });

  it('our reader takes a UNICODE UserComment that exiftool wrote into an EXIF block of either byte order', async () => {
    const text = '一只猫, watercolour\nSteps: 20, Seed: 5, Size: 96x64';
    for (const [name, order] of [
      ['JPEG', 'MM'],
      ['JPEG with EXIF (orientation 6)', 'II'],
    ] as const) {
      const file = path.join(tmp.dir, `unicode-${order}.jpg`);
      writeFileSync(file, sample(name).bytes);
      await run('exiftool', ['-q', '-overwrite_original', `-UserComment=${text}`, file]);
      const bytes = readFileSync(file);
      const tiffAt = bytes.indexOf('Exif\0\0', 0, 'latin1') + 6;
      expect(bytes.toString('latin1', tiffAt, tiffAt + 2)).toBe(order);
      expect(readMetadata(bytes).parameters).toBe(text);
    }
  });

  it('our reader takes a UserComment that exiftool wrote into a WebP', async () => {
    const file = path.join(tmp.dir, 'by-exiftool.webp');
    writeFileSync(file, sample('WebP lossless (VP8L)').bytes);
    await run('exiftool', ['-q', '-overwrite_original', `-UserComment=${A1111_TEXT}`, file]);
    expect(readMetadata(readFileSync(file))).toMatchObject({
      format: 'webp',
      parameters: A1111_TEXT,
      record: null,
    });
  });
});
