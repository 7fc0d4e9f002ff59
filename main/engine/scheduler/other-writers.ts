// While this process runs the folder's queue, other processes may still write to the catalog: the command
// line queuing a batch while the app runs, a second window. SQLite's `PRAGMA data_version` changes on this
// connection exactly when another connection has committed, so a cheap poll notices them: new batches are
// announced (the UI shows them without a reload), changed settings apply, and the queue looks for work.
// `qwen-studio resume`, `retry` and `drop` run elsewhere are acted on here: a lifted pause resumes this queue,
// and every job another process moved on (its job_events rows) is shown, followed or downloaded.
import type { JobRecord } from '../store/jobs.ts';
import type { SchedulerContext, Timer } from './context.ts';

/** What this runner does about another process's changes. */
export interface ForeignChanges {
  /** Another process lifted the queue's pause. */
  resumed(): void;
  /** A job another process (or, harmlessly, this one) moved on since the last look. */
  jobChanged(job: JobRecord): void;
}

const NO_CHANGES: ForeignChanges = { resumed: () => {}, jobChanged: () => {} };

export class OtherWriters {
  /** Often enough that a batch from elsewhere starts within about a second; a pragma costs microseconds. */
  static readonly INTERVAL_MS = 300;

  private readonly ctx: SchedulerContext;
  private timer: Timer | null = null;
  private version = 0;
  private lastBatchId = 0;
  /** The last job event looked at: every later one may be another process's. */
  private lastEventId = 0;
  /** The queue's pause switch as last seen, to tell when another process lifted it. */
  private paused = false;
  /** Called after another process wrote, before the queue looks for work (settings such as concurrency). */
  private readonly onWrite: () => void;
  private readonly changes: ForeignChanges;

  constructor(ctx: SchedulerContext, onWrite: () => void = () => {}, changes: ForeignChanges = NO_CHANGES) {
    this.ctx = ctx;
    this.onWrite = onWrite;
    this.changes = changes;
  }

  start(): void {
    this.stop();
    this.lastEventId = this.maxEventId();
    this.paused = this.ctx.stores.queue.get().paused;
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
    // Read before the version: when no other process wrote by then, these are this process's own doings.
    const lastEvent = this.maxEventId();
    const paused = this.ctx.stores.queue.get().paused;
    const v = this.dataVersion();
    if (v === this.version) {
      this.lastEventId = lastEvent;
      this.paused = paused;
      return false;
    }
    this.version = v;
    this.actOnJobs();
    const q = this.ctx.stores.queue.get();
    if (this.paused && !q.paused) {
      this.ctx.log.info('queue resumed by another process');
      this.changes.resumed();
    }
    this.paused = q.paused;
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

  /** Each job with events since the last look, once, as it is now. */
  private actOnJobs(): void {
    const rows = this.ctx.stores.db
      .prepare('SELECT id, job_id FROM job_events WHERE id > ? ORDER BY id')
      .all(this.lastEventId) as { id: number; job_id: number }[];
    const jobs = new Set<number>();
    for (const r of rows) {
      jobs.add(r.job_id);
      this.lastEventId = r.id;
    }
    const batches = new Set<number>();
    for (const id of jobs) {
      const job = this.ctx.stores.jobs.get(id);
      if (!job) continue;
      this.changes.jobChanged(job);
      batches.add(job.batchId);
    }
    // A retry reactivates its batch, a drop may finish it: the UI shows both.
    for (const id of batches) this.ctx.emit('batch', id);
  }

  private maxEventId(): number {
    return this.ctx.stores.db.prepare('SELECT COALESCE(MAX(id), 0) FROM job_events').pluck().get() as number;
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
