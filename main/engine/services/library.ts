// The library's service and its rules, in one place for every front door (the app over IPC, the browser
// bridge, the CLI): how many rows one search may ask for, where an export may write, what an asset's detail
// holds, and the long operations (export, import) as tasks with progress. A transport turns what the person
// typed or picked into an absolute path; everything after that is decided here, so the same mistake gets the
// same answer whichever door it came through.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type {
  AssetDetail,
  DiskUsage,
  DuplicatesReport,
  LibraryPage,
  QuerySyntax,
  Selection as ContractSelection,
  TaskInfo,
  TrashResult,
  UndoResult,
} from '../../../shared/contract.ts';
import { SEARCH_LIMIT_MAX } from '../../../shared/library.ts';
import { StudioError } from '../errors.ts';
import { exportItems, type ExportProgress, type ExportResult } from '../library/export.ts';
import { importFolder, type ImportProgress, type ImportReport } from '../library/import.ts';
import type { Library, SearchOptions, SearchResult, Selection, TagInfo } from '../library/library.ts';
import { ensureThumbnail } from '../library/thumbs.ts';
import { moveToTrashFolder, type FileMover } from '../library/trash.ts';
import { storedFile } from '../files/stored-file.ts';
import type { Logger } from '../log.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { Stores } from '../store/stores.ts';
import type { StudioEventBus } from './events.ts';
import { toJobRow } from './jobs.ts';
import { toRefInfo } from './refs.ts';
import { megabytes, plural } from '../../../shared/plural.ts';
import {
  bulkTask,
  runBulkUpdate,
  type BulkAction,
  type BulkOutcome,
  type BulkRunOptions,
  type BulkUpdate,
} from './bulk.ts';
import type { TaskRegistry } from './tasks.ts';
import { QUERY_SYNTAX, describeQuerySyntax } from '../search/query.ts';

export { systemTrashMover } from '../library/trash.ts';

export interface LibraryDeps {
  dataDir: string;
  stores: Stores;
  library: Library;
  scheduler: Scheduler;
  log: Logger;
  events: StudioEventBus;
  tasks: TaskRegistry;
  /** How deleted images leave the library: the app passes the OS trash; default a trash folder. */
  trashMover?: FileMover;
  /** Merges the search index after a large change (an import). */
  maintain: (force: boolean) => void;
}

/** What `update` may change on a selection; everything absent is left alone. */
export interface LibraryChanges {
  favorite?: boolean;
  rating?: number;
  rejected?: boolean;
  notes?: string | null;
  addTags?: readonly string[];
  removeTags?: readonly string[];
}

export class LibraryService {
  private readonly d: LibraryDeps;

  constructor(d: LibraryDeps) {
    this.d = d;
  }

  /** One search; more than SEARCH_LIMIT_MAX rows at once is refused, never silently cut. */
  search(text: string, opts: SearchOptions = {}): SearchResult {
    checkSearchLimit(opts.limit);
    return this.d.library.search(text, opts);
  }

  /** A page for a view: whether there is more, and where the next page starts (newest first). */
  page(q: {
    text: string;
    sort: SearchOptions['sort'];
    offset: number;
    limit: number;
    after: number | null;
    count: boolean;
  }): LibraryPage {
    checkSearchLimit(q.limit);
    // One row past the page says whether there is more, whatever the sort.
    const r = this.d.library.search(q.text, { ...q, limit: q.limit + 1 });
    const hasMore = r.rows.length > q.limit;
    const rows = hasMore ? r.rows.slice(0, q.limit) : r.rows;
    // Keyset paging only means something newest first; relevance pages by offset.
    const next = hasMore && q.sort === 'newest' ? (rows.at(-1)?.sortKey ?? null) : null;
    return { total: r.total, hasMore, rows, next, warnings: r.warnings };
  }

  syntax(): QuerySyntax {
    return {
      text: describeQuerySyntax(),
      entries: QUERY_SYNTAX.map((e) => ({ syntax: e.syntax, meaning: e.meaning })),
    };
  }

  count(query: string): number {
    return this.d.library.count(query);
  }

  private mover(): FileMover {
    return this.d.trashMover ?? moveToTrashFolder;
  }

  /** The contract's selection in the library's terms: ids as they are, a query resolved when used. */
  private librarySelection(sel: ContractSelection | Selection): Selection {
    if (Array.isArray(sel)) return sel;
    return 'ids' in sel ? sel.ids : { query: (sel as { query: string }).query };
  }

  /** A selection as ids, resolved now: later writes (a flag this very call sets) do not change it. */
  ids(sel: ContractSelection | Selection): number[] {
    return this.d.library.resolve(this.librarySelection(sel));
  }

  /** The selection's images still in the library (not trashed meanwhile, e.g. by another program). */
  liveIds(sel: ContractSelection | Selection): number[] {
    return this.d.library.liveIds(this.librarySelection(sel));
  }

  /** An image with its job, batch name and reference images; null once it is trashed or gone. */
  detail(id: number): AssetDetail | null {
    const asset = this.d.library.get(id);
    if (!asset || asset.deletedAt != null) return null;
    const j = asset.jobId == null ? undefined : this.d.stores.jobs.get(asset.jobId);
    const refs = (j?.refHashes ?? []).flatMap((sha) => {
      const r = this.d.stores.refs.get(sha);
      return r ? [toRefInfo(r)] : [];
    });
    return {
      ...asset,
      job: j ? toJobRow(j) : null,
      batchName: asset.batchId == null ? null : (this.d.stores.batches.get(asset.batchId)?.name ?? null),
      refs,
    };
  }

  /** Sets flags, notes and tags on a selection: how many images it covered and how many rows changed. */
  update(sel: ContractSelection | Selection, c: LibraryChanges): { images: number; changed: number } {
    const lib = this.d.library;
    const chosen = this.ids(sel);
    let changed = 0;
    if (c.favorite !== undefined) changed += lib.setFavorite(chosen, c.favorite);
    if (c.rating !== undefined) changed += lib.setRating(chosen, c.rating);
    if (c.rejected !== undefined) changed += lib.setRejected(chosen, c.rejected);
    if (c.notes !== undefined) changed += lib.setNotes(chosen, c.notes);
    if (c.addTags?.length) changed += lib.addTags(chosen, c.addTags);
    if (c.removeTags?.length) changed += lib.removeTags(chosen, c.removeTags);
    return { images: chosen.length, changed };
  }

  tagSuggestions(prefix: string, limit?: number): TagInfo[] {
    return this.d.library.tagSuggestions(prefix, limit);
  }

  tags(): TagInfo[] {
    return this.d.library.tags();
  }

  renameTag(from: string, to: string): TagInfo[] {
    this.d.library.renameTag(from, to);
    return this.d.library.tags();
  }

  deleteTag(name: string): boolean {
    return this.d.library.deleteTag(name);
  }

  /**
   * Applies an update to a selection chunk by chunk, each chunk its own transaction, with progress and a
   * cancel that keeps what was done (see bulk.ts).
   */
  bulkUpdate(
    sel: ContractSelection | Selection,
    update: BulkUpdate,
    opts: BulkRunOptions = {},
  ): Promise<BulkOutcome> {
    return runBulkUpdate(this.d.library, this.librarySelection(sel), update, opts);
  }

  /** A bulk action over a selection ("all N matching") as a task with progress and Cancel. */
  startBulk(sel: ContractSelection, action: BulkAction): TaskInfo {
    const job = bulkTask(
      {
        library: this.d.library,
        moveTrashed: (plan, run) => this.d.library.moveTrashed(plan, this.mover(), run),
      },
      this.librarySelection(sel),
      action,
    );
    return this.d.tasks.start('bulk', job.message, job.run);
  }

  async trash(sel: ContractSelection | Selection): Promise<TrashResult> {
    const r = await this.d.library.trash(this.ids(sel), this.mover());
    return { token: r.token, count: r.assets, files: r.files, failed: r.failed };
  }

  async undo(token: number): Promise<UndoResult> {
    const r = await this.d.library.undo(token);
    return { restored: r.assets, filesRestored: r.filesRestored, filesNotRestored: r.filesNotRestored };
  }

  usage(by: 'batch' | 'collection'): DiskUsage {
    return this.d.library.diskUsage({ by });
  }

  duplicates(): DuplicatesReport {
    const groups = this.d.library.duplicates();
    return {
      groups: groups.length,
      extra: groups.reduce((n, g) => n + g.ids.length - 1, 0),
      reclaimableBytes: groups.reduce((n, g) => n + g.reclaimableBytes, 0),
      list: groups.slice(0, 200),
    };
  }

  /** Where an image's file is stored (as the catalog says) and its format; null for an unknown id. */
  file(id: number): { path: string; format: string } | null {
    const a = this.d.stores.assets.get(id);
    return a ? { path: a.path, format: a.format } : null;
  }

  /** A cached WebP thumbnail of an asset, made on demand (off the main thread, in libvips' pool). */
  async thumbnail(assetId: number, size?: number): Promise<string | null> {
    const a = this.d.stores.assets.get(assetId);
    if (!a) return null;
    const file = storedFile(this.d.dataDir, a.path);
    if (!file) return null;
    try {
      return await ensureThumbnail(file, a.fileSha256 ?? a.sha256, join(this.d.dataDir, 'thumbs'), size);
    } catch (err) {
      this.d.log.warn('thumbnail failed', { asset: assetId, err });
      return null;
    }
  }

  /** The originals of a selection plus metadata.csv/jsonl, to a folder or a .zip (`out` as decided). */
  async export(
    sel: ContractSelection | Selection,
    out: string,
    opts: { onProgress?: (p: ExportProgress) => void; signal?: AbortSignal } = {},
  ): Promise<ExportResult> {
    const batchNames = new Map(this.d.stores.batches.list().map((b) => [b.id, b.name]));
    const items = this.ids(sel).flatMap((id) => {
      const a = this.d.library.get(id);
      if (!a) return [];
      return [
        {
          path: a.path,
          metadata: {
            id: a.id,
            created: new Date(a.createdAt).toISOString(),
            prompt: a.prompt,
            negative_prompt: a.negativePrompt,
            actual_prompt: a.actualPrompt,
            model: a.model,
            seed: a.seed,
            aspect_ratio: a.aspectRatio,
            image_size: a.imageSize,
            format: a.format,
            width: a.width,
            height: a.height,
            bytes: a.bytes,
            sha256: a.sha256,
            batch: a.batchId === null ? null : (batchNames.get(a.batchId) ?? null),
            source: a.source,
            credits: a.credits,
            favorite: a.favorite,
            rating: a.rating,
            score: a.score,
            comparisons: a.comparisons,
            tags: a.tags,
            collections: a.collections.map((c) => c.name),
            notes: a.notes,
            params: a.params,
          },
        },
      ];
    });
    if (items.length === 0)
      throw new StudioError('NOTHING_SELECTED', 'Nothing to export: the selection is empty.');
    // Only files really inside the library leave it; a row naming anything else counts as missing.
    const readable: typeof items = [];
    const refused: string[] = [];
    for (const i of items) {
      const file = storedFile(this.d.dataDir, i.path);
      if (file) readable.push({ ...i, path: file });
      else refused.push(i.path);
    }
    const r = await exportItems({ items: readable, out, ...opts });
    return { ...r, missing: [...refused, ...r.missing] };
  }

  /** The images an export of `sel` covers, resolved now; NOTHING_SELECTED when none is left. */
  exportable(sel: ContractSelection): number[] {
    const chosen = this.liveIds(sel);
    if (chosen.length === 0) {
      throw new StudioError('NOTHING_SELECTED', 'Nothing to export: no image is in the selection any more.');
    }
    return chosen;
  }

  /** Starts exporting `chosen` (from exportable) as a background task (`target` through exportDestination). */
  startExport(chosen: readonly number[], target: string): TaskInfo {
    return this.d.tasks.start(
      'export',
      `Exporting ${plural(chosen.length, 'image')} to ${target}…`,
      async (t) => {
        const r = await this.export(chosen, target, {
          signal: t.signal,
          onProgress: (p) =>
            t.progress(p.done, p.total, `Exported ${p.done} of ${plural(p.total, 'image')}…`),
        });
        const missing = r.missing.length
          ? ` ${plural(r.missing.length, 'file was', 'files were')} missing on disk and left out.`
          : '';
        return {
          result: { out: r.out, files: r.files, bytes: r.bytes, missing: r.missing.length },
          message: `Exported ${plural(r.files, 'image')} (${megabytes(r.bytes)}) to ${r.out}.${missing}`,
        };
      },
    );
  }

  /** Brings a folder of images into the library (duplicates by content skipped). */
  async import(
    folder: string,
    opts: { onProgress?: (p: ImportProgress) => void; signal?: AbortSignal } = {},
  ): Promise<ImportReport> {
    const report = await importFolder(folder, {
      db: this.d.stores.db,
      assets: this.d.stores.assets,
      libraryDir: join(this.d.dataDir, 'library'),
      onAsset: (id) => {
        const a = this.d.stores.assets.get(id);
        if (a) this.d.events.emit('asset', a);
      },
      ...opts,
    });
    this.d.log.info('folder imported', { folder, imported: report.imported, duplicates: report.duplicates });
    this.d.maintain(true);
    return report;
  }

  /** Starts an import as a background task (`source` an existing folder: see importSource). */
  startImport(source: string): TaskInfo {
    importSource(source);
    return this.d.tasks.start('import', `Looking for images in ${source}…`, async (t) => {
      const r = await this.import(source, {
        signal: t.signal,
        onProgress: (p) =>
          t.progress(
            p.done,
            p.total,
            `Checked ${p.done} of ${plural(p.total, 'file')}: ${p.imported} imported, ${p.duplicates} already in the library`,
          ),
      });
      const canceled = t.signal.aborted;
      const parts = [
        `${canceled ? 'Import canceled: ' : ''}${plural(r.imported, 'image')} imported from ${source}`,
        r.duplicates ? `${plural(r.duplicates, 'duplicate')} skipped` : '',
        r.skipped.length ? `${plural(r.skipped.length, 'file')} could not be read` : '',
      ].filter(Boolean);
      return {
        result: {
          scanned: r.scanned,
          imported: r.imported,
          duplicates: r.duplicates,
          skipped: r.skipped.slice(0, 200),
        },
        message: `${parts.join('; ')}.`,
        canceled,
      };
    });
  }
}

/** A folder to import from must exist and be a folder. */
export function importSource(source: string): string {
  if (!existsSync(source)) throw new StudioError('NOT_FOUND', `${source} was not found — check the path.`);
  if (!statSync(source).isDirectory()) {
    throw new StudioError('BAD_PATH', `${source} is a file — choose the folder that holds the images.`);
  }
  return source;
}

export function checkSearchLimit(limit: number | undefined): void {
  if (limit !== undefined && limit > SEARCH_LIMIT_MAX) {
    throw new StudioError(
      'OVER_LIMIT',
      `A search lists at most ${SEARCH_LIMIT_MAX.toLocaleString('en-US')} images at a time; ` +
        `${limit.toLocaleString('en-US')} were asked for. Narrow the query, or page through the results.`,
    );
  }
}

export type ExportFormat = 'zip' | 'folder';

/** A zip for a path ending in .zip, a folder otherwise (how the CLI reads its --out). */
export function exportFormatOf(target: string): ExportFormat {
  return target.toLowerCase().endsWith('.zip') ? 'zip' : 'folder';
}

/**
 * Where an export goes. A zip gets its extension, and an existing file is never replaced unless the person
 * already said so (`confirmed`: a save dialog asked). A folder that already holds files gets a new
 * subfolder, so an export never mixes with (or overwrites) what is there.
 */
export function exportDestination(
  format: ExportFormat,
  absolutePath: string,
  opts: { confirmed: boolean },
): string {
  if (!isAbsolute(absolutePath)) {
    throw new StudioError(
      'BAD_PATH',
      `The export destination must be a full path ("${absolutePath}" is not).`,
    );
  }
  let target = absolutePath;
  if (format === 'zip') {
    if (!target.toLowerCase().endsWith('.zip')) target += '.zip';
    if (!opts.confirmed && existsSync(target)) {
      throw new StudioError(
        'ALREADY_EXISTS',
        `${target} already exists — choose another name or delete it first.`,
      );
    }
    return target;
  }
  if (target.toLowerCase().endsWith('.zip')) {
    throw new StudioError(
      'BAD_PATH',
      `${target} ends in .zip — choose "Zip file" to make an archive, or a folder path.`,
    );
  }
  if (!existsSync(target)) return target;
  if (!statSync(target).isDirectory()) {
    throw new StudioError('BAD_PATH', `${target} is a file, not a folder — choose a folder to export into.`);
  }
  return readdirSync(target).length === 0 ? target : join(target, `qwen-studio-export-${stamp()}`);
}

function stamp(d = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}
