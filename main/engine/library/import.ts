// Import an existing folder of images into the library: our own files come back with their full record,
// A1111-style files with their `parameters` text, anything else as a plain image. Bytes already in the library
// (by the hash of the file, or of the image as first downloaded) are skipped, so importing twice is harmless.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { sharp } from '../files/lazy-modules.ts';
import { writeFileAtomic } from '../files/atomic-write.ts';
import { slugForFile } from './download.ts';
import { extensionFor, findTruncation, sniffImageFormat } from './image-format.ts';
import { parseA1111Parameters } from './metadata/a1111.ts';
import { readMetadata, stripMetadata } from './metadata/embed.ts';
import type { AssetStore, NewAsset } from '../store/assets.ts';
import type { DB } from '../store/db.ts';
import { StudioError } from '../errors.ts';

export interface ImportProgress {
  done: number;
  total: number;
  imported: number;
  duplicates: number;
}

export interface ImportReport {
  scanned: number;
  imported: number;
  duplicates: number;
  skipped: { path: string; reason: string }[];
  ids: number[];
}

export interface ImportOptions {
  db: DB;
  assets: AssetStore;
  /** Where copies go: `<libraryDir>/imported/<YYYY-MM>/`. */
  libraryDir: string;
  onProgress?: (p: ImportProgress) => void;
  onAsset?: (id: number) => void;
  signal?: AbortSignal;
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif']);

/** Every image-looking file below `folder` (hidden files and folders skipped), in a stable order. */
export async function listImages(folder: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && IMAGE_EXT.has(extname(e.name).toLowerCase())) out.push(p);
    }
  };
  await walk(folder);
  return out;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** What the file tells about itself: our record first, else A1111 parameters, else nothing. */
export function describe(
  bytes: Buffer,
  fileName: string,
): Omit<NewAsset, 'path' | 'bytes' | 'width' | 'height' | 'format' | 'sha256'> & {
  contentSha: string | null;
} {
  const meta = readMetadata(bytes);
  const base = { jobId: null, batchId: null, idx: 0, source: 'imported' as const };
  if (meta.record) {
    const r = meta.record;
    const input = r.input as Record<string, unknown>;
    return {
      ...base,
      contentSha: r.downloadedSha256 || null,
      prompt: r.prompt,
      negativePrompt: r.negativePrompt,
      actualPrompt: r.actualPrompt,
      model: r.model,
      seed: r.seed,
      credits: r.credits,
      aspectRatio: typeof input.aspect_ratio === 'string' ? input.aspect_ratio : null,
      imageSize: typeof input.image_size === 'string' ? input.image_size : null,
      params: input,
      notes: r.batch ? `Imported from ${fileName} (batch “${r.batch.name}”)` : `Imported from ${fileName}`,
    };
  }
  if (meta.parameters) {
    const p = parseA1111Parameters(meta.parameters);
    const seed = Number(p.settings.Seed);
    return {
      ...base,
      contentSha: null,
      prompt: p.prompt,
      negativePrompt: p.negativePrompt,
      model: p.settings.Model ?? null,
      seed: Number.isSafeInteger(seed) ? seed : null,
      params: p.settings,
      notes: `Imported from ${fileName}`,
    };
  }
  return { ...base, contentSha: null, prompt: '', notes: `Imported from ${fileName}` };
}

export async function importFolder(folder: string, opts: ImportOptions): Promise<ImportReport> {
  let info;
  try {
    info = await stat(folder);
  } catch {
    throw new StudioError('NOT_FOUND', `${folder} was not found — check the path.`);
  }
  if (!info.isDirectory())
    throw new StudioError('BAD_PATH', `${folder} is not a folder — choose the folder that holds the images.`);
  const files = await listImages(folder);
  const report: ImportReport = { scanned: files.length, imported: 0, duplicates: 0, skipped: [], ids: [] };
  const known = opts.db
    .prepare('SELECT id FROM assets WHERE sha256 = @h OR file_sha256 = @h LIMIT 1')
    .pluck();
  const isKnown = (h: string | null) => h !== null && known.get({ h }) !== undefined;
  let done = 0;
  const progress = () =>
    opts.onProgress?.({
      done,
      total: files.length,
      imported: report.imported,
      duplicates: report.duplicates,
    });

  for (const path of files) {
    if (opts.signal?.aborted) break;
    try {
      const bytes = await readFile(path);
      const format = sniffImageFormat(bytes);
      if (!format) {
        report.skipped.push({ path, reason: 'not a PNG, JPEG, WebP or GIF image' });
        continue;
      }
      // The same completeness check a download gets: a cut-short file would only fail later, at its thumbnail.
      const truncation = findTruncation(format, bytes);
      if (truncation !== null) {
        report.skipped.push({ path, reason: `the image is cut short: ${truncation}` });
        continue;
      }
      const fileSha = sha256(bytes);
      const described = describe(bytes, basename(path));
      // The image as first received: our record says; otherwise the bytes without any metadata we would add.
      const contentSha = described.contentSha ?? (format === 'gif' ? fileSha : sha256(stripMetadata(bytes)));
      if (isKnown(fileSha) || isKnown(contentSha)) {
        report.duplicates++;
        continue;
      }
      const meta = await sharp(bytes).metadata();
      if (!meta.width || !meta.height) {
        report.skipped.push({ path, reason: 'the image has no readable size' });
        continue;
      }
      const { mtimeMs } = await stat(path);
      const month = new Date(mtimeMs).toISOString().slice(0, 7);
      const dir = join(opts.libraryDir, 'imported', month);
      const stem = slugForFile(described.prompt || basename(path, extname(path)), 40);
      const dest = join(dir, `${stem}-${fileSha.slice(0, 10)}.${extensionFor(format)}`);
      // Copied whole (the bytes already read), never re-encoded, written atomically: a crash leaves no
      // half-copied image in the library.
      await writeFileAtomic(dest, bytes);
      const { contentSha: _c, ...fields } = described;
      const id = opts.assets.add({
        ...fields,
        sha256: contentSha,
        fileSha256: fileSha,
        path: dest,
        bytes: bytes.length,
        width: meta.width,
        height: meta.height,
        format,
        createdAt: Math.round(mtimeMs),
      });
      report.imported++;
      report.ids.push(id);
      opts.onAsset?.(id);
    } catch (err) {
      report.skipped.push({ path, reason: (err as Error).message });
    } finally {
      done++;
      progress();
    }
  }
  return report;
}
