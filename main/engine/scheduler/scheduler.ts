// The durable job queue. Every decision is written to SQLite before it is acted on, so killing the process
// at any instant leaves a state the next start can finish from:
//   queued → submitting (written before the create is sent) → running (remote id written the moment it is
//   known) → downloading → done; a create whose answer was lost is reconciled against the running list and
//   becomes `uncertain` only when no match exists — it is never re-sent without the person's say-so.
// This file is the loop and the lifecycle; the parts live beside it: submit.ts (creates, their errors,
// reconcile), follow.ts (stream/poll to a terminal state), downloads.ts, connectivity.ts (offline, 429
// hold, adaptive limit), actions.ts (what a person can do), and library/ingest.ts (a result entering the
// library).
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { PauseReason, QueueStatus } from '../../../shared/domain.ts';
import type { SkillsClient } from '../api/client.ts';
import { downloadImage } from '../library/download.ts';
import { Ingest } from '../library/ingest.ts';
import { sweepTempFiles } from '../files/temp-sweep.ts';
import { ThumbnailQueue } from '../library/thumbs.ts';
import type { Logger } from '../log.ts';
import type { JobRecord } from '../store/jobs.ts';
import type { Stores } from '../store/stores.ts';
import { UserActions } from './actions.ts';
import { Connectivity } from './connectivity.ts';
import {
  DEFAULT_LIMITS,
  nodeFs,
  systemClock,
  type Clock,
  type SchedulerContext,
  type SchedulerEvents,
  type SchedulerFs,
  type SchedulerLimits,
  type SchedulerSettings,
  type Timer,
} from './context.ts';
import { Downloads } from './downloads.ts';
import { Following } from './follow.ts';
import { LeaseBusyError } from '../store/runner-lock.ts';
import { Lease } from './lease.ts';
import { OtherWriters } from './other-writers.ts';
import { isStorageFault, storageFaultMessage } from '../files/storage-fault.ts';
import { Submitter } from './submit.ts';

export type { SchedulerEvents, SchedulerSettings } from './context.ts';

export interface SchedulerOptions extends Partial<SchedulerLimits> {
  stores: Stores;
  dataDir: string;
  getClient: () => SkillsClient | null;
  settings: () => SchedulerSettings;
  log: Logger;
  owner?: string;
  clock?: Clock;
  fs?: SchedulerFs;
}

export class Scheduler extends EventEmitter<SchedulerEvents> {
  private readonly ctx: SchedulerContext;
  private readonly stores: Stores;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly lease: Lease;
  /** Thumbnails are made right after download, in the background: never in the way of the queue. */
  private readonly thumbs: ThumbnailQueue;
  private readonly conn: Connectivity;
  private readonly submitter: Submitter;
  private readonly following: Following;
  private readonly downloads: Downloads;
  private readonly actions: UserActions;
  /** Batches queued by other processes (the CLI while the app runs) are noticed and started. */
  private readonly otherWriters: OtherWriters;
  private readonly tasks = new Set<Promise<unknown>>();
  private started = false;
  private stopping = false;
  private pumping = false;
  private wakeTimer: Timer | null = null;
  /** A storage fault that could not even be written down (the database itself is full): kept here. */
  private storagePause: string | null = null;
  private resumedAt = 0;

  constructor(opts: SchedulerOptions) {
    super();
    this.stores = opts.stores;
    this.log = opts.log;
    this.clock = opts.clock ?? systemClock;
    const limits: SchedulerLimits = { ...DEFAULT_LIMITS };
    for (const key of Object.keys(DEFAULT_LIMITS) as (keyof SchedulerLimits)[]) {
      if (opts[key] !== undefined) limits[key] = opts[key];
    }
    this.ctx = {
      stores: opts.stores,
      dataDir: opts.dataDir,
      log: opts.log,
      clock: this.clock,
      fs: opts.fs ?? nodeFs(downloadImage),
      limits,
      getClient: opts.getClient,
      settings: opts.settings,
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      isRunning: () => this.isRunning,
      isStopping: () => this.stopping,
      setPaused: (reason, message) => this.setPaused(reason, message),
      lastResumeAt: () => this.resumedAt,
      taskFailed: (err, where) => this.taskFailed(err, where),
      emitQueue: () => this.emitQueue(),
      pump: () => this.pump(),
      track: (p) => this.track(p),
    };
    const owner = opts.owner ?? `${process.pid}-${Date.now().toString(36)}`;
    this.lease = new Lease(opts.stores.db, opts.dataDir, owner);
    this.thumbs = new ThumbnailQueue(join(opts.dataDir, 'thumbs'), 1, {
      log: opts.log,
      // A thumbnail is remade on demand; one whose write began before the last Resume does not pause again.
      onStorageFault: (err, startedAt) => {
        if (startedAt > this.resumedAt) this.pauseForStorage(err, 'making a thumbnail');
      },
    });
    this.conn = new Connectivity(this.ctx);
    this.submitter = new Submitter(this.ctx, this.conn);
    this.downloads = new Downloads(this.ctx, new Ingest(opts.stores, this.thumbs));
    this.following = new Following(this.ctx, this.conn, this.submitter, (id) => this.downloads.enqueue(id));
    this.actions = new UserActions(this.ctx, this.following, this.downloads);
    this.otherWriters = new OtherWriters(
      this.ctx,
      () => this.conn.limit.setCeiling(this.ctx.settings().concurrency),
      {
        resumed: () => this.resume(),
        jobChanged: (j) => this.actions.adopt(j, this.queueState().reason === 'disk'),
      },
    );
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * Takes the data folder's lease and picks up where the last run stopped. After a crash the queue starts
   * paused and says why; jobs the service already accepted are followed either way (they are paid for).
   * `waitMs` bounds the wait for a holder that is going away (default: the lease's takeover wait).
   */
  start(opts: { waitMs?: number } = {}): { previousCrashed: boolean } {
    if (this.started) return { previousCrashed: false };
    const res = this.lease.acquire(opts.waitMs === undefined ? {} : { waitMs: opts.waitMs });
    if (!res.acquired) throw new LeaseBusyError(this.ctx.dataDir, res.holder);
    // Only the lease holder writes these folders and we have just taken the lease: no temp file is in use.
    const swept = sweepTempFiles(this.ctx.dataDir);
    if (swept.length > 0)
      this.log.info('removed temporary files left by an earlier run', { files: swept.length });
    this.started = true;
    this.stopping = false;

    const unfinished = this.stores.jobs.inStates(['submitting', 'running', 'downloading']);
    if (res.previousCrashed && unfinished.length > 0 && !this.stores.queue.get().paused) {
      const when = res.previous ? new Date(res.previous.acquiredAt).toLocaleString() : 'earlier';
      this.setPaused(
        'crash',
        `Qwen Studio stopped unexpectedly (a run started ${when}) with ${unfinished.length} generation(s) in progress. ` +
          `Those are being checked and finished; press Resume to submit the rest of the queue.`,
      );
    }
    this.log.info('scheduler started', {
      previousCrashed: res.previousCrashed,
      unfinished: unfinished.length,
    });
    this.recover(unfinished);
    this.otherWriters.start();
    this.pump();
    return { previousCrashed: res.previousCrashed };
  }

  /** Stops cleanly: waits briefly for creates already sent, leaves every job resumable, releases the lease. */
  async stop(): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    this.clearWake();
    this.otherWriters.stop();
    this.conn.stop();
    const deadline = this.clock.now() + this.ctx.limits.drainMs;
    while (this.submitter.unansweredCount > 0 && this.clock.now() < deadline) await this.clock.sleep(50);
    this.following.abortAll();
    this.downloads.abortAll();
    await Promise.allSettled([...this.tasks]);
    await this.thumbs.idle();
    try {
      this.lease.release();
    } catch (err) {
      // The lease row could not be written (disk full): the next start sees a crash and checks everything.
      this.log.warn('could not release the runner lease cleanly', { err });
    }
    this.started = false;
    this.log.info('scheduler stopped');
  }

  get isRunning(): boolean {
    return this.started && !this.stopping;
  }

  status(): QueueStatus {
    const q = this.queueState();
    const holdUntil = this.conn.holdUntil();
    return {
      paused: q.paused,
      pauseReason: q.reason,
      pauseMessage: q.message,
      offline: this.conn.offline,
      offlineSince: this.conn.offlineSince,
      inFlight: this.following.size,
      limit: this.conn.limit.value,
      maxConcurrency: this.conn.limit.max,
      holdUntil,
    };
  }

  /** True when nothing is in flight and nothing will start by itself. */
  isSettled(): boolean {
    if (this.following.size > 0 || this.downloads.busy) return false;
    if (this.conn.offline) return false;
    if (this.queueState().paused || !this.ctx.getClient()) return true;
    try {
      return this.stores.jobs.nextDueAt() === null;
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      this.pauseForStorage(err, 'the queue loop');
      return true;
    }
  }

  // ── queue-wide controls ────────────────────────────────────────────────────────────────────────────

  pause(reason: PauseReason = 'user', message: string | null = null): void {
    this.setPaused(
      reason,
      message ?? 'Paused by you. Generations already accepted by the service still finish.',
    );
  }

  resume(): void {
    this.resumedAt = this.clock.now();
    this.storagePause = null;
    try {
      this.stores.queue.set({ paused: false, reason: null, message: null });
    } catch (err) {
      this.taskFailed(err, 'resuming the queue');
      return;
    }
    this.conn.clearHold();
    this.log.info('queue resumed');
    this.emitQueue();
    // Downloads stopped by a full disk, polls that gave up waiting for a key, and creates whose answer
    // could not be stored start again.
    this.recover(this.stores.jobs.inStates(['submitting', 'running', 'downloading']));
    this.pump();
  }

  /** Settings changed (concurrency, key): apply and look for work. */
  refresh(): void {
    this.conn.limit.setCeiling(this.ctx.settings().concurrency);
    this.emitQueue();
    this.pump();
  }

  /** Wake the loop: a batch was added or something changed. */
  kick(): void {
    this.pump();
  }

  /** A fault in our own storage seen outside the scheduler (e.g. index maintenance): pause with "disk". */
  storageFault(err: unknown, where: string): boolean {
    if (!isStorageFault(err)) return false;
    this.pauseForStorage(err, where);
    return true;
  }

  // ── job and batch actions (actions.ts) ──────────────────────────────────────────────────────────────

  pauseJob(id: number): JobRecord {
    return this.actions.pauseJob(id);
  }
  resumeJob(id: number): JobRecord {
    return this.actions.resumeJob(id);
  }
  cancelJob(id: number): JobRecord {
    return this.actions.cancelJob(id);
  }
  retryJob(id: number): JobRecord {
    return this.actions.retryJob(id);
  }
  dropUncertain(id: number): JobRecord {
    return this.actions.dropUncertain(id);
  }
  pauseBatch(batchId: number): void {
    this.actions.pauseBatch(batchId);
  }
  resumeBatch(batchId: number): void {
    this.actions.resumeBatch(batchId);
  }
  cancelBatch(batchId: number): number {
    return this.actions.cancelBatch(batchId);
  }
  retryBatch(batchId: number): number {
    return this.actions.retryBatch(batchId);
  }

  // ── the loop ───────────────────────────────────────────────────────────────────────────────────────

  private pump(): void {
    if (!this.isRunning || this.pumping) return;
    this.pumping = true;
    try {
      this.clearWake();
      const now = this.clock.now();
      const q = this.queueState();
      const held = this.conn.holdUntil(now) !== null;
      if (!q.paused && !this.conn.offline && !held && this.ctx.getClient()) {
        let room = this.conn.limit.value - this.following.size;
        if (room > 0) {
          for (const job of this.stores.jobs.dueQueued(now, room + 16)) {
            if (room <= 0) break;
            if (!this.budgetAllows(job)) continue;
            if (this.launchSubmit(job)) room--;
          }
        }
      }
      for (const id of this.stores.batches.settleFinished()) this.emit('batch', id);
      this.scheduleWake(now, held, q.paused);
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      this.pauseForStorage(err, 'the queue loop');
    } finally {
      this.pumping = false;
    }
    if (this.isSettled()) this.emit('settled');
  }

  private scheduleWake(now: number, held: boolean, paused: boolean): void {
    if (paused || this.conn.offline) return;
    const at = held ? this.conn.holdUntil(now) : this.stores.jobs.nextDueAt();
    if (at === null || (!held && at <= now)) return;
    this.wakeTimer = this.clock.setTimeout(
      () => {
        try {
          this.pump();
        } catch (err) {
          this.log.error('queue loop failed', { err });
        }
      },
      Math.max(10, at - now),
    );
  }

  private budgetAllows(job: JobRecord): boolean {
    const batch = this.stores.batches.get(job.batchId);
    if (!batch?.maxCredits) return true;
    const cpi = this.stores.jobs.learnedCreditsPerImage(batch.model) ?? batch.creditsPerImage;
    const { committed } = this.stores.jobs.batchSpend(batch.id, cpi);
    if (committed + job.numImages * cpi <= batch.maxCredits) return true;
    this.stores.batches.setStatus(batch.id, 'paused', 'budget');
    this.log.info('batch paused at its credit budget', { batch: batch.id, committed, max: batch.maxCredits });
    this.emit('batch', batch.id);
    return false;
  }

  private launchSubmit(job: JobRecord): boolean {
    const started = this.stores.jobs.transition(job.id, 'queued', 'submitting', {
      attempts: job.attempts + 1,
      submittedAt: this.clock.now(),
      sentAt: null,
      errorClass: null,
      errorCode: null,
      errorMessage: null,
    });
    if (!started) return false;
    this.emit('job', started);
    this.following.launch(started);
    return true;
  }

  private recover(jobs: JobRecord[]): void {
    const submitting = this.submitter.requeueUnsent(
      jobs.filter((j) => j.state === 'submitting' && !this.following.has(j.id)),
    );
    for (const j of jobs) {
      if (j.state === 'running') this.following.launch(j);
      else if (j.state === 'downloading') this.downloads.enqueue(j.id);
    }
    if (submitting.length > 0) {
      this.log.info('reconciling creates whose answer was not stored', { jobs: submitting.map((j) => j.id) });
      this.following.reconcileAfterCrash(submitting);
    }
  }

  // ── pausing, storage faults, helpers ───────────────────────────────────────────────────────────────

  /** The persisted pause switch, overridden by a storage fault that could not be persisted. */
  private queueState(): { paused: boolean; reason: PauseReason | null; message: string | null } {
    if (this.storagePause !== null) return { paused: true, reason: 'disk', message: this.storagePause };
    try {
      return this.stores.queue.get();
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      this.storagePause = storageFaultMessage(err, this.ctx.dataDir);
      return { paused: true, reason: 'disk', message: this.storagePause };
    }
  }

  private setPaused(reason: PauseReason, message: string): void {
    const q = this.queueState();
    if (q.paused && q.reason === reason && q.message === message) return;
    try {
      this.stores.queue.set({ paused: true, reason, message });
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      this.storagePause = reason === 'disk' ? message : storageFaultMessage(err, this.ctx.dataDir);
    }
    this.log.warn('queue paused', { reason, message });
    this.emitQueue();
  }

  private pauseForStorage(err: unknown, where: string): void {
    this.log.error('storage fault: queue paused', { where, err });
    this.setPaused('disk', storageFaultMessage(err, this.ctx.dataDir));
  }

  /** An error escaped a background task: a storage fault pauses the queue, anything else is a bug, logged. */
  private taskFailed(err: unknown, where: string): void {
    if (isStorageFault(err)) this.pauseForStorage(err, where);
    else this.log.error(`${where} failed unexpectedly`, { err });
  }

  private emitQueue(): void {
    this.emit('queue', this.status());
  }

  private track(p: Promise<unknown>): void {
    this.tasks.add(p);
    void p.finally(() => this.tasks.delete(p));
  }

  private clearWake(): void {
    if (this.wakeTimer) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }
}
