import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.ts';
import { registerSearchFunctions } from '../search/search-text.ts';
import { StudioError } from '../errors.ts';

export type DB = Database.Database;

export class DatabaseVersionError extends StudioError {
  readonly found: number;
  readonly supported: number;
  constructor(path: string, found: number, supported: number) {
    super(
      'DATABASE_VERSION',
      `The library database ${path} was written by a newer Qwen Studio (schema ${found}; this build knows ` +
        `up to ${supported}). It was not changed. Update Qwen Studio, or point --data-dir at another folder.`,
    );
    this.name = 'DatabaseVersionError';
    this.found = found;
    this.supported = supported;
  }
}

export class MigrationChecksumError extends StudioError {
  constructor(path: string, m: Migration) {
    super(
      'DATABASE_VERSION',
      `Migration ${m.version} (${m.name}) applied to ${path} differs from the one in this build. ` +
        `The database was not changed; this build is inconsistent with the data folder.`,
    );
    this.name = 'MigrationChecksumError';
  }
}

/**
 * The catalog file is not a usable SQLite database (truncated, overwritten, damaged on disk). The images in
 * the library are untouched; the catalog comes back from a backup or from the records inside the images.
 */
export class CatalogDamagedError extends StudioError {
  readonly path: string;
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      'CATALOG_DAMAGED',
      `The library database ${path} is damaged (${describeDamage(options?.cause)}); Qwen Studio did not change ` +
        `it. Your images are safe. Restore the latest automatic backup with \`qwen-studio db restore\`, or ` +
        `rebuild the catalog from the records inside the images with \`qwen-studio library rebuild\`; ` +
        `either way the damaged file is kept aside, never deleted.`,
      options,
    );
    this.name = 'CatalogDamagedError';
    this.path = path;
  }
}

function describeDamage(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_NOTADB') return 'it is not a database file';
  return 'SQLite reports the file as malformed';
}

/** True for SQLite's "this file is damaged" errors (not for busy, full or I/O errors). */
export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

export function migrationChecksum(m: Migration): string {
  return createHash('sha256').update(m.sql).digest('hex');
}

export interface OpenOptions {
  readonly?: boolean;
  /** Only for tests of the migration machinery. */
  migrations?: readonly Migration[];
}

/**
 * The migrations an existing catalog still needs before it opens (none for a new one, made in an instant),
 * so a front door can say that a one-time update is under way before it blocks on it. Reads, never writes.
 */
export function pendingMigrations(path: string): Migration[] {
  if (!existsSync(path)) return [];
  let db: DB | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const current = db.pragma('user_version', { simple: true }) as number;
    return current === 0 ? [] : MIGRATIONS.filter((m) => m.version > current);
  } catch {
    // Damaged or locked: opening it says what is wrong, with its own message.
    return [];
  } finally {
    db?.close();
  }
}

export function openDatabase(path: string, opts: OpenOptions = {}): DB {
  const migrations = opts.migrations ?? MIGRATIONS;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false, timeout: 10_000 });
  try {
    if (!opts.readonly) {
      // WAL lets the UI read while the scheduler writes; FULL makes every committed state change (a remote
      // id above all) survive a power cut, which is the promise we make. The volume is a few rows a second.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    // The library's search triggers call these (migration 002); a connection without them cannot write assets.
    registerSearchFunctions(db);
    migrate(db, path, migrations);
    return db;
  } catch (err) {
    db.close();
    if (isCorruptionError(err)) throw new CatalogDamagedError(path, { cause: err });
    throw err;
  }
}

function migrate(db: DB, path: string, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  // Refuse before touching anything: an older build must never "repair" a newer schema.
  if (current > latest) throw new DatabaseVersionError(path, current, latest);

  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Map(
    (
      db.prepare('SELECT version, checksum FROM schema_migrations').all() as {
        version: number;
        checksum: string;
      }[]
    ).map((r) => [r.version, r.checksum]),
  );
  for (const m of migrations) {
    const sum = applied.get(m.version);
    if (sum !== undefined && sum !== migrationChecksum(m)) throw new MigrationChecksumError(path, m);
  }
  const pending = migrations.filter((m) => m.version > current);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare(
        'INSERT OR REPLACE INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
      ).run(m.version, m.name, migrationChecksum(m), Date.now());
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
