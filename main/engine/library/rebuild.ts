// Rebuilding a lost or emptied catalog from the library itself: every image we saved carries a JSON record
// (full input, actual prompt, remote id, batch, credits, reference hashes, seed). Those records give back
// the batches, the finished jobs and the assets; images without a record come back as imported ones. What
// lives only in the catalog (tags, ratings, collections, notes) is not in the files: a backup keeps those.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { RebuildTaskResult } from '../../../shared/contract.ts';
import { sharp } from '../files/lazy-modules.ts';
import type { AssetStore } from '../store/assets.ts';
import type { DB } from '../store/db.ts';
import { sniffImageFormat, type ImageFormat } from './image-format.ts';
import { describe, listImages } from './import.ts';
import { readMetadata } from './metadata/embed.ts';
import type { StudioRecord } from './metadata/types.ts';
import { StudioError } from '../errors.ts';

/** Only an empty catalog is rebuilt: filling one that lists images would duplicate them. */
export class RebuildRefusedError extends StudioError {
  constructor(message: string) {
    super('REBUILD_REFUSED', message);
    this.name = 'RebuildRefusedError';
  }
}

export interface RebuildProgress {
  done: number;
  total: number;
}

/** What a rebuild brought back (the same shape the app's task reports). */
export type RebuildReport = RebuildTaskResult;

export interface RebuildOptions {
  db: DB;
  assets: AssetStore;
  dataDir: string;
  onProgress?: (p: RebuildProgress) => void;
  signal?: AbortSignal;
}

interface Found {
  path: string;
  bytes: number;
  fileSha: string;
  format: ImageFormat;
  width: number;
  height: number;
  mtimeMs: number;
  record: StudioRecord | null;
  /** For an image listed as imported: what the file tells about itself (as an import reads it). */
  described: ReturnType<typeof describe>;
}

interface JobGroup {
  key: string;
  seq: number | null;
  images: (Found & { record: StudioRecord })[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Whether the catalog lists no batch and no image (a lost or emptied studio.db looks like this). */
export function catalogIsEmpty(db: DB): boolean {
  const row = db
    .prepare('SELECT (SELECT COUNT(*) FROM batches) AS b, (SELECT COUNT(*) FROM assets) AS a')
    .get() as { b: number; a: number };
  return row.b === 0 && row.a === 0;
}

/** Whether any image lies below `dir` (stops at the first one). */
export async function hasImages(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isFile() && IMAGE_NAME.test(e.name)) return true;
    if (e.isDirectory() && (await hasImages(join(dir, e.name)))) return true;
  }
  return false;
}

const IMAGE_NAME = /\.(png|jpe?g|webp|gif)$/i;

async function inspect(path: string): Promise<Found | { skip: string }> {
  const buffer = await readFile(path);
  const format = sniffImageFormat(buffer);
  if (!format) return { skip: 'not a PNG, JPEG, WebP or GIF image' };
  const { record } = readMetadata(buffer);
  let width = record?.width ?? 0;
  let height = record?.height ?? 0;
  if (!width || !height) {
    const meta = await sharp(buffer).metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  }
  if (!width || !height) return { skip: 'the image has no readable size' };
  const { mtimeMs } = await stat(path);
  const described = describe(buffer, basename(path));
  return {
    path,
    bytes: buffer.length,
    fileSha: sha256(buffer),
    format,
    width,
    height,
    mtimeMs,
    record,
    described,
  };
}

/** `<batch>-<seq>-…` is how downloads are named; the seq comes back from the name when it says so. */
function seqFromName(path: string, batchId: number): number | null {
  const m = /^(\d+)-(\d+)-/.exec(basename(path));
  return m && Number(m[1]) === batchId ? Number(m[2]) : null;
}

function inputOf(r: StudioRecord): Record<string, unknown> {
  const { image_index: _i, ...input } = r.input;
  return { ...input, prompt: r.prompt };
}

function imageIndex(r: StudioRecord): number {
  const i = r.input.image_index;
  return typeof i === 'number' && Number.isInteger(i) && i >= 0 ? i : 0;
}

export async function rebuildCatalog(opts: RebuildOptions): Promise<RebuildReport> {
  const { db } = opts;
  if (!catalogIsEmpty(db)) {
    const n = db.prepare('SELECT COUNT(*) FROM assets').pluck().get() as number;
    throw new RebuildRefusedError(
      `The catalog already lists ${n} image(s); a rebuild only fills an empty catalog, so nothing was ` +
        `changed. To rebuild anyway, move studio.db aside first (or restore a backup: qwen-studio db restore).`,
    );
  }
  const libraryDir = join(opts.dataDir, 'library');
  const files = await listImages(libraryDir).catch(() => [] as string[]);
  const report: RebuildReport = {
    scanned: files.length,
    generated: 0,
    imported: 0,
    batches: 0,
    jobs: 0,
    credits: 0,
    skipped: [],
  };
  const importedDir = join(libraryDir, 'imported') + sep;
  const byBatch = new Map<number, { name: string; jobs: Map<string, JobGroup> }>();
  const plain: Found[] = [];
  let done = 0;
  for (const path of files) {
    if (opts.signal?.aborted) break;
    try {
      const found = await inspect(path);
      if ('skip' in found) report.skipped.push({ path, reason: found.skip });
      else if (!found.record?.batch || path.startsWith(importedDir)) plain.push(found);
      else {
        const r = found.record;
        const batch = r.batch!;
        const b = byBatch.get(batch.id) ?? { name: batch.name, jobs: new Map<string, JobGroup>() };
        byBatch.set(batch.id, b);
        const key = r.remoteId ?? `file:${relative(libraryDir, path)}`;
        const group = b.jobs.get(key) ?? { key, seq: seqFromName(path, batch.id), images: [] };
        group.images.push({ ...found, record: r });
        b.jobs.set(key, group);
      }
    } catch (err) {
      report.skipped.push({ path, reason: (err as Error).message });
    } finally {
      done++;
      opts.onProgress?.({ done, total: files.length });
    }
  }
  if (opts.signal?.aborted) return report;

  const insertBatch = db.prepare(
    `INSERT INTO batches (id, name, model, spec_json, total_jobs, total_images, credits_per_image, status,
                          created_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'done', ?, ?)`,
  );
  const insertJob = db.prepare(
    `INSERT INTO jobs (batch_id, seq, state, model, prompt, input_json, ref_hashes, template, num_images,
                       remote_id, remote_status, actual_prompt, credits, attempts, created_at, submitted_at,
                       accepted_at, completed_at, updated_at)
     VALUES (?, ?, 'done', ?, ?, ?, ?, ?, ?, ?, 'completed', ?, ?, 1, ?, ?, ?, ?, ?)`,
  );
  const insertEvent = db.prepare(
    `INSERT INTO job_events (job_id, at, from_state, to_state, detail) VALUES (?, ?, NULL, 'done', ?)`,
  );
  db.transaction(() => {
    for (const [batchId, b] of [...byBatch].sort((x, y) => x[0] - y[0])) {
      const groups = [...b.jobs.values()];
      for (const g of groups) g.images.sort((x, y) => imageIndex(x.record) - imageIndex(y.record));
      // Jobs in their original order: the seq from the file name, else by time.
      const taken = new Set(groups.flatMap((g) => (g.seq === null ? [] : [g.seq])));
      let next = Math.max(0, ...taken) + 1;
      const at = (g: JobGroup) => Date.parse(g.images[0]!.record.createdAt) || g.images[0]!.mtimeMs;
      groups.sort((x, y) => (x.seq ?? Infinity) - (y.seq ?? Infinity) || at(x) - at(y));
      for (const g of groups) if (g.seq === null) g.seq = next++;
      const all = groups.flatMap((g) => g.images);
      const times = groups.map(at);
      const credits = all.reduce((sum, i) => sum + (i.record.credits ?? 0), 0);
      const priced = all.filter((i) => i.record.credits !== null);
      const first = all[0]!.record;
      const spec = {
        name: b.name,
        model: first.model,
        entries: groups.map((g) => ({ prompt: g.images[0]!.record.prompt })),
        params: {},
        refs: [],
        seed: { mode: 'random' },
        repeat: 1,
      };
      insertBatch.run(
        batchId,
        b.name,
        first.model,
        JSON.stringify(spec),
        groups.length,
        all.length,
        priced.length > 0 ? priced.reduce((s, i) => s + i.record.credits!, 0) / priced.length : 0,
        Math.min(...times),
        Math.max(...times),
      );
      report.batches++;
      for (const g of groups) {
        const r = g.images[0]!.record;
        const when = at(g);
        const input = inputOf(r);
        const jobCredits = g.images.some((i) => i.record.credits !== null)
          ? Math.round(g.images.reduce((s, i) => s + (i.record.credits ?? 0), 0))
          : null;
        const numImages = typeof input.num_images === 'number' ? input.num_images : g.images.length;
        const jobId = Number(
          insertJob.run(
            batchId,
            g.seq,
            r.model,
            r.prompt,
            JSON.stringify(input),
            JSON.stringify(r.referenceHashes ?? []),
            r.prompt,
            numImages,
            r.remoteId,
            r.actualPrompt,
            jobCredits,
            when,
            when,
            when,
            when,
            when,
          ).lastInsertRowid,
        );
        insertEvent.run(jobId, Date.now(), 'rebuilt from the record inside the image');
        report.jobs++;
        for (const img of g.images) {
          const { prompt: _p, ...params } = input;
          opts.assets.add({
            jobId,
            batchId,
            idx: imageIndex(img.record),
            sha256: img.record.downloadedSha256 || img.fileSha,
            fileSha256: img.fileSha,
            path: img.path,
            bytes: img.bytes,
            width: img.width,
            height: img.height,
            format: img.format,
            prompt: r.prompt,
            createdAt: when,
            source: 'generated',
            model: r.model,
            negativePrompt: r.negativePrompt,
            actualPrompt: r.actualPrompt,
            aspectRatio: typeof input.aspect_ratio === 'string' ? input.aspect_ratio : null,
            imageSize: typeof input.image_size === 'string' ? input.image_size : null,
            seed: r.seed,
            credits: img.record.credits,
            params,
          });
          report.generated++;
        }
      }
      report.credits += credits;
    }
    for (const f of plain) {
      const { contentSha, ...fields } = f.described;
      opts.assets.add({
        ...fields,
        sha256: contentSha ?? f.fileSha,
        fileSha256: f.fileSha,
        path: f.path,
        bytes: f.bytes,
        width: f.width,
        height: f.height,
        format: f.format,
        createdAt: Math.round(f.mtimeMs),
      });
      report.imported++;
    }
  })();
  return report;
}
