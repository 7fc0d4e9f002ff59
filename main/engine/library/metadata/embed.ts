// Puts the generation parameters inside a saved image and reads them back, for PNG, JPEG and WebP. Only
// metadata containers are added (see png.ts, jpeg.ts, webp.ts): the compressed image data is never
// decoded or re-encoded, and `stripMetadata` gives back the downloaded bytes exactly, so the sha256
// recorded at download time (`record.downloadedSha256`) can always be checked again.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../files/atomic-write.ts';
import { findTruncation, sniffImageFormat } from '../image-format.ts';
import { downloadErrorFromFs } from '../download.ts';
import { embedJpeg, readJpeg, stripJpeg } from './jpeg.ts';
import { embedPng, readPng, stripPng } from './png.ts';
import { embedWebp, readWebp, stripWebp } from './webp.ts';
import { asStudioRecord } from './types.ts';
import type { EmbedFormat, EmbeddedMetadata, ReadMetadataResult, StudioRecord } from './types.ts';

export type { EmbedFormat, EmbeddedMetadata, ReadMetadataResult, StudioRecord } from './types.ts';

/**
 * `bytes` with `meta` added. Any metadata an earlier call added is replaced, not stacked. Throws when the
 * bytes are not a whole file of `format` (the message says what is wrong; nothing was written anywhere).
 */
export function embedMetadata(bytes: Buffer, format: EmbedFormat, meta: EmbeddedMetadata): Buffer {
  const actual = sniffImageFormat(bytes);
  if (actual !== format) {
    throw new Error(
      `cannot add metadata: the bytes are ${actual ? `a ${actual.toUpperCase()} image` : 'not an image we know'}, not ${format.toUpperCase()}`,
    );
  }
  const truncation = findTruncation(format, bytes);
  if (truncation) throw new Error(`cannot add metadata: ${truncation} (the file is damaged)`);
  switch (format) {
    case 'png':
      return embedPng(bytes, meta.parameters, JSON.stringify(meta.record));
    case 'jpeg':
      return embedJpeg(bytes, meta.parameters, meta.record);
    case 'webp':
      return embedWebp(bytes, meta.parameters, meta.record);
  }
}

function parseRecord(json: string | null): StudioRecord | null {
  if (json === null) return null;
  try {
    return asStudioRecord(JSON.parse(json));
  } catch {
    return null; // damaged or edited by hand: the parameters text is still there
  }
}

/**
 * The parameters text and our record, from our own files and from other generators' (PNG `parameters`
 * text chunks of any kind, EXIF UserComment in JPEG/WebP/PNG). Never throws: damaged parts read as null.
 */
export function readMetadata(bytes: Buffer): ReadMetadataResult {
  const format = sniffImageFormat(bytes);
  const found =
    format === 'png'
      ? readPng(bytes)
      : format === 'jpeg'
        ? readJpeg(bytes)
        : format === 'webp'
          ? readWebp(bytes)
          : { parameters: null, recordJson: null, other: {} };
  return { format, parameters: found.parameters, record: parseRecord(found.recordJson), other: found.other };
}

/** `bytes` without what `embedMetadata` added (the downloaded bytes, byte for byte); other files unchanged. */
export function stripMetadata(bytes: Buffer): Buffer {
  switch (sniffImageFormat(bytes)) {
    case 'png':
      return stripPng(bytes);
    case 'jpeg':
      return stripJpeg(bytes);
    case 'webp':
      return stripWebp(bytes);
    default:
      return bytes;
  }
}

/**
 * Adds `meta` to the file at `filePath` atomically (through atomic-write.ts), so
 * the file is always either the old or the new one. Returns the hash and size of the new file. Disk
 * failures are `DownloadError`s (kind `disk` or `transient`), like the download's own.
 */
export async function embedMetadataInFile(
  filePath: string,
  format: EmbedFormat,
  meta: EmbeddedMetadata,
): Promise<{ sha256: string; bytes: number }> {
  const dir = path.dirname(filePath);
  let original: Buffer;
  try {
    original = await readFile(filePath);
  } catch (err) {
    throw downloadErrorFromFs(err, dir);
  }
  let next: Buffer;
  try {
    next = embedMetadata(original, format, meta);
  } catch (err) {
    throw new Error(`${filePath}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await writeFileAtomic(filePath, next);
  } catch (err) {
    throw downloadErrorFromFs(err, dir);
  }
  return { sha256: createHash('sha256').update(next).digest('hex'), bytes: next.length };
}
