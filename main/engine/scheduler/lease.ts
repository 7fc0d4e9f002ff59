// One runner per data folder: the app and the CLI may share a folder, but only one of them submits and
// follows jobs at a time. The lease row carries a heartbeat; a holder whose process is gone (same host) or
// whose heartbeat is stale is taken over, and that takeover is how a crash is detected.
import { hostname } from 'node:os';
import type { DB } from '../store/db.ts';

export interface LeaseHolder {
  owner: string;
  pid: number;
  host: string;
  heartbeatAt: number;
}

export type AcquireResult =
  | { acquired: true; previousCrashed: boolean; previous: LeaseHolder | null }
  | { acquired: false; holder: LeaseHolder };

export class LeaseBusyError extends Error {
  readonly holder: LeaseHolder;
  constructor(dataDir: string, holder: LeaseHolder) {
    super(
      `Another Qwen Studio (process ${holder.pid} on ${holder.host}) is running the queue of ${dataDir}. ` +
        `Close it first, or use another --data-dir.`,
    );
    this.name = 'LeaseBusyError';
    this.holder = holder;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LeaseRow {
  owner: string;
  pid: number;
  host: string;
  heartbeat_at: number;
  released: number;
}

export class Lease {
  static readonly HEARTBEAT_MS = 2_000;
  static readonly STALE_MS = 10_000;

  private readonly db: DB;
  readonly owner: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(db: DB, owner: string) {
    this.db = db;
    this.owner = owner;
  }

  acquire(now = Date.now()): AcquireResult {
    const host = hostname();
    return this.db
      .transaction((): AcquireResult => {
        const row = this.db
          .prepare('SELECT owner, pid, host, heartbeat_at, released FROM runner_lease WHERE id = 1')
          .get() as LeaseRow | undefined;
        let previousCrashed = false;
        let previous: LeaseHolder | null = null;
        if (row) {
          previous = { owner: row.owner, pid: row.pid, host: row.host, heartbeatAt: row.heartbeat_at };
          if (!row.released && row.owner !== this.owner) {
            const gone =
              (row.host === host && !processAlive(row.pid)) || now - row.heartbeat_at > Lease.STALE_MS;
            if (!gone) return { acquired: false, holder: previous };
            previousCrashed = true;
          }
        }
        this.db
          .prepare(
            `INSERT INTO runner_lease (id, owner, pid, host, acquired_at, heartbeat_at, released) VALUES (1, ?, ?, ?, ?, ?, 0)
           ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
             acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, released = 0`,
          )
          .run(this.owner, process.pid, host, now, now);
        return { acquired: true, previousCrashed, previous };
      })
      .immediate();
  }

  startHeartbeat(): void {
    this.stopHeartbeat();
    this.timer = setInterval(() => this.beat(), Lease.HEARTBEAT_MS);
    this.timer.unref();
  }

  beat(now = Date.now()): boolean {
    return (
      this.db
        .prepare('UPDATE runner_lease SET heartbeat_at = ? WHERE id = 1 AND owner = ?')
        .run(now, this.owner).changes > 0
    );
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A clean release is what tells the next start that this run did not crash. */
  release(): void {
    this.stopHeartbeat();
    this.db.prepare('UPDATE runner_lease SET released = 1 WHERE id = 1 AND owner = ?').run(this.owner);
  }
}
