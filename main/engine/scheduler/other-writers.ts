// While this process runs the folder's queue, other processes may still write to the catalog: the command
// line queuing a batch while the app runs, a second window. SQLite's `PRAGMA data_version` changes on this
// connection exactly when another connection has committed, so a cheap poll notices them: new batches are
// announced (the UI shows them without a reload), changed settings apply, and the queue looks for work.
import type { SchedulerContext, Timer } from './context.ts';

export class OtherWriters {
  /** Often enough that a batch from elsewhere starts within about a second; a pragma costs microseconds. */
  static readonly INTERVAL_MS = 300;

  private readonly ctx: SchedulerContext;
  private timer: Timer | null = null;
  private version = 0;
  private lastBatchId = 0;
  /** Called after another process wrote, before the queue looks for work (settings such as concurrency). */
  private readonly onWrite: () => void;

  constructor(ctx: SchedulerContext, onWrite: () => void = () => {}) {
    this.ctx = ctx;
    this.onWrite = onWrite;
  }

  start(): void {
    this.stop();
    this.version = this.dataVersion();
    this.lastBatchId = this.maxBatchId();
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One look: true when another process had written since the last one. */
  check(): boolean {
    const v = this.dataVersion();
    if (v === this.version) return false;
    this.version = v;
    const fresh = this.ctx.stores.db
      .prepare('SELECT id FROM batches WHERE id > ? ORDER BY id')
      .pluck()
      .all(this.lastBatchId) as number[];
    for (const id of fresh) {
      this.lastBatchId = id;
      this.ctx.log.info('batch added by another process', { batch: id });
      this.ctx.emit('batch', id);
    }
    this.onWrite();
    this.ctx.pump();
    return true;
  }

  private schedule(): void {
    this.timer = this.ctx.clock.setTimeout(() => {
      if (!this.ctx.isRunning()) return;
      try {
        this.check();
      } catch (err) {
        this.ctx.taskFailed(err, 'watching for batches from other processes');
      }
      this.schedule();
    }, OtherWriters.INTERVAL_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private dataVersion(): number {
    return this.ctx.stores.db.pragma('data_version', { simple: true }) as number;
  }

  private maxBatchId(): number {
    return (
      (this.ctx.stores.db.prepare('SELECT COALESCE(MAX(id), 0) FROM batches').pluck().get() as number) ?? 0
    );
  }
}
