// The composition root: one data folder → one database, one logger, one API client, one scheduler.
// The CLI, the browser bridge and the Electron shell all drive the engine through this class.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL, type Model } from '../../shared/api.ts';
import {
  batchSpecSchema,
  type AssetRow,
  type BatchPlan,
  type BatchSpec,
  type BatchSummary,
  type JobState,
  type ParsedBatchSpec,
  type QueueStatus,
} from '../../shared/domain.ts';
import { settingsSchema, type Settings, type SettingsPatch } from '../../shared/settings.ts';
import { ApiError } from './api/errors.ts';
import { SkillsClient } from './api/client.ts';
import { planBatch } from './batch/plan.ts';
import { Wildcards } from './batch/wildcards.ts';
import { inspectReference, loadReference, storeReference, type ReferenceFile } from './batch/refs.ts';
import { StudioError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { exportItems, type ExportProgress, type ExportResult } from './library/export.ts';
import { importFolder, type ImportProgress, type ImportReport } from './library/import.ts';
import { Library, type Selection, type TrashReceipt, type UndoReport } from './library/library.ts';
import { Ranking } from './services/ranking.ts';
import { ensureThumbnail } from './library/thumbs.ts';
import { renderContactSheet, type SheetResult } from './library/contact-sheet.ts';
import { sweepGrid } from './library/sweep-grid.ts';
import { JobEditor, type JobEdit } from './batch/job-edit.ts';
import { QueueOrder, QueueOrderError, type Move, type Priority } from './store/queue-order.ts';
import { uniqueName } from '../../shared/batch-name.ts';
import { PresetStore } from './store/presets.ts';
import type { SweepGrid } from '../../shared/sweep.ts';
import { moveToTrashFolder, type FileMover } from './library/trash.ts';
import {
  catalogIsEmpty,
  hasImages,
  rebuildCatalog,
  type RebuildProgress,
  type RebuildReport,
} from './library/rebuild.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { backupCatalog, backupIfDue, withFolderLocked, type BackupInfo } from './store/backups.ts';
import { LeaseBusyError } from './store/runner-lock.ts';
import { openStores, type Stores } from './store/stores.ts';
import { emptyCounts, type BatchStats, type JobRecord } from './store/jobs.ts';
import type { RefRecord } from './store/refs.ts';
import { makeCatalogPrivate, makeDataDirPrivate } from './files/private-modes.ts';
import { storedFile } from './files/stored-file.ts';

/** Credits per image until real usage has been seen (API.md gives no price list). */
export const DEFAULT_CREDITS_PER_IMAGE = 20;

export const APP_NAME = 'Qwen Studio';

/** The folder Electron's `app.getPath('userData')` gives "Qwen Studio", so the CLI and the app share it. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.QWEN_STUDIO_DATA_DIR) return env.QWEN_STUDIO_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

export interface StudioOptions {
  dataDir: string;
  /** The API key, or a function returning it (the app reads it from safeStorage). Never stored in SQLite. */
  apiKey?: string | null | (() => string | null);
  /** Overrides the settings' base URL (a CLI flag or environment variable). */
  apiBase?: string | null;
  /** How deleted images leave the library: the app passes the OS trash; default a trash folder. */
  trashMover?: FileMover;
  /** Settings for this process only (CLI flags such as --concurrency), never saved. */
  overrides?: Partial<Settings>;
  logEcho?: (line: string) => void;
  random?: () => number;
  /** Scheduler tuning for tests. */
  scheduler?: {
    maxSubmitAttempts?: number;
    maxDownloadAttempts?: number;
    pollTimeoutMs?: number;
    drainMs?: number;
  };
}

export interface StudioEvents {
  job: [JobRecord];
  queue: [QueueStatus];
  batch: [BatchSummary];
  asset: [AssetRow];
  settled: [];
}

export class Studio extends EventEmitter<StudioEvents> {
  readonly dataDir: string;
  readonly stores: Stores;
  readonly log: Logger;
  readonly scheduler: Scheduler;
  readonly library: Library;
  readonly ranking: Ranking;
  /** `<data-dir>/wildcards/`: the files `__name__` in a template reads. */
  readonly wildcards: Wildcards;
  /** Named parameter sets (Compose and `run --preset`). */
  readonly presets: PresetStore;
  private readonly queueOrder: QueueOrder;
  private readonly jobEditor: JobEditor;
  private readonly opts: StudioOptions;
  private key: string | null = null;
  private baseOverride: string | null = null;
  private lastMaintenance = 0;
  private clientCache: { key: string; base: string; workspace: string; client: SkillsClient } | null = null;
  private backupTask: Promise<void> | null = null;
  /** Pending startWhenFree tries, stopped by close(). */
  private readonly startTries = new Set<() => void>();

  constructor(opts: StudioOptions) {
    super();
    this.opts = opts;
    this.dataDir = opts.dataDir;
    makeDataDirPrivate(this.dataDir);
    for (const sub of ['library', 'refs', 'logs']) mkdirSync(join(this.dataDir, sub), { recursive: true });
    this.log = createLogger({
      dir: join(this.dataDir, 'logs'),
      secrets: () => {
        const k = this.apiKey();
        return k ? [k] : [];
      },
      ...(opts.logEcho ? { echo: opts.logEcho } : {}),
    });
    this.stores = openStores(join(this.dataDir, 'studio.db'));
    makeCatalogPrivate(this.dataDir);
    this.library = new Library(this.stores.db, this.dataDir);
    this.ranking = new Ranking(this.library);
    this.wildcards = new Wildcards(join(this.dataDir, 'wildcards'));
    this.queueOrder = new QueueOrder(this.stores.db);
    this.presets = new PresetStore(this.stores.db);
    this.jobEditor = new JobEditor(this.stores.db);
    if (typeof opts.apiKey === 'string') this.key = opts.apiKey;
    this.scheduler = new Scheduler({
      stores: this.stores,
      dataDir: this.dataDir,
      getClient: () => this.client(),
      settings: () => this.settings(),
      log: this.log,
      ...opts.scheduler,
    });
    this.scheduler.on('job', (j) => this.emit('job', j));
    this.scheduler.on('queue', (q) => this.emit('queue', q));
    this.scheduler.on('asset', (a) => this.emit('asset', a));
    this.scheduler.on('settled', () => {
      this.maintainLibrary();
      this.backupIfDue();
      this.emit('settled');
    });
    this.scheduler.on('batch', (id) => {
      const b = this.batchSummary(id);
      if (b) this.emit('batch', b);
    });
    this.on('job', (j) => {
      if (this.listenerCount('batch') === 0) return;
      const b = this.batchSummary(j.batchId);
      if (b) this.emit('batch', b);
    });
  }

  // ── settings and key ───────────────────────────────────────────────────────────────────────────────

  /** The saved settings with this process's overrides on top. */
  settings(): Settings {
    const saved = this.savedSettings();
    return this.opts.overrides ? { ...saved, ...this.opts.overrides } : saved;
  }

  savedSettings(): Settings {
    const parsed = settingsSchema.safeParse(this.stores.settings.all());
    // A damaged settings row must not brick the app: fall back to defaults for the whole object.
    return parsed.success ? parsed.data : settingsSchema.parse({});
  }

  updateSettings(patch: SettingsPatch): Settings {
    const next = settingsSchema.parse({ ...this.savedSettings(), ...patch });
    this.stores.settings.set(next);
    this.scheduler.refresh();
    return next;
  }

  apiBase(): string {
    return this.baseOverride || this.opts.apiBase || this.settings().apiBase;
  }

  /** Points this process at another service (the local simulator of "try without a key"); null restores. */
  setApiBaseOverride(base: string | null): void {
    this.baseOverride = base;
    this.scheduler.refresh();
  }

  apiKey(): string | null {
    if (typeof this.opts.apiKey === 'function') return this.opts.apiKey() || null;
    return this.key;
  }

  /** Only in memory here; the app persists it with safeStorage, the CLI reads it from the environment. */
  setApiKey(key: string | null): void {
    this.key = key && key.trim() ? key.trim() : null;
    this.scheduler.refresh();
  }

  client(): SkillsClient | null {
    const key = this.apiKey();
    if (!key) return null;
    const base = this.apiBase();
    const { workspace } = this.settings();
    const cached = this.clientCache;
    if (cached && cached.key === key && cached.base === base && cached.workspace === workspace)
      return cached.client;
    void cached?.client.close();
    const client = new SkillsClient({ baseUrl: base, apiKey: key, workspace });
    this.clientCache = { key, base, workspace, client };
    return client;
  }

  /** Checks the key and base URL with the cheapest call there is (the running list). */
  async testConnection(): Promise<{ ok: boolean; message: string }> {
    const client = this.client();
    if (!client)
      return { ok: false, message: 'No API key is set. Paste the key from your skills.video dashboard.' };
    try {
      const running = await client.running(1);
      return {
        ok: true,
        message: `Connected to ${this.apiBase()} (${running.length ? 'generations running' : 'nothing running'}).`,
      };
    } catch (err) {
      const msg = err instanceof ApiError ? err.message : String(err);
      return { ok: false, message: msg };
    }
  }

  // ── batches ────────────────────────────────────────────────────────────────────────────────────────

  creditsPerImage(model: Model = DEFAULT_MODEL): { value: number; learned: boolean } {
    const learned = this.stores.jobs.learnedCreditsPerImage(model);
    return learned ? { value: learned, learned: true } : { value: DEFAULT_CREDITS_PER_IMAGE, learned: false };
  }

  /** Expands and validates a batch without storing anything: the exact count and the estimate. */
  plan(input: BatchSpec, opts: { checkRefs?: boolean } = {}): { spec: ParsedBatchSpec; plan: BatchPlan } {
    const spec = batchSpecSchema.parse(input);
    const cpi = this.creditsPerImage(spec.model);
    const plan = planBatch(spec, {
      creditsPerImage: cpi.value,
      estimateIsLearned: cpi.learned,
      wildcards: this.wildcards.snapshot(),
      ...(this.opts.random ? { random: this.opts.random } : {}),
    });
    for (const job of opts.checkRefs === false ? [] : plan.jobs) {
      for (const sha of job.refHashes) {
        if (!this.stores.refs.get(sha))
          throw new StudioError(
            'REFERENCE',
            `Reference image ${sha.slice(0, 12)}… is not in the data folder; add it again.`,
          );
      }
    }
    return { spec, plan };
  }

  /** Stores the batch and all its jobs in one transaction and wakes the queue. */
  enqueue(input: BatchSpec): { batchId: number; plan: BatchPlan } {
    const { spec, plan } = this.plan(input);
    const batchId = this.stores.batches.create(spec, plan);
    this.log.info('batch enqueued', {
      batch: batchId,
      jobs: plan.jobs.length,
      estimate: plan.estimateCredits,
    });
    const b = this.batchSummary(batchId);
    if (b) this.emit('batch', b);
    this.scheduler.kick();
    return { batchId, plan };
  }

  /** Checks a reference image and keeps it content-addressed in the data folder; returns its token. */
  async addReference(
    source: string | { data: Buffer; fileName: string },
  ): Promise<{ token: string; ref: RefRecord }> {
    const file: ReferenceFile =
      typeof source === 'string'
        ? await loadReference(source)
        : await inspectReference(source.data, source.fileName);
    const path = await storeReference(join(this.dataDir, 'refs'), file);
    const ref = this.stores.refs.add({
      sha256: file.sha256,
      path,
      fileName: file.fileName,
      mime: file.mime,
      bytes: file.bytes,
      width: file.width,
      height: file.height,
    });
    return { token: `sha256:${file.sha256}`, ref };
  }

  // ── steering the queue ─────────────────────────────────────────────────────────────────────────────

  private changed(batchId: number): BatchSummary {
    const b = this.batchSummary(batchId);
    if (!b) throw new QueueOrderError(`There is no batch #${batchId}.`, 'NOT_FOUND');
    this.emit('batch', b);
    this.scheduler.kick();
    return b;
  }

  /** Moves a waiting batch to the top or bottom of the queue, or one place up or down. */
  moveBatch(batchId: number, move: Move): BatchSummary {
    this.queueOrder.move(batchId, move);
    return this.changed(batchId);
  }

  setBatchPriority(batchId: number, priority: Priority): BatchSummary {
    this.queueOrder.setPriority(batchId, priority);
    return this.changed(batchId);
  }

  /**
   * Raises, lowers or removes (null) a batch's credit budget; a batch paused at its budget continues when
   * the new one allows its next job.
   */
  setBudget(batchId: number, maxCredits: number | null): BatchSummary {
    const b = this.stores.batches.get(batchId);
    if (!b) throw new QueueOrderError(`There is no batch #${batchId}.`, 'NOT_FOUND');
    this.stores.db.prepare('UPDATE batches SET max_credits = ? WHERE id = ?').run(maxCredits, batchId);
    this.log.info('batch budget changed', { batch: batchId, from: b.maxCredits, to: maxCredits });
    if (b.status === 'paused' && b.pauseReason === 'budget') this.scheduler.resumeBatch(batchId);
    return this.changed(batchId);
  }

  /** Resumes a paused batch; one paused at its budget says what to do instead of pausing again at once. */
  resumeBatch(batchId: number): BatchSummary {
    const b = this.stores.batches.get(batchId);
    if (!b) throw new QueueOrderError(`There is no batch #${batchId}.`, 'NOT_FOUND');
    if (b.status === 'paused' && b.pauseReason === 'budget' && b.maxCredits !== null) {
      const cpi = this.stores.jobs.learnedCreditsPerImage(b.model) ?? b.creditsPerImage;
      const next = this.stores.jobs.inStates(['queued'], batchId)[0];
      const { committed } = this.stores.jobs.batchSpend(batchId, cpi);
      if (next && committed + next.numImages * cpi > b.maxCredits) {
        throw new QueueOrderError(
          `Batch #${batchId} stopped at its budget of ${b.maxCredits} credits (${Math.round(committed)} spent or ` +
            'in flight): raise or remove its budget to continue.',
        );
      }
    }
    this.scheduler.resumeBatch(batchId);
    return this.changed(batchId);
  }

  /** Edits a queued or paused job that was never sent (prompt and parameters). */
  editJob(jobId: number, edit: JobEdit): JobRecord {
    this.jobEditor.editQueued(jobId, edit);
    const j = this.stores.jobs.get(jobId) as JobRecord;
    this.emit('job', j);
    this.changed(j.batchId);
    return j;
  }

  /** The same parameter change on every not-yet-submitted job of a batch. */
  editBatchParams(batchId: number, edit: Omit<JobEdit, 'prompt'>): { edited: number; skipped: number } {
    const r = this.jobEditor.editBatch(batchId, edit);
    this.changed(batchId);
    return r;
  }

  /** Retries a failed or canceled job with other parameters (a new generation; the old one stays paid). */
  retryJobWith(jobId: number, edit: JobEdit): JobRecord {
    this.jobEditor.editFailed(jobId, edit);
    return this.scheduler.retryJob(jobId);
  }

  /** A new batch with the same spec and the same jobs (prompts, parameters, seeds), queued at the bottom. */
  duplicateBatch(batchId: number): BatchSummary {
    const b = this.stores.batches.get(batchId);
    if (!b) throw new QueueOrderError(`There is no batch #${batchId}.`, 'NOT_FOUND');
    const jobs = this.stores.jobs.list({ batchId, limit: 1_000_000 }).rows;
    const plan: BatchPlan = {
      jobs: jobs.map((j) => ({
        seq: j.seq,
        model: j.model,
        input: j.input,
        refHashes: j.refHashes,
        refPositions: j.refPositions,
        template: j.template,
        bindings: j.bindings,
        numImages: j.numImages,
        ...(j.origin !== null ? { origin: j.origin } : {}),
        ...(j.cell ? { cell: j.cell } : {}),
      })),
      images: jobs.reduce((n, j) => n + j.numImages, 0),
      estimateCredits: 0,
      creditsPerImage: b.creditsPerImage,
      estimateIsLearned: false,
    };
    const taken = new Set(this.stores.batches.list().map((x) => x.name));
    const name = uniqueName(`${b.name} copy`, (n) => taken.has(n));
    const id = this.stores.batches.create({ ...b.spec, name }, plan);
    this.log.info('batch duplicated', { from: batchId, batch: id, jobs: jobs.length });
    return this.changed(id);
  }

  // ── sweeps ─────────────────────────────────────────────────────────────────────────────────────────

  /** A sweep batch laid out as its grid: axes, groups and each job in its cell with its images. */
  sweepGrid(batchId: number): SweepGrid {
    return sweepGrid(this.stores.db, batchId);
  }

  /** One labelled PNG of a sweep (see library/contact-sheet.ts). */
  contactSheet(
    batchId: number,
    out: string,
    opts: { cellSize?: number; dark?: boolean } = {},
  ): Promise<SheetResult> {
    return renderContactSheet(this.sweepGrid(batchId), out, opts);
  }

  // ── library ────────────────────────────────────────────────────────────────────────────────────────

  /** A cached WebP thumbnail of an asset, made on demand (off the main thread, in libvips' pool). */
  async thumbnailFor(assetId: number, size?: number): Promise<string | null> {
    const a = this.stores.assets.get(assetId);
    if (!a) return null;
    const sha = a.fileSha256 ?? a.sha256;
    const file = storedFile(this.dataDir, a.path);
    if (!file) return null;
    try {
      return await ensureThumbnail(file, sha, join(this.dataDir, 'thumbs'), size);
    } catch (err) {
      this.log.warn('thumbnail failed', { asset: assetId, err });
      return null;
    }
  }

  /** The originals of a selection plus metadata.csv/jsonl, to a folder or a .zip. */
  async exportAssets(
    sel: Selection,
    out: string,
    opts: { onProgress?: (p: ExportProgress) => void; signal?: AbortSignal } = {},
  ): Promise<ExportResult> {
    const batchNames = new Map(this.stores.batches.list().map((b) => [b.id, b.name]));
    const items = this.library.resolve(sel).flatMap((id) => {
      const a = this.library.get(id);
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
    const readable = items.flatMap((i) => {
      const file = storedFile(this.dataDir, i.path);
      return file ? [{ ...i, path: file }] : [];
    });
    const refused = items.filter((i) => !storedFile(this.dataDir, i.path)).map((i) => i.path);
    const r = await exportItems({ items: readable, out, ...opts });
    return { ...r, missing: [...refused, ...r.missing] };
  }

  /** Brings a folder of images into the library (duplicates by content skipped). */
  async importFolder(
    folder: string,
    opts: { onProgress?: (p: ImportProgress) => void; signal?: AbortSignal } = {},
  ): Promise<ImportReport> {
    const report = await importFolder(folder, {
      db: this.stores.db,
      assets: this.stores.assets,
      libraryDir: join(this.dataDir, 'library'),
      onAsset: (id) => {
        const a = this.stores.assets.get(id);
        if (a) this.emit('asset', a);
      },
      ...opts,
    });
    this.log.info('folder imported', { folder, imported: report.imported, duplicates: report.duplicates });
    this.maintainLibrary(true);
    return report;
  }

  /**
   * Merges the search index's small segments (left by downloads, imports and bulk edits) while nothing else
   * is happening, at most every ten minutes unless a large change asks for it.
   */
  private maintainLibrary(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastMaintenance < 10 * 60_000) return;
    this.lastMaintenance = now;
    try {
      this.library.maintain();
    } catch (err) {
      // A full or failing disk pauses the queue (reason "disk"); anything else only costs search speed.
      if (!this.scheduler.storageFault(err, 'index maintenance'))
        this.log.warn('library maintenance failed', { err });
    }
  }

  /** The day's rolling backup of the catalog, taken while the queue is idle (only by the queue's runner). */
  private backupIfDue(): void {
    if (this.backupTask) return;
    this.backupTask = backupIfDue(this.stores.db, this.dataDir)
      .then((b) => {
        if (b) this.log.info('catalog backed up', { path: b.path, bytes: b.bytes });
      })
      .catch((err: unknown) => this.log.warn('catalog backup failed', { err }))
      .finally(() => (this.backupTask = null));
  }

  /** A backup of the catalog now, in `<data-dir>/backups/` (the newest seven are kept). */
  backupCatalog(): Promise<BackupInfo> {
    return backupCatalog(this.stores.db, this.dataDir);
  }

  /**
   * True when the catalog lists nothing while the library folder holds images: a lost or emptied studio.db
   * that `rebuildCatalog` can bring back.
   */
  async catalogNeedsRebuild(): Promise<boolean> {
    return catalogIsEmpty(this.stores.db) && (await hasImages(join(this.dataDir, 'library')));
  }

  /**
   * Rebuilds an empty catalog from the records inside the library's images. Holds the data folder (as the
   * queue's runner does) so no other process runs the queue meanwhile.
   */
  async rebuildCatalog(
    opts: { onProgress?: (p: RebuildProgress) => void; signal?: AbortSignal } = {},
  ): Promise<RebuildReport> {
    const rebuild = () =>
      rebuildCatalog({ db: this.stores.db, assets: this.stores.assets, dataDir: this.dataDir, ...opts });
    const report = this.scheduler.isRunning ? await rebuild() : await withFolderLocked(this.dataDir, rebuild);
    this.log.info('catalog rebuilt from the images', { ...report, skipped: report.skipped.length });
    for (const b of this.stores.batches.list()) {
      const summary = this.batchSummary(b.id);
      if (summary) this.emit('batch', summary);
    }
    this.maintainLibrary(true);
    return report;
  }

  trash(sel: Selection): Promise<TrashReceipt> {
    return this.library.trash(sel, this.opts.trashMover ?? moveToTrashFolder);
  }

  undoTrash(token: number): Promise<UndoReport> {
    return this.library.undo(token);
  }

  // ── reporting ──────────────────────────────────────────────────────────────────────────────────────

  batchSummary(id: number): BatchSummary | null {
    const b = this.stores.batches.get(id);
    if (!b) return null;
    return this.summarize(b, this.stores.jobs.counts(id), this.stores.jobs.batchStats(id).get(id), new Map());
  }

  batchSummaries(): BatchSummary[] {
    const counts = this.stores.jobs.countsByBatch();
    const stats = this.stores.jobs.batchStats();
    const cpiByModel = new Map<Model, number | null>();
    // Waiting batches first, in the order they run; then the finished ones, newest first.
    const place = new Map(this.queueOrder.upcoming().map((b, i) => [b.id, i]));
    return this.stores.batches
      .list()
      .map((b) => this.summarize(b, counts.get(b.id) ?? emptyCounts(), stats.get(b.id), cpiByModel))
      .sort((a, b) => (place.get(a.id) ?? Infinity) - (place.get(b.id) ?? Infinity) || b.id - a.id);
  }

  private summarize(
    b: NonNullable<ReturnType<Stores['batches']['get']>>,
    counts: Record<JobState, number>,
    stats: BatchStats | undefined,
    cpiByModel: Map<Model, number | null>,
  ): BatchSummary {
    if (!cpiByModel.has(b.model)) cpiByModel.set(b.model, this.stores.jobs.learnedCreditsPerImage(b.model));
    const cpi = cpiByModel.get(b.model) ?? b.creditsPerImage;
    const spent = stats?.spent ?? 0;
    const remaining = counts.queued + counts.submitting + counts.running + counts.downloading;
    let etaSeconds: number | null = null;
    if (remaining === 0) etaSeconds = 0;
    else if (
      stats &&
      stats.done >= 2 &&
      stats.firstSubmitted !== null &&
      stats.lastCompleted !== null &&
      stats.lastCompleted > stats.firstSubmitted
    ) {
      etaSeconds = Math.round((remaining * (stats.lastCompleted - stats.firstSubmitted)) / stats.done / 1000);
    }
    return {
      id: b.id,
      name: b.name,
      model: b.model,
      status: b.status,
      pauseReason: b.pauseReason,
      createdAt: b.createdAt,
      total: b.totalJobs,
      counts,
      images: b.totalImages,
      creditsSpent: spent,
      creditsEstimate: Math.round(b.totalImages * cpi),
      maxCredits: b.maxCredits,
      priority: b.priority,
      sweep: b.spec.sweep ?? [],
      etaSeconds,
    };
  }

  queueStatus(): QueueStatus {
    return this.scheduler.status();
  }

  totals(): { counts: Record<JobState, number>; creditsSpent: number; assets: number } {
    const credits = this.stores.db.prepare('SELECT COALESCE(SUM(credits), 0) AS c FROM jobs').get() as {
      c: number;
    };
    return { counts: this.stores.jobs.counts(), creditsSpent: credits.c, assets: this.stores.assets.count() };
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────

  /** Starts the queue runner (takes the data folder's lease). */
  start(opts: { waitMs?: number } = {}): { previousCrashed: boolean } {
    return this.scheduler.start(opts);
  }

  /**
   * While another process runs the folder's queue, batches enqueued here are run by it. This keeps trying
   * to take the folder over (every `intervalMs`) so that, once that process exits, this one runs the
   * queue — nothing queued from here is stranded. Calls `onStarted` once it runs; the returned function
   * stops trying (close() stops it too).
   */
  startWhenFree(onStarted: (r: { previousCrashed: boolean }) => void, intervalMs = 2_000): () => void {
    const timer = setInterval(() => {
      try {
        const r = this.start({ waitMs: 0 });
        stop();
        this.log.info('the other Qwen Studio left: running the queue here', r);
        onStarted(r);
      } catch (err) {
        if (err instanceof LeaseBusyError) return;
        stop();
        this.log.warn('the queue could not start', { err });
      }
    }, intervalMs);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      this.startTries.delete(stop);
    };
    this.startTries.add(stop);
    return stop;
  }

  /** Resolves once nothing is in flight and nothing more will start by itself. */
  whenSettled(): Promise<void> {
    return new Promise((resolve) => {
      if (this.scheduler.isSettled()) return resolve();
      const check = () => {
        if (!this.scheduler.isSettled()) return;
        this.off('settled', check);
        resolve();
      };
      this.on('settled', check);
    });
  }

  async close(): Promise<void> {
    for (const stop of [...this.startTries]) stop();
    await this.scheduler.stop();
    await this.backupTask;
    await this.clientCache?.client.close();
    this.clientCache = null;
    this.log.close();
    this.stores.db.close();
  }
}
