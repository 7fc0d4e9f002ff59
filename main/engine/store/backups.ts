// Copies of the catalog (studio.db) taken with SQLite's online backup, so a damaged or lost catalog is one
// command away from yesterday's state: rolling (the newest BACKUPS_KEPT kept), at most one a day when the
// queue is idle, or on demand. Restoring never deletes the file it replaces: it is kept aside.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { LeaseBusyError, RUNNER_LOCK_FILE, RunnerLock, readLease, type LeaseHolder } from './runner-lock.ts';
import { CatalogDamagedError, isCorruptionError, migrationChecksum, type DB } from './db.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { StudioError } from '../errors.ts';

export const CATALOG_FILE = 'studio.db';
export const BACKUP_DIR = 'backups';
export const BACKUPS_KEPT = 7;
export const BACKUP_EVERY_MS = 24 * 60 * 60_000;

const NAME = /^studio-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.db$/;
const PARTIAL = '.partial';

export interface BackupInfo {
  path: string;
  takenAt: number;
  bytes: number;
}

/** A plain failure of a backup or restore, said in a sentence (no stack). */
export class CatalogBackupError extends StudioError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CATALOG_BACKUP', message, options);
    this.name = 'CatalogBackupError';
  }
}

export function catalogPath(dataDir: string): string {
  return join(dataDir, CATALOG_FILE);
}

function stamp(t: number): string {
  return new Date(t).toISOString().replace(/[:.]/g, '-');
}

function parseStamp(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/.exec(s);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : NaN;
}

/** The backups in `<dataDir>/backups/`, newest first. */
export function listBackups(dataDir: string): BackupInfo[] {
  const dir = join(dataDir, BACKUP_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const m = NAME.exec(name);
      if (!m) return [];
      const path = join(dir, name);
      return [{ path, takenAt: parseStamp(m[1]!), bytes: statSync(path).size }];
    })
    .sort((a, b) => b.takenAt - a.takenAt);
}

/**
 * Copies the open catalog with SQLite's online backup (consistent even while the queue writes), under a
 * temporary name renamed into place, then keeps only the newest BACKUPS_KEPT.
 */
export async function backupCatalog(db: DB, dataDir: string, now = Date.now()): Promise<BackupInfo> {
  const dir = join(dataDir, BACKUP_DIR);
  mkdirSync(dir, { recursive: true });
  // A backup cut short by a crash leaves its temporary file: nothing else writes here.
  for (const name of readdirSync(dir)) if (name.endsWith(PARTIAL)) rmSync(join(dir, name), { force: true });
  const path = join(dir, `studio-${stamp(now)}.db`);
  const temp = `${path}${PARTIAL}`;
  try {
    await db.backup(temp);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CatalogBackupError(
      `Could not back up the catalog to ${dir}: ${(err as Error).message}. Check the free space and ` +
        `permissions of that folder.`,
      { cause: err },
    );
  }
  for (const old of listBackups(dataDir).slice(BACKUPS_KEPT)) rmSync(old.path, { force: true });
  return { path, takenAt: now, bytes: statSync(path).size };
}

/** Takes the day's backup unless the newest one is less than a day old. */
export async function backupIfDue(db: DB, dataDir: string, now = Date.now()): Promise<BackupInfo | null> {
  const newest = listBackups(dataDir)[0];
  if (newest && now - newest.takenAt < BACKUP_EVERY_MS) return null;
  return backupCatalog(db, dataDir, now);
}

export type CatalogVerdict = 'ok' | 'missing' | 'damaged' | 'newer' | 'upgrade';

export interface CatalogCheck {
  path: string;
  verdict: CatalogVerdict;
  /** One sentence per finding, for a person. */
  lines: string[];
}

/** `PRAGMA integrity_check` plus the schema version and the applied migrations' checksums. */
export function checkCatalog(path: string): CatalogCheck {
  if (!existsSync(path))
    return {
      path,
      verdict: 'missing',
      lines: [
        `There is no catalog at ${path}. It is created on the next start; if this folder's library/ holds ` +
          `images, \`qwen-studio library rebuild\` brings their records back.`,
      ],
    };
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map(
      (r) => r.integrity_check,
    );
    if (problems.length !== 1 || problems[0] !== 'ok') {
      const damaged = new CatalogDamagedError(path);
      return {
        path,
        verdict: 'damaged',
        lines: [...problems.slice(0, 10).map((p) => `integrity_check: ${p}`), damaged.message],
      };
    }
    const latest = MIGRATIONS.at(-1)?.version ?? 0;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > latest)
      return {
        path,
        verdict: 'newer',
        lines: [
          `Integrity: ok. Schema ${version} was written by a newer Qwen Studio (this build knows up to ${latest}); update Qwen Studio.`,
        ],
      };
    const applied = new Map(
      (
        db.prepare('SELECT version, checksum FROM schema_migrations').all() as {
          version: number;
          checksum: string;
        }[]
      ).map((r) => [r.version, r.checksum]),
    );
    const changed = MIGRATIONS.filter(
      (m) => applied.has(m.version) && applied.get(m.version) !== migrationChecksum(m),
    );
    if (changed.length > 0)
      return {
        path,
        verdict: 'damaged',
        lines: [
          `Integrity: ok, but migration ${changed.map((m) => m.version).join(', ')} applied here differs from this build's.`,
        ],
      };
    const size = statSync(path).size;
    return {
      path,
      verdict: version < latest ? 'upgrade' : 'ok',
      lines: [
        `Integrity: ok (${(size / 1024 / 1024).toFixed(1)} MB).`,
        version < latest
          ? `Schema ${version}; this build upgrades it to ${latest} on the next start (migrations verified).`
          : `Schema ${version} of ${latest}; every migration verified.`,
      ],
    };
  } catch (err) {
    if (!isCorruptionError(err)) throw err;
    return { path, verdict: 'damaged', lines: [new CatalogDamagedError(path, { cause: err }).message] };
  } finally {
    db?.close();
  }
}

/**
 * Moves the catalog (and its WAL files) aside as `studio.db.damaged-<time>`: never deleted, so nothing a
 * restore or a rebuild replaces is lost. Returns the new path, or null when there was no catalog.
 */
export function setCatalogAside(dataDir: string, now = Date.now()): string | null {
  const path = catalogPath(dataDir);
  if (!existsSync(path)) return null;
  const aside = `${path}.damaged-${stamp(now)}`;
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${aside}${suffix}`);
  }
  renameSync(path, aside);
  return aside;
}

/**
 * Runs `work` holding the data folder's runner lock, so no queue runner opens or writes the catalog while
 * it is replaced. Refuses (LeaseBusyError) while another process holds the folder.
 */
export async function withFolderLocked<T>(dataDir: string, work: () => T | Promise<T>): Promise<T> {
  const lock = RunnerLock.tryAcquire(join(dataDir, RUNNER_LOCK_FILE));
  if (!lock) throw new LeaseBusyError(dataDir, holderOf(dataDir));
  try {
    return await work();
  } finally {
    lock.release();
  }
}

/** Who the catalog says holds the folder, when the catalog can say (it may be the damaged file). */
function holderOf(dataDir: string): LeaseHolder | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(catalogPath(dataDir), { readonly: true, fileMustExist: true });
    const lease = readLease(db);
    return lease && !lease.released ? lease.holder : null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

export interface RestoreReport {
  from: string;
  keptAside: string | null;
}

/** Puts a backup (default: the newest) in place of the catalog, keeping the current one aside. */
export async function restoreCatalog(dataDir: string, from?: string): Promise<RestoreReport> {
  const source = from ?? listBackups(dataDir)[0]?.path;
  if (!source)
    throw new CatalogBackupError(
      `No backup found in ${join(dataDir, BACKUP_DIR)}. Name one with \`qwen-studio db restore <file>\`, or ` +
        `rebuild the catalog from the images with \`qwen-studio library rebuild\`.`,
    );
  if (!existsSync(source)) throw new CatalogBackupError(`${source} was not found — check the path.`);
  const verdict = checkCatalog(source);
  if (verdict.verdict !== 'ok' && verdict.verdict !== 'upgrade')
    throw new CatalogBackupError(
      `The backup ${source} cannot be used (${verdict.verdict}). Pick an older one from ` +
        `${join(dataDir, BACKUP_DIR)} with \`qwen-studio db restore <file>\`.`,
    );
  return withFolderLocked(dataDir, () => {
    const target = catalogPath(dataDir);
    const temp = join(dataDir, `.${basename(target)}.restoring${PARTIAL}`);
    copyFileSync(source, temp);
    const keptAside = setCatalogAside(dataDir);
    renameSync(temp, target);
    return { from: source, keptAside };
  });
}
