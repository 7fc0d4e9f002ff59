// Reference images: checked before a batch is accepted (exists, is a file, fits the size limit, is a PNG,
// JPEG, WebP or GIF that actually decodes), then kept content-addressed so the same picture is stored once
// however many batches use it.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { sharp } from '../files/lazy-modules.ts';
import { LIMITS } from '../../../shared/api.ts';
import { writeFileAtomic } from '../files/atomic-write.ts';
import { StudioError } from '../errors.ts';

// Named by the brief; note it shadows the built-in ReferenceError wherever it is imported.
export class ReferenceError extends StudioError {
  /** The path (or upload name) the reference came from. */
  readonly source: string;

  constructor(message: string, source: string) {
    super('REFERENCE', message);
    this.name = 'ReferenceError';
    this.source = source;
  }
}

export type ReferenceMime = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';

export interface ReferenceFile {
  sha256: string;
  bytes: number;
  mime: ReferenceMime;
  width: number;
  height: number;
  fileName: string;
  data: Buffer;
}

const EXTENSIONS: Record<ReferenceMime, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/** The file type from its first bytes; names and extensions lie. */
function sniff(data: Buffer): ReferenceMime | null {
  const ascii = (start: number, end: number) => data.toString('latin1', start, end);
  if (
    data.length >= 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'image/png';
  }
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (data.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'image/gif';
  return null;
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? `${mb} MB` : `${mb.toFixed(1)} MB`;
}

function tooLarge(name: string, bytes: number, maxBytes: number, source: string): ReferenceError {
  let size = megabytes(bytes);
  let limit = megabytes(maxBytes);
  // Just over the limit rounds to the limit itself ("20.0 MB … 20 MB or smaller"): show bytes instead.
  if (Number.parseFloat(size) <= Number.parseFloat(limit)) {
    size = `${bytes.toLocaleString('en-US')} bytes`;
    limit = `${maxBytes.toLocaleString('en-US')} bytes`;
  }
  return new ReferenceError(
    `${name} is ${size}; references must be ${limit} or smaller — downscale or compress it`,
    source,
  );
}

export async function loadReference(
  source: string,
  maxBytes: number = LIMITS.referenceBytes,
): Promise<ReferenceFile> {
  const name = path.basename(source);
  let size: number;
  try {
    const info = await stat(source);
    if (info.isDirectory()) {
      throw new ReferenceError(`${source} is a folder, not an image — pick an image file inside it`, source);
    }
    if (!info.isFile()) {
      throw new ReferenceError(`${source} is not a regular file — pick an image file`, source);
    }
    size = info.size;
  } catch (err) {
    if (err instanceof ReferenceError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ReferenceError(`reference image ${source} not found — check the path`, source);
    }
    throw new ReferenceError(
      `reference image ${source} cannot be read (${code ?? String(err)}) — check its permissions`,
      source,
    );
  }
  // Refuse by size before reading, so a wrong pick (a video, a disk image) is not loaded into memory.
  if (size > maxBytes) throw tooLarge(name, size, maxBytes, source);
  let data: Buffer;
  try {
    data = await readFile(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReferenceError(
      `reference image ${source} cannot be read (${code ?? String(err)}) — check its permissions`,
      source,
    );
  }
  return inspectWithSource(data, name, maxBytes, source);
}

/** The checks of loadReference for bytes already in memory (an upload from the UI). */
export function inspectReference(
  data: Buffer,
  fileName: string,
  maxBytes: number = LIMITS.referenceBytes,
): Promise<ReferenceFile> {
  return inspectWithSource(data, fileName, maxBytes, fileName);
}

async function inspectWithSource(
  data: Buffer,
  fileName: string,
  maxBytes: number,
  source: string,
): Promise<ReferenceFile> {
  if (data.length === 0) {
    throw new ReferenceError(`${fileName} is empty (0 bytes) — pick the image again or re-export it`, source);
  }
  if (data.length > maxBytes) throw tooLarge(fileName, data.length, maxBytes, source);
  const mime = sniff(data);
  if (!mime) {
    throw new ReferenceError(
      `${fileName} is not a PNG, JPEG, WebP or GIF image — convert it to one of those`,
      source,
    );
  }
  let width: number;
  let height: number;
  try {
    // The header alone can look fine on a cut-off download: decode the whole image (scaled down, so a
    // large photo does not cost its full size in memory) to be sure the service will be able to read it.
    const meta = await sharp(data).metadata();
    await sharp(data, { failOn: 'error' })
      .resize(256, 256, { fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    width = meta.width;
    height = meta.height;
  } catch (err) {
    throw new ReferenceError(
      `${fileName} looks like a ${EXTENSIONS[mime].toUpperCase()} but cannot be decoded ` +
        `(${(err as Error).message}) — the file is probably truncated or damaged; export it again`,
      source,
    );
  }
  return {
    sha256: createHash('sha256').update(data).digest('hex'),
    bytes: data.length,
    mime,
    width,
    height,
    fileName,
    data,
  };
}

/** Path a reference is stored at: its hash names it, so the same bytes always land on the same file. */
export function referencePath(refsDir: string, sha256: string, mime: ReferenceMime): string {
  return path.join(refsDir, `${sha256}.${EXTENSIONS[mime]}`);
}

export async function storeReference(refsDir: string, ref: ReferenceFile): Promise<string> {
  const target = referencePath(refsDir, ref.sha256, ref.mime);
  try {
    const existing = await stat(target);
    // Files only ever appear by rename, whole; a size mismatch means outside damage, so write it again.
    if (existing.isFile() && existing.size === ref.bytes) return target;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await writeFileAtomic(target, ref.data);
  return target;
}

export function validateReferenceList(count: number): void {
  if (count > LIMITS.references) {
    throw new ReferenceError(
      `${count} reference images given; the service takes at most ${LIMITS.references} — remove ` +
        `${count - LIMITS.references} of them`,
      'references',
    );
  }
}
