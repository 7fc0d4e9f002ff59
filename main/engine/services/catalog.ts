// The catalog itself (studio.db): its daily backups, its index maintenance, and rebuilding it from the
// records inside the images when it was lost or emptied.
import { join } from 'node:path';
import type { TaskInfo } from '../../../shared/contract.ts';
import type { Library } from '../library/library.ts';
import {
  catalogIsEmpty,
  hasImages,
  rebuildCatalog,
  type RebuildProgress,
  type RebuildReport,
} from '../library/rebuild.ts';
import type { Logger } from '../log.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import {
  backupCatalog,
  backupIfDue,
  catalogPath,
  withFolderLocked,
  type BackupInfo,
} from '../store/backups.ts';
import { pendingMigrations } from '../store/db.ts';
import type { Stores } from '../store/stores.ts';
import type { BatchService } from './batches.ts';
import type { TaskRegistry } from './tasks.ts';
import { plural } from '../../../shared/plural.ts';

// What the CLI's `db` commands use when the catalog may be too damaged to open a Studio.
export {
  catalogPath,
  checkCatalog,
  listBackups,
  restoreCatalog,
  setCatalogAside,
  withFolderLocked,
} from '../store/backups.ts';
export {
  CatalogDamagedError,
  DatabaseVersionError,
  MigrationChecksumError,
  isCorruptionError,
} from '../store/db.ts';

/**
 * What a front door says before it opens a catalog that needs updating to this version (null when none
 * does): the update runs once, and on a large library takes long enough to look like a hang.
 */
export function catalogUpdateNotice(dataDir: string): string | null {
  if (pendingMigrations(catalogPath(dataDir)).length === 0) return null;
  return (
    'Updating the library to this version of Qwen Studio. This happens once; ' +
    'a library of a million images takes about a minute.'
  );
}

export interface CatalogDeps {
  dataDir: string;
  stores: Stores;
  library: Library;
  scheduler: Scheduler;
  log: Logger;
  tasks: TaskRegistry;
  batches: BatchService;
}

/** Index maintenance runs at most this often, unless a large change asks for it. */
const MAINTENANCE_EVERY_MS = 10 * 60_000;

export class CatalogService {
  private lastMaintenance = 0;
  private backupTask: Promise<void> | null = null;

  private readonly d: CatalogDeps;

  constructor(d: CatalogDeps) {
    this.d = d;
  }

  /** A backup of the catalog now, in `<data-dir>/backups/` (the newest seven are kept). */
  backup(): Promise<BackupInfo> {
    return backupCatalog(this.d.stores.db, this.d.dataDir);
  }

  /** The day's rolling backup, taken while the queue is idle (only by the queue's runner). */
  backupIfDue(): void {
    if (this.backupTask) return;
    this.backupTask = backupIfDue(this.d.stores.db, this.d.dataDir)
      .then((b) => {
        if (b) this.d.log.info('catalog backed up', { path: b.path, bytes: b.bytes });
      })
      .catch((err: unknown) => this.d.log.warn('catalog backup failed', { err }))
      .finally(() => (this.backupTask = null));
  }

  /** Resolves once a backup in progress has ended (before the catalog closes). */
  async idle(): Promise<void> {
    await this.backupTask;
  }

  /**
   * Merges the search index's small segments (left by downloads, imports and bulk edits) while nothing else
   * is happening, at most every ten minutes unless a large change asks for it.
   */
  maintain(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastMaintenance < MAINTENANCE_EVERY_MS) return;
    this.lastMaintenance = now;
    try {
      this.d.library.maintain();
    } catch (err) {
      // A full or failing disk pauses the queue (reason "disk"); anything else only costs search speed.
      if (!this.d.scheduler.storageFault(err, 'index maintenance'))
        this.d.log.warn('library maintenance failed', { err });
    }
  }

  /**
   * True when the catalog lists nothing while the library folder holds images: a lost or emptied studio.db
   * that `rebuild` can bring back.
   */
  async needsRebuild(): Promise<boolean> {
    return catalogIsEmpty(this.d.stores.db) && (await hasImages(join(this.d.dataDir, 'library')));
  }

  /**
   * Rebuilds an empty catalog from the records inside the library's images. Holds the data folder (as the
   * queue's runner does) so no other process runs the queue meanwhile.
   */
  async rebuild(
    opts: { onProgress?: (p: RebuildProgress) => void; signal?: AbortSignal } = {},
  ): Promise<RebuildReport> {
    const { stores, dataDir } = this.d;
    const run = () => rebuildCatalog({ db: stores.db, assets: stores.assets, dataDir, ...opts });
    const report = this.d.scheduler.isRunning ? await run() : await withFolderLocked(dataDir, run);
    this.d.log.info('catalog rebuilt from the images', { ...report, skipped: report.skipped.length });
    for (const b of stores.batches.list()) this.d.batches.changed(b.id);
    this.maintain(true);
    return report;
  }

  /** Starts a rebuild as a background task. */
  startRebuild(): TaskInfo {
    return this.d.tasks.start('rebuild', 'Reading the records inside the images…', async (t) => {
      const r = await this.rebuild({
        signal: t.signal,
        onProgress: (p) => t.progress(p.done, p.total, `Read ${p.done} of ${plural(p.total, 'image')}`),
      });
      const canceled = t.signal.aborted;
      return {
        result: { ...r, skipped: r.skipped.slice(0, 200) },
        message: canceled
          ? 'Rebuild canceled: nothing was added to the catalog.'
          : `${plural(r.generated + r.imported, 'image')} back in the library: ${plural(r.batches, 'batch', 'batches')}, ` +
            `${plural(r.jobs, 'finished job')}, ${Math.round(r.credits)} credits. Tags, ratings and ` +
            `collections are kept only in the catalog and its backups.`,
        canceled,
      };
    });
  }
}
