// The smallest EXIF block that carries an A1111 `parameters` text, and a reader for the EXIF blocks other
// tools write. A1111 puts its text in the Exif UserComment tag (0x9286) with the "UNICODE" character
// code, big-endian (piexif's default), so that is what we write: a big-endian TIFF header, IFD0 with a
// pointer to the Exif IFD (plus the Orientation we were asked to keep), and an Exif IFD with ExifVersion
// and UserComment.

const TAG_ORIENTATION = 0x0112;
const TAG_IMAGE_DESCRIPTION = 0x010e;
const TAG_SOFTWARE = 0x0131;
const TAG_EXIF_IFD = 0x8769;
const TAG_EXIF_VERSION = 0x9000;
const TAG_USER_COMMENT = 0x9286;

const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_UNDEFINED = 7;
const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
};

const CODE_UNICODE = Buffer.from('UNICODE\0', 'latin1');
const CODE_ASCII = Buffer.from('ASCII\0\0\0', 'latin1');
const CODE_JIS = Buffer.from('JIS\0\0\0\0\0', 'latin1');

/** "Exif\0\0", the identifier in front of the TIFF data in a JPEG APP1 segment. */
export const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

/** Bytes of a TIFF block built by `buildExifTiff` around a UserComment of `commentBytes` bytes. */
function tiffSize(withOrientation: boolean, commentBytes: number): number {
  const ifd0Entries = withOrientation ? 2 : 1;
  return 8 + (2 + 12 * ifd0Entries + 4) + (2 + 12 * 2 + 4) + commentBytes;
}

/** UTF-16BE bytes of `text`, cut (never inside a surrogate pair) so they fit in `maxBytes`. */
function utf16be(text: string, maxBytes: number): Buffer {
  let units = Math.min(text.length, Math.floor(maxBytes / 2));
  if (units < text.length && units > 0) {
    const c = text.charCodeAt(units - 1);
    if (c >= 0xd800 && c <= 0xdbff) units--; // do not leave half a pair behind
  }
  const out = Buffer.from(text.slice(0, units), 'utf16le');
  out.swap16();
  return out;
}

/**
 * A big-endian TIFF block (what follows "Exif\0\0") holding `comment` as a UNICODE UserComment, and
 * `orientation` in IFD0 when given. With `maxBytes`, the comment is shortened until the block fits.
 */
export function buildExifTiff(comment: string, orientation: number | null, maxBytes = Infinity): Buffer {
  const withOrientation = orientation !== null;
  const room = maxBytes - tiffSize(withOrientation, CODE_UNICODE.length);
  const text = utf16be(comment, room);
  const userComment = Buffer.concat([CODE_UNICODE, text]);
  const out = Buffer.alloc(tiffSize(withOrientation, userComment.length));

  out.write('MM', 0, 'latin1');
  out.writeUInt16BE(42, 2);
  out.writeUInt32BE(8, 4);

  let at = 8;
  const ifd0Entries = withOrientation ? 2 : 1;
  const exifIfd = 8 + 2 + 12 * ifd0Entries + 4;
  out.writeUInt16BE(ifd0Entries, at);
  at += 2;
  if (withOrientation) {
    out.writeUInt16BE(TAG_ORIENTATION, at);
    out.writeUInt16BE(TYPE_SHORT, at + 2);
    out.writeUInt32BE(1, at + 4);
    out.writeUInt16BE(orientation, at + 8); // a SHORT sits in the first two bytes of the value field
    at += 12;
  }
  out.writeUInt16BE(TAG_EXIF_IFD, at);
  out.writeUInt16BE(TYPE_LONG, at + 2);
  out.writeUInt32BE(1, at + 4);
  out.writeUInt32BE(exifIfd, at + 8);
  at += 12;
  out.writeUInt32BE(0, at); // no IFD1 (no thumbnail)
  at += 4;

  const dataAt = exifIfd + 2 + 12 * 2 + 4;
  out.writeUInt16BE(2, at);
  at += 2;
  out.writeUInt16BE(TAG_EXIF_VERSION, at);
  out.writeUInt16BE(TYPE_UNDEFINED, at + 2);
  out.writeUInt32BE(4, at + 4);
  out.write('0232', at + 8, 'latin1');
  at += 12;
  out.writeUInt16BE(TAG_USER_COMMENT, at);
  out.writeUInt16BE(TYPE_UNDEFINED, at + 2);
  out.writeUInt32BE(userComment.length, at + 4);
  out.writeUInt32BE(dataAt, at + 8);
  at += 12;
  out.writeUInt32BE(0, at);
  userComment.copy(out, dataAt);
  return out;
}

export interface ExifFields {
  userComment: string | null;
  orientation: number | null;
  imageDescription: string | null;
  software: string | null;
}

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Where the value's bytes start inside the TIFF block. */
  valueAt: number;
}

function readIfd(tiff: Buffer, le: boolean, offset: number): Entry[] {
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (offset < 8 || offset + 2 > tiff.length) return [];
  const count = u16(offset);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + 12 * i;
    if (at + 12 > tiff.length) break;
    const type = u16(at + 2);
    const n = u32(at + 4);
    const size = (TYPE_SIZES[type] ?? 1) * n;
    const valueAt = size <= 4 ? at + 8 : u32(at + 8);
    if (valueAt + size > tiff.length) continue; // damaged entry: skip it, keep the rest
    entries.push({ tag: u16(at), type, count: n, valueAt });
  }
  return entries;
}

function asciiValue(tiff: Buffer, e: Entry | undefined): string | null {
  if (!e || e.type !== TYPE_ASCII) return null;
  const text = decodeText(tiff.subarray(e.valueAt, e.valueAt + e.count)).replace(/\0+$/, '');
  return text === '' ? null : text;
}

/** UTF-8 when the bytes are valid UTF-8 (most tools put UTF-8 in "ASCII" fields), Latin-1 otherwise. */
function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function utf16(bytes: Buffer, littleEndian: boolean): string {
  const even = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  if (!littleEndian) even.swap16();
  return even.toString('utf16le');
}

/**
 * How much `text` looks like real writing: printable ASCII counts double, CJK, kana, Hangul and Latin
 * letters once, control characters, private-use code points and lone surrogates against. Text decoded
 * in the wrong byte order turns ASCII into CJK-looking or private-use characters and scores lower.
 */
function plausibility(text: string): number {
  let score = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c <= 0x7e)) score += 2;
    else if ((c >= 0xa0 && c <= 0x24f) || (c >= 0x3000 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff))
      score += 1;
    else if ((c >= 0xac00 && c <= 0xd7af) || (c >= 0xff00 && c <= 0xffef) || c > 0xffff) score += 1;
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0xd800 && c <= 0xf8ff)) score -= 1;
  }
  return score;
}

/**
 * A UserComment value as text. The 8-byte character code decides: "ASCII" (UTF-8 accepted too),
 * "UNICODE" (UTF-16 in the block's byte order by the standard; a BOM wins over it, and so does the other
 * order when it reads as clearly more plausible text, for writers that ignore the block's order), undefined
 * (eight zero bytes). Trailing NULs and padding spaces are dropped.
 */
export function decodeUserComment(value: Buffer, blockLittleEndian: boolean): string | null {
  if (value.length < 8) return null;
  const code = value.subarray(0, 8);
  let body = value.subarray(8);
  let text: string;
  if (code.equals(CODE_UNICODE)) {
    let le = blockLittleEndian;
    if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) {
      le = false;
      body = body.subarray(2);
    } else if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) {
      le = true;
      body = body.subarray(2);
    } else if (plausibility(utf16(body, !le)) > plausibility(utf16(body, le)) * 1.5 + 1) {
      le = !le;
    }
    text = utf16(body, le);
  } else if (code.equals(CODE_JIS)) {
    text = decodeText(body); // JIS X 0208 is not worth a decoder; modern writers never use it
  } else if (code.equals(CODE_ASCII) || code.every((b) => b === 0)) {
    text = decodeText(body);
  } else {
    text = decodeText(value); // no character code at all: some tools write the text straight away
  }
  text = text.replace(/[\0\s]+$/, '');
  return text === '' ? null : text;
}

/** The fields we care about from a TIFF block (EXIF without its "Exif\0\0" prefix); nulls when damaged. */
export function readExifTiff(tiff: Buffer): ExifFields {
  const none: ExifFields = { userComment: null, orientation: null, imageDescription: null, software: null };
  if (tiff.length < 8) return none;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return none;
  const le = order === 'II';
  const ifd0At = le ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  const ifd0 = readIfd(tiff, le, ifd0At);
  const find = (entries: Entry[], tag: number) => entries.find((e) => e.tag === tag);
  const orientationEntry = find(ifd0, TAG_ORIENTATION);
  const orientation =
    orientationEntry && orientationEntry.type === TYPE_SHORT
      ? le
        ? tiff.readUInt16LE(orientationEntry.valueAt)
        : tiff.readUInt16BE(orientationEntry.valueAt)
      : null;
  const exifPointer = find(ifd0, TAG_EXIF_IFD);
  let userComment: string | null = null;
  if (exifPointer && exifPointer.type === TYPE_LONG) {
    const at = le ? tiff.readUInt32LE(exifPointer.valueAt) : tiff.readUInt32BE(exifPointer.valueAt);
    const comment = find(readIfd(tiff, le, at), TAG_USER_COMMENT);
    if (comment)
      userComment = decodeUserComment(tiff.subarray(comment.valueAt, comment.valueAt + comment.count), le);
  }
  return {
    userComment,
    orientation,
    imageDescription: asciiValue(tiff, find(ifd0, TAG_IMAGE_DESCRIPTION)),
    software: asciiValue(tiff, find(ifd0, TAG_SOFTWARE)),
  };
}

/** The TIFF block inside an EXIF payload that may or may not start with "Exif\0\0" (WebP writers differ). */
export function tiffOf(payload: Buffer): Buffer {
  return payload.subarray(0, 6).equals(EXIF_HEADER) ? payload.subarray(6) : payload;
}
