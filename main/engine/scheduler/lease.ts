// One runner per data folder: the app and the CLI may share a folder, but only one of them submits and
// follows jobs at a time. Who may run is decided by the runner lock (store/runner-lock.ts), which the operating
// system releases when its holder dies. The lease row in the catalog only says who holds it (for the
// "another Qwen Studio is running" message) and whether the previous holder let go cleanly: a row still
// marked held when the lock is free means that holder crashed, and the queue starts paused.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DB } from '../store/db.ts';
import { RUNNER_LOCK_FILE, RunnerLock, readLease, type LeaseHolder } from '../store/runner-lock.ts';

export type AcquireResult =
  | { acquired: true; previousCrashed: boolean; previous: LeaseHolder | null }
  | { acquired: false; holder: LeaseHolder | null };

export class Lease {
  /**
   * How long to wait for a holder that is going away: a process being killed keeps its locks for the
   * moment the kernel takes to tear it down, and an immediate relaunch must not be refused for that.
   */
  static readonly TAKEOVER_WAIT_MS = 1_500;
  /**
   * How long to wait for a holder to say who it is: it records itself in the lease row just after it takes
   * the lock, and on a busy machine its write may come a moment after another process finds the lock taken.
   */
  static readonly HOLDER_WAIT_MS = 2_000;

  private readonly db: DB;
  private readonly lockPath: string;
  readonly owner: string;
  private lock: RunnerLock | null = null;

  constructor(db: DB, dataDir: string, owner: string) {
    this.db = db;
    this.lockPath = join(dataDir, RUNNER_LOCK_FILE);
    this.owner = owner;
  }

  get held(): boolean {
    return this.lock?.held ?? false;
  }

  /** Who the lease row says holds the folder (null when nobody recorded is holding it). */
  holder(): LeaseHolder | null {
    const lease = readLease(this.db);
    return lease && !lease.released ? lease.holder : null;
  }

  /** The holder of a lock found taken, once it has recorded itself (null if it never does, in time). */
  private holderSoon(): LeaseHolder | null {
    const deadline = Date.now() + Lease.HOLDER_WAIT_MS;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      const holder = this.holder();
      if (holder || Date.now() >= deadline) return holder;
      // A synchronous pause (acquire is synchronous): a few milliseconds, a few times at most.
      Atomics.wait(pause, 0, 0, 25);
    }
  }

  acquire(opts: { now?: number; waitMs?: number } = {}): AcquireResult {
    if (this.lock) return { acquired: true, previousCrashed: false, previous: null };
    const lock = RunnerLock.tryAcquire(this.lockPath, opts.waitMs ?? Lease.TAKEOVER_WAIT_MS);
    if (!lock) return { acquired: false, holder: this.holderSoon() };
    try {
      const now = opts.now ?? Date.now();
      const res = this.db
        .transaction((): AcquireResult => {
          const lease = readLease(this.db);
          // We hold the lock, so whoever the row names is gone: if it never said it let go, it crashed.
          const previousCrashed = lease !== null && !lease.released;
          const previous = lease?.holder ?? null;
          this.db
            .prepare(
              `INSERT INTO runner_lease (id, owner, pid, host, acquired_at, heartbeat_at, released)
               VALUES (1, ?, ?, ?, ?, ?, 0)
               ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
                 acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, released = 0`,
            )
            .run(this.owner, process.pid, hostname(), now, now);
          return { acquired: true, previousCrashed, previous };
        })
        .immediate();
      this.lock = lock;
      return res;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** A clean release is what tells the next start that this run did not crash. */
  release(): void {
    if (!this.lock) return;
    try {
      this.db.prepare('UPDATE runner_lease SET released = 1 WHERE id = 1 AND owner = ?').run(this.owner);
    } finally {
      this.lock.release();
      this.lock = null;
    }
  }
}
