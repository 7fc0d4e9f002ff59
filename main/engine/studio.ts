// The composition root: one data folder → one database, one logger, one API client, one scheduler, and the
// per-domain services that are the only way in. The CLI, the browser bridge and the Electron shell all drive
// the engine through these services (`studio.batches`, `studio.library`, …); the stores, the scheduler and
// the library stay private (tests reach them through internals.ts).
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { JobEditor } from './batch/job-edit.ts';
import { Wildcards } from './batch/wildcards.ts';
import { makeCatalogPrivate, makeDataDirPrivate } from './files/private-modes.ts';
import { registerInternals } from './internals.ts';
import { Library } from './library/library.ts';
import { createLogger, type Logger } from './log.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { BatchService } from './services/batches.ts';
import { CatalogService } from './services/catalog.ts';
import { CollectionService, SavedSearchService } from './services/collections.ts';
import type { StudioEvents } from './services/events.ts';
import { JobService } from './services/jobs.ts';
import { LibraryService } from './services/library.ts';
import { QueueService } from './services/queue.ts';
import { Ranking } from './services/ranking.ts';
import { ReferenceService } from './services/refs.ts';
import { SettingsService, type SettingsOptions } from './services/settings.ts';
import { TaskRegistry } from './services/tasks.ts';
import type { FileMover } from './library/trash.ts';
import { PresetStore } from './store/presets.ts';
import { LeaseBusyError } from './store/runner-lock.ts';
import { openStores } from './store/stores.ts';

export { DEFAULT_CREDITS_PER_IMAGE } from './services/batches.ts';
export type { StudioEvents } from './services/events.ts';

export const APP_NAME = 'Qwen Studio';

/** The folder Electron's `app.getPath('userData')` gives "Qwen Studio", so the CLI and the app share it. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.QWEN_STUDIO_DATA_DIR) return env.QWEN_STUDIO_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

export interface StudioOptions extends Omit<SettingsOptions, 'onChange'> {
  dataDir: string;
  /** How deleted images leave the library: the app passes the OS trash; default a trash folder. */
  trashMover?: FileMover;
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

export class Studio extends EventEmitter<StudioEvents> {
  readonly dataDir: string;
  readonly log: Logger;
  readonly settings: SettingsService;
  readonly batches: BatchService;
  readonly jobs: JobService;
  readonly queue: QueueService;
  readonly library: LibraryService;
  readonly collections: CollectionService;
  readonly searches: SavedSearchService;
  readonly refs: ReferenceService;
  readonly catalog: CatalogService;
  /** "Pick the best": pairwise choices and the Elo score per image. */
  readonly ranking: Ranking;
  /** Named parameter sets (Compose and `run --preset`). */
  readonly presets: PresetStore;
  /** `<data-dir>/wildcards/`: the files `__name__` in a template reads. */
  readonly wildcards: Wildcards;
  /** Long operations (export, import, rebuild) with progress and cancel. */
  readonly tasks = new TaskRegistry();
  private readonly scheduler: Scheduler;
  private readonly closeCatalog: () => void;
  /** Pending startWhenFree tries, stopped by close(). */
  private readonly startTries = new Set<() => void>();

  constructor(opts: StudioOptions) {
    super();
    this.dataDir = opts.dataDir;
    makeDataDirPrivate(this.dataDir);
    for (const sub of ['library', 'refs', 'logs']) mkdirSync(join(this.dataDir, sub), { recursive: true });
    const stores = openStores(join(this.dataDir, 'studio.db'));
    makeCatalogPrivate(this.dataDir);
    this.closeCatalog = () => stores.db.close();
    const settings = new SettingsService(stores.settings, {
      ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
      ...(opts.apiBase !== undefined ? { apiBase: opts.apiBase } : {}),
      ...(opts.overrides ? { overrides: opts.overrides } : {}),
      onChange: () => this.scheduler.refresh(),
    });
    this.settings = settings;
    const log = createLogger({
      dir: join(this.dataDir, 'logs'),
      secrets: () => {
        const k = settings.apiKey();
        return k ? [k] : [];
      },
      ...(opts.logEcho ? { echo: opts.logEcho } : {}),
    });
    this.log = log;
    const library = new Library(stores.db, this.dataDir);
    const scheduler = new Scheduler({
      stores,
      dataDir: this.dataDir,
      getClient: () => settings.client(),
      settings: () => settings.get(),
      log,
      ...opts.scheduler,
    });
    this.scheduler = scheduler;
    registerInternals(this, { stores, scheduler, library });

    const jobEditor = new JobEditor(stores.db);
    const tasks = this.tasks;
    this.wildcards = new Wildcards(join(this.dataDir, 'wildcards'));
    this.presets = new PresetStore(stores.db);
    this.batches = new BatchService({
      stores,
      scheduler,
      log,
      events: this,
      wildcards: this.wildcards,
      jobEditor,
      ...(opts.random ? { random: opts.random } : {}),
    });
    this.jobs = new JobService({ stores, scheduler, events: this, jobEditor, batches: this.batches });
    this.queue = new QueueService(stores, scheduler);
    this.catalog = new CatalogService({
      dataDir: this.dataDir,
      stores,
      library,
      scheduler,
      log,
      tasks,
      batches: this.batches,
    });
    this.library = new LibraryService({
      dataDir: this.dataDir,
      stores,
      library,
      scheduler,
      log,
      events: this,
      tasks,
      ...(opts.trashMover ? { trashMover: opts.trashMover } : {}),
      maintain: (force) => this.catalog.maintain(force),
    });
    this.collections = new CollectionService(library, this.library);
    this.searches = new SavedSearchService(library);
    this.refs = new ReferenceService(this.dataDir, stores);
    this.ranking = new Ranking(library);

    scheduler.on('job', (j) => this.emit('job', j));
    scheduler.on('queue', (q) => this.emit('queue', q));
    scheduler.on('asset', (a) => this.emit('asset', a));
    scheduler.on('settled', () => {
      this.catalog.maintain();
      this.catalog.backupIfDue();
      this.emit('settled');
    });
    scheduler.on('batch', (id) => {
      const b = this.batches.find(id);
      if (b) this.emit('batch', b);
    });
    this.on('job', (j) => {
      if (this.listenerCount('batch') === 0) return;
      const b = this.batches.find(j.batchId);
      if (b) this.emit('batch', b);
    });
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
    this.tasks.cancelAll();
    await this.scheduler.stop();
    await this.catalog.idle();
    await this.settings.close();
    this.log.close();
    this.closeCatalog();
  }
}
