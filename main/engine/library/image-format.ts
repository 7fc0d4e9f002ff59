// Image formats known by their bytes, not by what a server or a file name claims. The result CDN decides
// the Content-Type; the bytes decide what we store.

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The format the leading bytes announce, or null when they are not one of the formats we keep. */
export function sniffImageFormat(buf: Uint8Array): ImageFormat | null {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp';
  }
  if (b.length >= 6) {
    const sig = b.toString('latin1', 0, 6);
    if (sig === 'GIF87a' || sig === 'GIF89a') return 'gif';
  }
  return null;
}

export function extensionFor(format: ImageFormat): string {
  return format === 'jpeg' ? 'jpg' : format;
}

export function mimeFor(format: ImageFormat): string {
  return `image/${format}`;
}

/** The format a Content-Type names (`image/jpg` and `image/pjpeg` included), or null for anything else. */
export function formatFromMime(contentType: string): ImageFormat | null {
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  switch (mime) {
    case 'image/png':
    case 'image/apng':
      return 'png';
    case 'image/jpeg':
    case 'image/jpg':
    case 'image/pjpeg':
      return 'jpeg';
    case 'image/webp':
      return 'webp';
    case 'image/gif':
      return 'gif';
    default:
      return null;
  }
}

/**
 * Why a complete file of this format would not end like this, or null when its structure is whole.
 *
 * Decoders read headers first, so `sharp().metadata()` happily reports the size of an image whose body was
 * cut off. A download that loses its tail without a Content-Length to compare with is caught here instead:
 * PNG chunks are walked to IEND (each chunk states its length), JPEG must end with the EOI marker, WebP must
 * be as long as its RIFF header says, GIF must end with its trailer byte.
 */
export function findTruncation(format: ImageFormat, buf: Buffer): string | null {
  switch (format) {
    case 'png':
      return pngTruncation(buf);
    case 'jpeg':
      return jpegTruncation(buf);
    case 'webp':
      return webpTruncation(buf);
    case 'gif':
      return gifTruncation(buf);
  }
}

function pngTruncation(buf: Buffer): string | null {
  let at = PNG_SIGNATURE.length;
  while (at + 8 <= buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length; // length + type + data + crc
    if (end > buf.length) return `the PNG file ends inside its ${type} chunk`;
    if (type === 'IEND') return null;
    at = end;
  }
  return 'the PNG file ends before its IEND chunk';
}

function jpegTruncation(buf: Buffer): string | null {
  // Some encoders pad after the end-of-image marker; padding is harmless.
  let end = buf.length;
  while (end > 2 && (buf[end - 1] === 0x00 || buf[end - 1] === 0x0a || buf[end - 1] === 0x0d)) end--;
  if (end >= 4 && buf[end - 2] === 0xff && buf[end - 1] === 0xd9) return null;
  return 'the JPEG file does not end with its end-of-image marker (FF D9)';
}

function webpTruncation(buf: Buffer): string | null {
  if (buf.length < 12) return 'the WebP file is shorter than its header';
  const declared = buf.readUInt32LE(4) + 8;
  if (buf.length < declared) return `the WebP file is ${buf.length} bytes but its header says ${declared}`;
  return null;
}

function gifTruncation(buf: Buffer): string | null {
  let end = buf.length;
  while (end > 6 && buf[end - 1] === 0x00) end--;
  return buf[end - 1] === 0x3b ? null : 'the GIF file does not end with its trailer byte (3B)';
}
