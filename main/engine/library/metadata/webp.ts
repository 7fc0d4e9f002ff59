// WebP: metadata needs the extended format, so a simple file (one VP8 or VP8L chunk) gets a VP8X header
// in front (canvas size read from the bitstream, the alpha flag from a VP8L header) and an existing VP8X
// gets its EXIF and XMP flags set. `EXIF` and `XMP ` chunks go after the image data, where the container
// spec puts them; the RIFF size grows by what was added. The image chunks keep their bytes.
//
// To give back the original bytes exactly, our XMP remembers what the header was (`container`: "simple"
// or the VP8X flags byte before we set ours).
import { MetadataCollector, type ContainerRead } from './collect.ts';
import { buildExifTiff, readExifTiff, tiffOf } from './exif.ts';
import { fitXmpPacket, isOurXmp, readOurXmp } from './xmp.ts';
import type { StudioRecord } from './types.ts';

const FLAG_ALPHA = 0x10;
const FLAG_EXIF = 0x08;
const FLAG_XMP = 0x04;
/** Chunks that come before EXIF/XMP in an extended file (header, colour profile, image data). */
const LEADING = new Set(['VP8X', 'ICCP', 'ANIM', 'ANMF', 'ALPH', 'VP8 ', 'VP8L']);

interface Chunk {
  type: string;
  start: number;
  /** End including the padding byte of an odd-sized chunk. */
  end: number;
  data: Buffer;
}

function walk(buf: Buffer, strict: boolean): Chunk[] {
  if (
    buf.length < 12 ||
    buf.toString('latin1', 0, 4) !== 'RIFF' ||
    buf.toString('latin1', 8, 12) !== 'WEBP'
  ) {
    if (strict) throw new Error('the bytes are not a WebP file (no RIFF/WEBP header)');
    return [];
  }
  const riffEnd = Math.min(buf.length, 8 + buf.readUInt32LE(4));
  const out: Chunk[] = [];
  let at = 12;
  while (at + 8 <= riffEnd) {
    const type = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const dataEnd = at + 8 + size;
    if (dataEnd > riffEnd) {
      if (strict)
        throw new Error(`the WebP file is damaged: its ${type} chunk at byte ${at} runs past the end`);
      break;
    }
    const end = Math.min(riffEnd, dataEnd + (size & 1));
    out.push({ type, start: at, end, data: buf.subarray(at + 8, dataEnd) });
    at = end;
  }
  if (strict && out.length === 0) throw new Error('the WebP file is damaged: it holds no chunks');
  return out;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(8 + data.length + (data.length & 1));
  out.write(type, 0, 'latin1');
  out.writeUInt32LE(data.length, 4);
  data.copy(out, 8);
  return out;
}

/** Canvas size and alpha of a simple-format file, from the bitstream header. */
function bitstreamInfo(c: Chunk): { width: number; height: number; alpha: boolean } {
  if (c.type === 'VP8 ') {
    const d = c.data;
    if (d.length < 10 || d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a) {
      throw new Error('the WebP file is damaged: its VP8 chunk has no valid frame header');
    }
    return { width: d.readUInt16LE(6) & 0x3fff, height: d.readUInt16LE(8) & 0x3fff, alpha: false };
  }
  if (c.type === 'VP8L') {
    const d = c.data;
    if (d.length < 5 || d[0] !== 0x2f)
      throw new Error('the WebP file is damaged: its VP8L chunk has no valid header');
    const bits = d.readUInt32LE(1);
    return {
      width: (bits & 0x3fff) + 1,
      height: ((bits >>> 14) & 0x3fff) + 1,
      alpha: ((bits >>> 28) & 1) === 1,
    };
  }
  throw new Error(`the WebP file starts with a ${JSON.stringify(c.type)} chunk, not VP8X, VP8 or VP8L`);
}

function vp8xChunk(flags: number, width: number, height: number): Buffer {
  const data = Buffer.alloc(10);
  data[0] = flags;
  data.writeUIntLE(width - 1, 4, 3);
  data.writeUIntLE(height - 1, 7, 3);
  return chunk('VP8X', data);
}

/** Indexes of the chunks an earlier embed added (our XMP and the EXIF right before it) and its bookkeeping. */
function ours(chunks: Chunk[]): { drop: number[]; container: string | null } {
  const drop: number[] = [];
  let container: string | null = null;
  chunks.forEach((c, i) => {
    if (c.type !== 'XMP ' || !isOurXmp(c.data)) return;
    const prev = i > 0 ? chunks[i - 1]! : null;
    if (prev && prev.type === 'EXIF' && prev.end === c.start) drop.push(i - 1);
    drop.push(i);
    container ??= readOurXmp(c.data.toString('utf8'))?.container ?? null;
  });
  return { drop, container };
}

function withRiffSize(parts: Buffer[], size: number): Buffer {
  const out = Buffer.concat(parts);
  out.writeUInt32LE(size, 4);
  return out;
}

export function stripWebp(buf: Buffer): Buffer {
  const chunks = walk(buf, false);
  const { drop, container } = ours(chunks);
  if (drop.length === 0) return buf;
  const removeHeader = container === 'simple' && chunks[0]?.type === 'VP8X';
  const remove = removeHeader ? [0, ...drop] : drop;
  const parts: Buffer[] = [];
  let from = 0;
  let removed = 0;
  for (const i of remove) {
    parts.push(buf.subarray(from, chunks[i]!.start));
    from = chunks[i]!.end;
    removed += chunks[i]!.end - chunks[i]!.start;
  }
  parts.push(buf.subarray(from));
  const out = withRiffSize(parts, buf.readUInt32LE(4) - removed);
  const flags = /^vp8x:([0-9a-f]{2})$/.exec(container ?? '');
  if (flags && chunks[0]?.type === 'VP8X') out[chunks[0].start + 8] = parseInt(flags[1]!, 16);
  return out;
}

export function embedWebp(original: Buffer, parameters: string, record: StudioRecord): Buffer {
  walk(original, true);
  const buf = stripWebp(original);
  const chunks = walk(buf, true);
  const first = chunks[0]!;

  let header: Buffer;
  let container: string;
  if (first.type === 'VP8X') {
    if (first.data.length < 10) throw new Error('the WebP file is damaged: its VP8X chunk is too short');
    const flags = first.data[0]!;
    container = `vp8x:${flags.toString(16).padStart(2, '0')}`;
    header = Buffer.from(buf.subarray(first.start, first.end));
    header[8] = flags | FLAG_EXIF | FLAG_XMP;
  } else {
    const info = bitstreamInfo(first);
    container = 'simple';
    header = vp8xChunk(FLAG_EXIF | FLAG_XMP | (info.alpha ? FLAG_ALPHA : 0), info.width, info.height);
  }

  const existingExif = chunks.find((c) => c.type === 'EXIF');
  const orientation = existingExif ? readExifTiff(tiffOf(existingExif.data)).orientation : null;
  const exif = chunk('EXIF', buildExifTiff(parameters, orientation));
  const xmp = chunk('XMP ', fitXmpPacket(parameters, record, container, Infinity));

  let last = 0;
  chunks.forEach((c, i) => {
    if (LEADING.has(c.type)) last = i;
  });
  const insertAt = chunks[last]!.end;
  const parts =
    first.type === 'VP8X'
      ? [
          buf.subarray(0, first.start),
          header,
          buf.subarray(first.end, insertAt),
          exif,
          xmp,
          buf.subarray(insertAt),
        ]
      : [buf.subarray(0, 12), header, buf.subarray(12, insertAt), exif, xmp, buf.subarray(insertAt)];
  const added = (first.type === 'VP8X' ? 0 : header.length) + exif.length + xmp.length;
  return withRiffSize(parts, buf.readUInt32LE(4) + added);
}

export function readWebp(buf: Buffer): ContainerRead {
  const found = new MetadataCollector();
  for (const c of walk(buf, false)) {
    if (c.type === 'EXIF') found.exif(tiffOf(c.data));
    else if (c.type === 'XMP ') found.xmp(c.data.toString('utf8'));
  }
  return found.result();
}
