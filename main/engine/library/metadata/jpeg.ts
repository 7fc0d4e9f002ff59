// JPEG: two APP1 segments go right after SOI (after a leading JFIF/JFXX APP0, which must stay first): an
// EXIF one whose UserComment holds the parameters text (where A1111 and its readers look) and an XMP one
// with the parameters and the JSON record. The entropy-coded data and every other segment keep their bytes.
//
// A segment holds at most 65,533 bytes. The EXIF comment is cut to fit (a parameters text that long is
// hardly possible); the XMP packet is reduced step by step, see `fitXmpPacket`.
//
// A file that already has EXIF (a camera or an editor put it there) gets ours in front of it, because
// A1111/PIL/piexif read only the first EXIF segment; its Orientation is copied into ours so viewers that
// read our segment still turn the picture the right way.
import { MetadataCollector, type ContainerRead } from './collect.ts';
import { EXIF_HEADER, buildExifTiff, readExifTiff, tiffOf } from './exif.ts';
import { fitXmpPacket, isOurXmp } from './xmp.ts';
import type { StudioRecord } from './types.ts';

export const XMP_HEADER = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
const MAX_SEGMENT_PAYLOAD = 0xffff - 2;
const APP0 = 0xe0;
const APP1 = 0xe1;
const COM = 0xfe;

interface Segment {
  marker: number;
  start: number;
  end: number;
  payload: Buffer;
}

function walk(buf: Buffer, strict: boolean): Segment[] {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) {
    if (strict) throw new Error('the bytes are not a JPEG file (no start-of-image marker)');
    return [];
  }
  const out: Segment[] = [];
  let at = 2;
  while (at + 1 < buf.length) {
    if (buf[at] !== 0xff) {
      if (strict) throw new Error(`the JPEG file is damaged: no segment marker at byte ${at}`);
      break;
    }
    const marker = buf[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // image data (or the end) starts: no metadata past here
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (at + 4 > buf.length) break;
    const end = at + 2 + buf.readUInt16BE(at + 2);
    if (end > buf.length) {
      if (strict) throw new Error(`the JPEG file is damaged: the segment at byte ${at} runs past the end`);
      break;
    }
    out.push({ marker, start: at, end, payload: buf.subarray(at + 4, end) });
    at = end;
  }
  return out;
}

function segment(marker: number, payload: Buffer): Buffer {
  if (payload.length > MAX_SEGMENT_PAYLOAD)
    throw new Error(`a JPEG segment of ${payload.length} bytes is too long`);
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

const isExif = (s: Segment) => s.marker === APP1 && s.payload.subarray(0, 6).equals(EXIF_HEADER);
const isXmp = (s: Segment) =>
  s.marker === APP1 && s.payload.subarray(0, XMP_HEADER.length).equals(XMP_HEADER);

/** Indexes of the segments an earlier embed added: our XMP and the EXIF segment right in front of it. */
function ours(segments: Segment[]): number[] {
  const out: number[] = [];
  segments.forEach((s, i) => {
    if (!isXmp(s) || !isOurXmp(s.payload)) return;
    const prev = i > 0 ? segments[i - 1]! : null;
    if (prev && isExif(prev) && prev.end === s.start) out.push(i - 1);
    out.push(i);
  });
  return out;
}

export function stripJpeg(buf: Buffer): Buffer {
  const segments = walk(buf, false);
  const drop = ours(segments);
  if (drop.length === 0) return buf;
  const parts: Buffer[] = [];
  let from = 0;
  for (const i of drop) {
    parts.push(buf.subarray(from, segments[i]!.start));
    from = segments[i]!.end;
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

export function embedJpeg(original: Buffer, parameters: string, record: StudioRecord): Buffer {
  walk(original, true);
  const buf = stripJpeg(original);
  const segments = walk(buf, true);

  let insertAt = 2;
  for (const s of segments) {
    if (s.marker !== APP0 || s.start !== insertAt) break;
    insertAt = s.end;
  }
  const existingExif = segments.find(isExif);
  const orientation = existingExif ? readExifTiff(tiffOf(existingExif.payload)).orientation : null;

  const tiff = buildExifTiff(parameters, orientation, MAX_SEGMENT_PAYLOAD - EXIF_HEADER.length);
  const xmp = fitXmpPacket(parameters, record, null, MAX_SEGMENT_PAYLOAD - XMP_HEADER.length);
  return Buffer.concat([
    buf.subarray(0, insertAt),
    segment(APP1, Buffer.concat([EXIF_HEADER, tiff])),
    segment(APP1, Buffer.concat([XMP_HEADER, xmp])),
    buf.subarray(insertAt),
  ]);
}

export function readJpeg(buf: Buffer): ContainerRead {
  const found = new MetadataCollector();
  for (const s of walk(buf, false)) {
    if (isExif(s)) found.exif(s.payload.subarray(EXIF_HEADER.length));
    else if (isXmp(s)) found.xmp(s.payload.subarray(XMP_HEADER.length).toString('utf8'));
    else if (s.marker === COM && !('Comment' in found.other))
      found.other.Comment = s.payload.toString('utf8');
  }
  return found.result();
}
