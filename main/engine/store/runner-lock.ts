// The data folder's runner lock: a small SQLite file (`runner.lock`) opened in exclusive locking mode and
// held for the life of the process. SQLite locks it with the operating system's own file locks (fcntl on
// Linux and macOS, LockFileEx on Windows), which the kernel drops the moment the holder's process dies —
// by kill -9, a crash or a power cut, zombie or not. So "is the holder alive?" is never guessed from a pid
// or a heartbeat: whoever can take the lock is the only runner.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StudioError } from '../errors.ts';

export const RUNNER_LOCK_FILE = 'runner.lock';

/** Who the catalog's lease row says runs the folder's queue. */
export interface LeaseHolder {
  owner: string;
  pid: number;
  host: string;
  acquiredAt: number;
}

/** The catalog's lease row: who took the folder last, and whether it let go cleanly. */
export function readLease(db: Database.Database): { holder: LeaseHolder; released: boolean } | null {
  const row = db
    .prepare('SELECT owner, pid, host, acquired_at, released FROM runner_lease WHERE id = 1')
    .get() as { owner: string; pid: number; host: string; acquired_at: number; released: number } | undefined;
  if (!row) return null;
  return {
    holder: { owner: row.owner, pid: row.pid, host: row.host, acquiredAt: row.acquired_at },
    released: row.released !== 0,
  };
}

/** Another live process runs this data folder's queue (the app, or another command line). */
export class LeaseBusyError extends StudioError {
  readonly holder: LeaseHolder | null;
  constructor(dataDir: string, holder: LeaseHolder | null) {
    const who = holder ? ` (process ${holder.pid} on ${holder.host})` : '';
    super(
      'LEASE_BUSY',
      `Another Qwen Studio${who} is running the queue of ${dataDir}. ` +
        `Close it first, or use another --data-dir.`,
    );
    this.name = 'LeaseBusyError';
    this.holder = holder;
  }
}

const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

export class RunnerLock {
  /**
   * Every lock this process holds. A lock lasts until it is released or its process dies: were its holder
   * to drop the last reference, the garbage collector would close the connection, and the kernel would
   * hand the folder to another runner while this one still runs it.
   */
  private static readonly held = new Set<RunnerLock>();
  private db: Database.Database | null;
  readonly path: string;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
  }

  /**
   * Takes the lock, waiting up to `waitMs` for a holder that is going away (a process being killed still
   * holds its locks for the few milliseconds the kernel takes to tear it down). Null while another
   * process — or another connection in this one — holds it.
   */
  static tryAcquire(path: string, waitMs = 0): RunnerLock | null {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout: waitMs });
    try {
      // The journal in memory keeps the lock to one file; the file holds no data worth a journal.
      db.pragma('journal_mode = MEMORY');
      db.pragma('locking_mode = EXCLUSIVE');
      // In exclusive locking mode the lock a write transaction takes is kept after it ends, until close.
      db.exec('BEGIN EXCLUSIVE');
      db.exec('COMMIT');
      const lock = new RunnerLock(path, db);
      RunnerLock.held.add(lock);
      return lock;
    } catch (err) {
      db.close();
      if (BUSY_CODES.has((err as { code?: string }).code ?? '')) return null;
      throw err;
    }
  }

  get held(): boolean {
    return this.db !== null;
  }

  release(): void {
    this.db?.close();
    this.db = null;
    RunnerLock.held.delete(this);
  }
}
