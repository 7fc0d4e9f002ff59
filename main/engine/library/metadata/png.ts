// PNG: our text goes in two chunks right after IHDR — `parameters` (what A1111 and every "PNG Info" reader
// looks for) and `qwen-studio` (the JSON record). `parameters` is a tEXt chunk when the text is plain
// ASCII, which is what A1111 itself writes through PIL for such text, and an uncompressed iTXt (UTF-8)
// otherwise, so Chinese prompts survive; PIL, exiftool and ComfyUI read both. The record is always iTXt.
// No other chunk is touched: IDAT and everything else keep their bytes.
import { crc32, inflateSync } from 'node:zlib';
import { readExifTiff } from './exif.ts';
import type { ReadMetadataResult } from './types.ts';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const PARAMETERS_KEY = 'parameters';
export const RECORD_KEY = 'qwen-studio';
const MAX_INFLATED = 16 * 1024 * 1024;

interface Chunk {
  type: string;
  /** Byte range of the whole chunk (length, type, data, CRC). */
  start: number;
  end: number;
  data: Buffer;
}

function walk(buf: Buffer, strict: boolean): Chunk[] {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) {
    if (strict) throw new Error('the bytes are not a PNG file (no PNG signature)');
    return [];
  }
  const out: Chunk[] = [];
  let at = 8;
  while (at + 12 <= buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > buf.length) {
      if (strict)
        throw new Error(`the PNG file is damaged: its ${type} chunk at byte ${at} runs past the end`);
      break;
    }
    out.push({ type, start: at, end, data: buf.subarray(at + 8, at + 8 + length) });
    at = end;
    if (type === 'IEND') break;
  }
  if (strict && out[0]?.type !== 'IHDR')
    throw new Error('the PNG file is damaged: it does not start with IHDR');
  return out;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function textChunk(keyword: string, text: string): Buffer {
  // eslint-disable-next-line no-control-regex
  if (/^[\x09\x0a\x20-\x7e]*$/.test(text)) {
    return chunk('tEXt', Buffer.concat([Buffer.from(keyword + '\0', 'latin1'), Buffer.from(text, 'latin1')]));
  }
  return itxtChunk(keyword, text);
}

function itxtChunk(keyword: string, text: string): Buffer {
  // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text
  const head = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0])]);
  return chunk('iTXt', Buffer.concat([head, Buffer.from(text, 'utf8')]));
}

/** Keyword and text of a tEXt, zTXt or iTXt chunk; null for other chunks or damaged ones. */
function readText(c: Chunk): { keyword: string; text: string } | null {
  if (c.type !== 'tEXt' && c.type !== 'zTXt' && c.type !== 'iTXt') return null;
  const nul = c.data.indexOf(0);
  if (nul <= 0) return null;
  const keyword = c.data.toString('latin1', 0, nul);
  try {
    if (c.type === 'tEXt') return { keyword, text: c.data.toString('latin1', nul + 1) };
    if (c.type === 'zTXt') {
      const inflated = inflateSync(c.data.subarray(nul + 2), { maxOutputLength: MAX_INFLATED });
      return { keyword, text: inflated.toString('latin1') };
    }
    const compressed = c.data[nul + 1] === 1;
    const langEnd = c.data.indexOf(0, nul + 3);
    if (langEnd < 0) return null;
    const transEnd = c.data.indexOf(0, langEnd + 1);
    if (transEnd < 0) return null;
    const raw = c.data.subarray(transEnd + 1);
    const bytes = compressed ? inflateSync(raw, { maxOutputLength: MAX_INFLATED }) : raw;
    return { keyword, text: bytes.toString('utf8') };
  } catch {
    return null; // a damaged compressed chunk: the rest of the file may still be readable
  }
}

/** Indexes of the chunks an earlier embed added: our record chunk and the `parameters` chunk just before it. */
function ours(chunks: Chunk[]): number[] {
  const out: number[] = [];
  chunks.forEach((c, i) => {
    if (c.type !== 'iTXt' || readText(c)?.keyword !== RECORD_KEY) return;
    const prev = i > 0 ? chunks[i - 1]! : null;
    if (prev && readText(prev)?.keyword === PARAMETERS_KEY) out.push(i - 1);
    out.push(i);
  });
  return out;
}

function without(buf: Buffer, chunks: Chunk[], drop: number[]): Buffer {
  if (drop.length === 0) return buf;
  const parts: Buffer[] = [];
  let from = 0;
  for (const i of drop) {
    parts.push(buf.subarray(from, chunks[i]!.start));
    from = chunks[i]!.end;
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

export function stripPng(buf: Buffer): Buffer {
  const chunks = walk(buf, false);
  return without(buf, chunks, ours(chunks));
}

export function embedPng(original: Buffer, parameters: string, recordJson: string): Buffer {
  walk(original, true); // refuse damaged input before doing anything
  const buf = stripPng(original);
  const ihdrEnd = walk(buf, true)[0]!.end;
  return Buffer.concat([
    buf.subarray(0, ihdrEnd),
    textChunk(PARAMETERS_KEY, parameters),
    itxtChunk(RECORD_KEY, recordJson),
    buf.subarray(ihdrEnd),
  ]);
}

export function readPng(
  buf: Buffer,
): Omit<ReadMetadataResult, 'format' | 'record'> & { recordJson: string | null } {
  const chunks = walk(buf, false);
  const mine = ours(chunks);
  let parameters: string | null = null;
  let recordJson: string | null = null;
  let exifComment: string | null = null;
  const other: Record<string, string> = {};
  chunks.forEach((c, i) => {
    if (c.type === 'eXIf') {
      const exif = readExifTiff(c.data);
      exifComment ??= exif.userComment;
      if (exif.imageDescription) other.ImageDescription ??= exif.imageDescription;
      if (exif.software) other.Software ??= exif.software;
      return;
    }
    const t = readText(c);
    if (!t) return;
    if (t.keyword === RECORD_KEY) recordJson ??= t.text;
    else if (t.keyword === PARAMETERS_KEY) {
      // Ours wins over a foreign one; among foreign ones the first.
      if (mine.includes(i) || parameters === null) parameters = t.text;
    } else if (!(t.keyword in other)) other[t.keyword] = t.text;
  });
  return { parameters: parameters ?? exifComment, recordJson, other };
}
