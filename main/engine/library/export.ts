// Export a selection of the library: the original files, untouched, plus metadata.csv and metadata.jsonl,
// into a folder or a .zip. Progress is reported per file and an abort leaves nothing half-written behind.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import yazl from 'yazl';
import { commitTempFile, tempPathFor } from '../files/atomic-write.ts';
import { StudioError } from '../errors.ts';

export interface ExportItem {
  /** The file on disk. */
  path: string;
  /** Flat metadata: one CSV column per key (the JSONL line carries it whole). */
  metadata: Record<string, unknown>;
}

export interface ExportProgress {
  done: number;
  total: number;
  bytes: number;
}

export interface ExportOptions {
  items: readonly ExportItem[];
  /** A folder (created if missing) or a path ending in `.zip`. */
  out: string;
  onProgress?: (p: ExportProgress) => void;
  signal?: AbortSignal;
}

export interface ExportResult {
  out: string;
  files: number;
  bytes: number;
  missing: string[];
}

/** Names inside the export: the file's own name, made unique with a counter when two collide. */
function uniqueNames(items: readonly ExportItem[]): string[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const name = basename(item.path);
    const n = seen.get(name.toLowerCase()) ?? 0;
    seen.set(name.toLowerCase(), n + 1);
    if (n === 0) return name;
    const ext = extname(name);
    return `${name.slice(0, name.length - ext.length)}-${n + 1}${ext}`;
  });
}

/**
 * A text cell a spreadsheet would run as a formula (=, +, -, @, or a tab or CR before one) gets a leading
 * apostrophe, the OWASP-recommended neutraliser that spreadsheets show as plain text. Numbers stay numbers;
 * metadata.jsonl keeps every value exactly as stored.
 */
function safeCell(text: string, value: unknown): string {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function metadataFiles(
  items: readonly ExportItem[],
  names: readonly string[],
): { csv: string; jsonl: string } {
  const rows = items.map((item, i) => ({ file: names[i], ...item.metadata }));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : safeCell(String(v), v);
  const csv = stringify(
    rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c]))),
    { header: true, columns, bom: true },
  );
  const jsonl = rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  return { csv, jsonl };
}

function aborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new StudioError('CANCELED', 'Export canceled: nothing was kept.');
}

export async function exportItems(opts: ExportOptions): Promise<ExportResult> {
  const names = uniqueNames(opts.items);
  return opts.out.toLowerCase().endsWith('.zip') ? exportZip(opts, names) : exportFolder(opts, names);
}

async function present(
  items: readonly ExportItem[],
): Promise<{ sizes: (number | null)[]; missing: string[] }> {
  const sizes = await Promise.all(
    items.map(async (i) => {
      try {
        return (await stat(i.path)).size;
      } catch {
        return null;
      }
    }),
  );
  return { sizes, missing: items.filter((_, i) => sizes[i] === null).map((i) => i.path) };
}

async function exportFolder(opts: ExportOptions, names: string[]): Promise<ExportResult> {
  const { items, out, signal } = opts;
  const { sizes, missing } = await present(items);
  // Everything goes into a hidden staging folder first and is moved in at the end, so a canceled or failed
  // export never leaves a half-filled folder that looks complete.
  const staging = join(out, `.export-${randomBytes(6).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  let bytes = 0;
  let done = 0;
  try {
    for (let i = 0; i < items.length; i++) {
      aborted(signal);
      if (sizes[i] === null) continue;
      await copyFile(items[i]!.path, join(staging, names[i]!));
      bytes += sizes[i]!;
      done++;
      opts.onProgress?.({ done, total: items.length, bytes });
    }
    aborted(signal);
    const kept = items.map((_, i) => i).filter((i) => sizes[i] !== null);
    const meta = metadataFiles(
      kept.map((i) => items[i]!),
      kept.map((i) => names[i]!),
    );
    await writeFile(join(staging, 'metadata.csv'), meta.csv);
    await writeFile(join(staging, 'metadata.jsonl'), meta.jsonl);
    for (const name of [...kept.map((i) => names[i]!), 'metadata.csv', 'metadata.jsonl']) {
      await rename(join(staging, name), join(out, name));
    }
    return { out, files: done, bytes, missing };
  } catch (err) {
    throw diskError(err, out);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function exportZip(opts: ExportOptions, names: string[]): Promise<ExportResult> {
  const { items, out, signal } = opts;
  const { sizes, missing } = await present(items);
  await mkdir(dirname(out), { recursive: true });
  const temp = tempPathFor(out);
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream, createWriteStream(temp));
  let bytes = 0;
  let done = 0;
  try {
    const kept: number[] = [];
    for (let i = 0; i < items.length; i++) {
      aborted(signal);
      if (sizes[i] === null) continue;
      kept.push(i);
      const size = sizes[i]!;
      // Opened only when yazl reaches the entry (thousands of files, a handful of descriptors). Images are
      // already compressed: stored as they are, the bytes in the zip are the originals.
      zip.addReadStreamLazy(names[i]!, { compress: false, size }, (cb) => {
        const stream = createReadStream(items[i]!.path);
        stream.on('end', () => {
          bytes += size;
          done++;
          opts.onProgress?.({ done, total: items.length, bytes });
        });
        cb(null, stream);
      });
    }
    const meta = metadataFiles(
      kept.map((i) => items[i]!),
      kept.map((i) => names[i]!),
    );
    zip.addBuffer(Buffer.from(meta.csv), 'metadata.csv');
    zip.addBuffer(Buffer.from(meta.jsonl), 'metadata.jsonl');
    const onAbort = () =>
      (zip.outputStream as Readable).destroy(
        new StudioError('CANCELED', 'Export canceled: nothing was kept.'),
      );
    signal?.addEventListener('abort', onAbort, { once: true });
    zip.end();
    try {
      await written;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    aborted(signal);
    await commitTempFile(temp, out);
    return { out, files: done, bytes, missing };
  } catch (err) {
    // Close the temp file before removing it: a canceled export may not have ended the zip stream yet.
    (zip.outputStream as Readable).destroy();
    await written.catch(() => {});
    await rm(temp, { force: true });
    throw diskError(err, out);
  }
}

function diskError(err: unknown, out: string): StudioError {
  if (err instanceof StudioError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StudioError(
      'STORAGE',
      `The disk holding ${out} is full — free some space or export to another place.`,
      {
        cause: err,
      },
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new StudioError(
      'STORAGE',
      `Cannot write to ${out} (${code}) — choose a folder you can write to.`,
      {
        cause: err,
      },
    );
  }
  return new StudioError('STORAGE', `Export to ${out} failed: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
  });
}
