// The durable job queue. Every decision is written to SQLite before it is acted on, so killing the process
// at any instant leaves a state the next start can finish from:
//   queued → submitting (written before the create is sent) → running (remote id written the moment it is
//   known) → downloading → done; a create whose answer was lost is reconciled against the running list and
//   becomes `uncertain` only when no match exists — it is never re-sent without the person's say-so.
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isTerminal,
  normalizeStatus,
  resultImages,
  type Generation,
  type GenerationInput,
  type RunningItem,
} from '../../../shared/api.ts';
import type { AssetRow, JobState, PauseReason, QueueStatus } from '../../../shared/domain.ts';
import { ApiError } from '../api/errors.ts';
import type { SkillsClient, LocalFile } from '../api/client.ts';
import { nextPollDelayMs } from '../api/poll.ts';
import { DownloadError, downloadImage, slugForFile, type DownloadedImage } from '../library/download.ts';
import { toA1111Parameters } from '../library/metadata/a1111.ts';
import { embedMetadataInFile, readMetadata, stripMetadata } from '../library/metadata/embed.ts';
import type { StudioRecord } from '../library/metadata/types.ts';
import { ThumbnailQueue } from '../library/thumbs.ts';
import type { Logger } from '../log.ts';
import type { Stores } from '../store/stores.ts';
import type { JobPatch, JobRecord } from '../store/jobs.ts';
import { AdaptiveLimit } from './concurrency.ts';
import { backoffMs } from './backoff.ts';
import { Lease, LeaseBusyError } from './lease.ts';
import { matchRunning } from './reconcile.ts';
import { sleep } from './sleep.ts';

export interface SchedulerSettings {
  /** Ceiling of generations at the service at once. */
  concurrency: number;
  downloadConcurrency: number;
  /** Use the SSE create for JSON requests (one request per generation instead of create + polls). */
  stream: boolean;
}

export interface SchedulerOptions {
  stores: Stores;
  dataDir: string;
  getClient: () => SkillsClient | null;
  settings: () => SchedulerSettings;
  log: Logger;
  owner?: string;
  maxSubmitAttempts?: number;
  maxDownloadAttempts?: number;
  pollTimeoutMs?: number;
  /** How long a clean stop waits for creates already sent to be answered. */
  drainMs?: number;
}

export interface SchedulerEvents {
  job: [JobRecord];
  queue: [QueueStatus];
  batch: [number];
  asset: [AssetRow];
  /** Nothing is in flight and nothing more will start without a person (or a timer) acting. */
  settled: [];
}

type SubmitOutcome = { gen: Generation } | { poll: true } | null;

const MAX_LINK_REFRESHES = 20;
const DOWNLOAD_FOLDER_FORMAT = (t: number) => new Date(t).toISOString().slice(0, 7);

export class Scheduler extends EventEmitter<SchedulerEvents> {
  private readonly o: Required<Omit<SchedulerOptions, 'owner'>> & { owner: string };
  private readonly lease: Lease;
  private readonly limit: AdaptiveLimit;
  /** Jobs whose generation we are creating or following (they occupy a slot at the service). */
  private readonly followers = new Map<number, AbortController>();
  /** Creates sent whose answer has not come yet: a clean stop waits for them. */
  private readonly preAccept = new Set<number>();
  private readonly downloadQueue: number[] = [];
  /** Thumbnails are made right after download, in the background: never in the way of the queue. */
  private readonly thumbs: ThumbnailQueue;
  private readonly downloading = new Map<number, AbortController>();
  private readonly tasks = new Set<Promise<unknown>>();
  private started = false;
  private stopping = false;
  private offline = false;
  private offlineSince: number | null = null;
  private holdUntil: number | null = null;
  private rateLimitStreak = 0;
  private wakeTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private pumping = false;

  constructor(opts: SchedulerOptions) {
    super();
    this.o = {
      maxSubmitAttempts: 6,
      maxDownloadAttempts: 6,
      pollTimeoutMs: 30 * 60_000,
      drainMs: 5_000,
      owner: `${process.pid}-${Date.now().toString(36)}`,
      ...opts,
    } as Scheduler['o'];
    this.lease = new Lease(opts.stores.db, opts.dataDir, this.o.owner);
    this.thumbs = new ThumbnailQueue(join(opts.dataDir, 'thumbs'), 1, { log: opts.log });
    this.limit = new AdaptiveLimit(opts.settings().concurrency);
  }

  private get s(): Stores {
    return this.o.stores;
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * Takes the data folder's lease and picks up where the last run stopped. After a crash the queue starts
   * paused and says why; jobs the service already accepted are followed either way (they are paid for).
   */
  start(): { previousCrashed: boolean } {
    if (this.started) return { previousCrashed: false };
    const res = this.lease.acquire();
    if (!res.acquired) throw new LeaseBusyError(this.o.dataDir, res.holder);
    this.sweepPartials();
    this.started = true;
    this.stopping = false;

    const unfinished = this.s.jobs.inStates(['submitting', 'running', 'downloading']);
    if (res.previousCrashed && unfinished.length > 0 && !this.s.queue.get().paused) {
      const when = res.previous ? new Date(res.previous.acquiredAt).toLocaleString() : 'earlier';
      this.setPaused(
        'crash',
        `Qwen Studio stopped unexpectedly (a run started ${when}) with ${unfinished.length} generation(s) in progress. ` +
          `Those are being checked and finished; press Resume to submit the rest of the queue.`,
      );
    }
    this.o.log.info('scheduler started', {
      previousCrashed: res.previousCrashed,
      unfinished: unfinished.length,
    });
    this.recover(unfinished);
    this.pump();
    return { previousCrashed: res.previousCrashed };
  }

  /** Stops cleanly: waits briefly for creates already sent, leaves every job resumable, releases the lease. */
  async stop(): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    this.clearTimers();
    const deadline = Date.now() + this.o.drainMs;
    while (this.preAccept.size > 0 && Date.now() < deadline) await sleep(50);
    for (const c of this.followers.values()) c.abort();
    for (const c of this.downloading.values()) c.abort();
    await Promise.allSettled([...this.tasks]);
    await this.thumbs.idle();
    this.lease.release();
    this.started = false;
    this.o.log.info('scheduler stopped');
  }

  get isRunning(): boolean {
    return this.started && !this.stopping;
  }

  status(): QueueStatus {
    const q = this.s.queue.get();
    return {
      paused: q.paused,
      pauseReason: q.reason,
      pauseMessage: q.message,
      offline: this.offline,
      offlineSince: this.offlineSince,
      inFlight: this.followers.size,
      limit: this.limit.value,
      maxConcurrency: this.limit.max,
      holdUntil: this.holdUntil && this.holdUntil > Date.now() ? this.holdUntil : null,
    };
  }

  /** True when nothing is in flight and nothing will start by itself. */
  isSettled(): boolean {
    if (this.followers.size > 0 || this.downloading.size > 0 || this.downloadQueue.length > 0) return false;
    if (this.offline) return false;
    if (this.s.queue.get().paused || !this.o.getClient()) return true;
    return this.s.jobs.nextDueAt() === null;
  }

  // ── queue-wide controls ────────────────────────────────────────────────────────────────────────────

  pause(reason: PauseReason = 'user', message: string | null = null): void {
    this.setPaused(
      reason,
      message ?? 'Paused by you. Generations already accepted by the service still finish.',
    );
  }

  resume(): void {
    this.s.queue.set({ paused: false, reason: null, message: null });
    this.holdUntil = null;
    this.emitQueue();
    // Downloads stopped by a full disk, and polls that gave up waiting for a key, start again.
    this.recover(this.s.jobs.inStates(['running', 'downloading']));
    this.pump();
  }

  /** Settings changed (concurrency, key): apply and look for work. */
  refresh(): void {
    this.limit.setCeiling(this.o.settings().concurrency);
    this.emitQueue();
    this.pump();
  }

  // ── job and batch actions ──────────────────────────────────────────────────────────────────────────

  pauseJob(id: number): JobRecord {
    return this.act(id, ['queued'], 'paused');
  }

  resumeJob(id: number): JobRecord {
    return this.act(id, ['paused'], 'queued');
  }

  /** Only work not yet at the service can be canceled: there is no cancel endpoint, and accepted work is paid. */
  cancelJob(id: number): JobRecord {
    return this.act(id, ['queued', 'paused', 'uncertain', 'failed'], 'canceled', {}, 'canceled by user');
  }

  /**
   * Retry a failed, canceled or uncertain job. A failure after the service finished (a lost download) is
   * retried by downloading again, a timed-out follow by following again: neither pays twice. Only a job the
   * service never finished is created anew (for `uncertain`, this is the person's explicit choice).
   */
  retryJob(id: number): JobRecord {
    const job = this.mustGet(id);
    let next: JobRecord | null = null;
    const clear: JobPatch = { errorClass: null, errorCode: null, errorMessage: null };
    if (job.state === 'failed' && job.result && normalizeStatus(job.result.status) === 'completed') {
      next = this.s.jobs.transition(
        id,
        'failed',
        'downloading',
        { ...clear, downloadAttempts: 0 },
        'retry download',
      );
      if (next) this.enqueueDownload(id);
    } else if (job.state === 'failed' && job.remoteId && !isTerminal(normalizeStatus(job.remoteStatus))) {
      next = this.s.jobs.transition(id, 'failed', 'running', clear, 'retry follow');
      if (next) this.launchFollow(next);
    } else if (job.state === 'failed' || job.state === 'canceled' || job.state === 'uncertain') {
      next = this.s.jobs.transition(
        id,
        job.state,
        'queued',
        { ...clear, remoteId: null, remoteStatus: null, result: null, attempts: 0, nextAttemptAt: null },
        job.state === 'uncertain' ? 'retry uncertain (may be charged twice)' : 'retry',
      );
    }
    if (!next)
      throw new Error(`Job ${id} is ${job.state}; only failed, canceled or uncertain jobs can be retried.`);
    this.reactivateBatch(next.batchId);
    this.emit('job', next);
    this.pump();
    return next;
  }

  /** Drop an uncertain job: it is not re-sent (if the service did run it, its result is not followed). */
  dropUncertain(id: number): JobRecord {
    return this.act(id, ['uncertain'], 'canceled', {}, 'dropped uncertain');
  }

  pauseBatch(batchId: number): void {
    if (this.s.batches.setStatus(batchId, 'paused', 'user')) this.emit('batch', batchId);
  }

  resumeBatch(batchId: number): void {
    const b = this.s.batches.get(batchId);
    if (!b || b.status === 'canceled') return;
    this.reactivateBatch(batchId);
    this.pump();
  }

  cancelBatch(batchId: number): number {
    let n = 0;
    for (const j of this.s.jobs.inStates(['queued', 'paused', 'uncertain'], batchId)) {
      const r = this.s.jobs.transition(j.id, j.state, 'canceled', {}, 'batch canceled');
      if (r) {
        n++;
        this.emit('job', r);
      }
    }
    this.s.batches.setStatus(batchId, 'canceled');
    this.emit('batch', batchId);
    this.pump();
    return n;
  }

  retryBatch(batchId: number): number {
    let n = 0;
    for (const j of this.s.jobs.inStates(['failed'], batchId)) {
      this.retryJob(j.id);
      n++;
    }
    return n;
  }

  /** Wake the loop: a batch was added or something changed. */
  kick(): void {
    this.pump();
  }

  // ── the loop ───────────────────────────────────────────────────────────────────────────────────────

  private pump(): void {
    if (!this.isRunning || this.pumping) return;
    this.pumping = true;
    try {
      this.clearWake();
      const now = Date.now();
      const q = this.s.queue.get();
      const client = this.o.getClient();
      const held = this.holdUntil !== null && this.holdUntil > now;
      if (!q.paused && !this.offline && !held && client) {
        let room = this.limit.value - this.followers.size;
        if (room > 0) {
          for (const job of this.s.jobs.dueQueued(now, room + 16)) {
            if (room <= 0) break;
            if (!this.budgetAllows(job)) continue;
            if (this.launchSubmit(job)) room--;
          }
        }
      }
      for (const id of this.s.batches.settleFinished()) this.emit('batch', id);
      this.scheduleWake(now, held, q.paused);
    } finally {
      this.pumping = false;
    }
    if (this.isSettled()) this.emit('settled');
  }

  private scheduleWake(now: number, held: boolean, paused: boolean): void {
    if (paused || this.offline) return;
    let at: number | null = null;
    if (held) at = this.holdUntil;
    else {
      const due = this.s.jobs.nextDueAt();
      if (due !== null && due > now) at = due;
    }
    if (at === null) return;
    this.wakeTimer = setTimeout(() => this.pump(), Math.max(10, at - now));
  }

  private budgetAllows(job: JobRecord): boolean {
    const batch = this.s.batches.get(job.batchId);
    if (!batch?.maxCredits) return true;
    const cpi = this.s.jobs.learnedCreditsPerImage(batch.model) ?? batch.creditsPerImage;
    const { committed } = this.s.jobs.batchSpend(batch.id, cpi);
    if (committed + job.numImages * cpi <= batch.maxCredits) return true;
    this.s.batches.setStatus(batch.id, 'paused', 'budget');
    this.o.log.info('batch paused at its credit budget', {
      batch: batch.id,
      committed,
      max: batch.maxCredits,
    });
    this.emit('batch', batch.id);
    return false;
  }

  private launchSubmit(job: JobRecord): boolean {
    const started = this.s.jobs.transition(job.id, 'queued', 'submitting', {
      attempts: job.attempts + 1,
      submittedAt: Date.now(),
      errorClass: null,
      errorCode: null,
      errorMessage: null,
    });
    if (!started) return false;
    this.emit('job', started);
    this.launchFollow(started);
    return true;
  }

  private launchFollow(job: JobRecord): void {
    if (this.followers.has(job.id)) return;
    const ctl = new AbortController();
    this.followers.set(job.id, ctl);
    this.track(
      this.follow(job, ctl.signal)
        .catch((err: unknown) => this.o.log.error('follow failed unexpectedly', { job: job.id, err }))
        .finally(() => {
          this.followers.delete(job.id);
          this.emitQueue();
          this.pump();
        }),
    );
    this.emitQueue();
  }

  private async follow(job: JobRecord, signal: AbortSignal): Promise<void> {
    let gen: Generation | null = null;
    if (job.state === 'submitting') {
      const out = await this.submit(job, signal);
      if (!out) return;
      if ('gen' in out) gen = out.gen;
      const now = this.s.jobs.get(job.id);
      if (!now || now.state !== 'running') return;
      job = now;
    }
    if (!gen || !isTerminal(normalizeStatus(gen.status))) gen = await this.poll(job, signal);
    if (gen) this.finish(job, gen);
  }

  // ── create ─────────────────────────────────────────────────────────────────────────────────────────

  private async submit(job: JobRecord, signal: AbortSignal): Promise<SubmitOutcome> {
    const client = this.o.getClient();
    if (!client) {
      this.requeue(job, { attempts: job.attempts - 1 }, 'no API key');
      return null;
    }
    let files: LocalFile[];
    try {
      files = this.loadRefs(job);
    } catch (err) {
      this.fail(job, 'submitting', {
        errorClass: 'job',
        errorCode: 'REFERENCE_MISSING',
        errorMessage: (err as Error).message,
      });
      return null;
    }
    let accepted = false;
    const accept = (gen: Generation) => {
      if (accepted) {
        this.s.jobs.patch(job.id, 'running', { remoteStatus: gen.status });
        return;
      }
      accepted = true;
      this.preAccept.delete(job.id);
      const r = this.s.jobs.transition(job.id, 'submitting', 'running', {
        remoteId: gen.id,
        remoteStatus: gen.status,
        acceptedAt: Date.now(),
      });
      this.limit.onAccepted();
      this.rateLimitStreak = 0;
      if (r) this.emit('job', r);
    };
    this.preAccept.add(job.id);
    try {
      if (files.length === 0 && this.o.settings().stream) {
        const gen = await client.createStream(job.model, job.input, accept, signal);
        return { gen };
      }
      const gen = await client.create(job.model, job.input, files, signal);
      accept(gen);
      return { gen };
    } catch (err) {
      if (accepted) {
        // The stream dropped after the id was stored: follow by polling.
        return signal.aborted ? null : { poll: true };
      }
      if (signal.aborted && this.stopping) return null; // left `submitting`: reconciled at next start
      return this.onSubmitError(job, err, signal);
    } finally {
      this.preAccept.delete(job.id);
    }
  }

  private async onSubmitError(job: JobRecord, err: unknown, signal: AbortSignal): Promise<SubmitOutcome> {
    if (!(err instanceof ApiError)) {
      this.fail(job, 'submitting', {
        errorClass: 'job',
        errorCode: 'INTERNAL',
        errorMessage: String((err as Error)?.message ?? err),
      });
      return null;
    }
    const now = Date.now();
    this.o.log.warn('create failed', {
      job: job.id,
      kind: err.kind,
      status: err.status,
      code: err.code,
      maybeSent: err.maybeSent,
    });
    if (err.kind === 'job') {
      this.fail(job, 'submitting', { errorClass: 'job', errorCode: err.code, errorMessage: err.message });
      return null;
    }
    if (err.kind === 'queue') {
      this.requeue(
        job,
        { attempts: job.attempts - 1, errorClass: 'queue', errorCode: err.code, errorMessage: err.message },
        'queue paused',
      );
      this.setPaused(pauseReasonFor(err.status), err.message);
      return null;
    }
    if (err.maybeSent) return this.reconcileOne(job, signal);
    if (err.status === 429) {
      this.limit.onRateLimited(now);
      // Creates sent together come back limited together: that is one signal, not several.
      if (this.holdUntil === null || this.holdUntil <= now) this.rateLimitStreak++;
      const wait = err.retryAfterMs ?? backoffMs(this.rateLimitStreak, { baseMs: 1_000, capMs: 30_000 });
      this.holdUntil = Math.max(this.holdUntil ?? 0, now + wait);
      this.requeue(job, { attempts: job.attempts - 1, nextAttemptAt: now + wait }, 'rate limited');
      this.emitQueue();
      return null;
    }
    if (err.offline) {
      this.goOffline();
      this.requeue(job, { attempts: job.attempts - 1 }, 'offline');
      return null;
    }
    if (job.attempts >= this.o.maxSubmitAttempts) {
      this.fail(job, 'submitting', {
        errorClass: 'retryable',
        errorCode: err.code,
        errorMessage: `Gave up after ${job.attempts} attempts: ${err.message}`,
      });
      return null;
    }
    const wait = err.retryAfterMs ?? backoffMs(job.attempts, { baseMs: 1_000, capMs: 60_000 });
    this.requeue(
      job,
      { nextAttemptAt: now + wait, errorClass: 'retryable', errorCode: err.code, errorMessage: err.message },
      'retry later',
    );
    return null;
  }

  /** A create may have been accepted: look for it in the running list before deciding anything. */
  private async reconcileOne(job: JobRecord, signal: AbortSignal): Promise<SubmitOutcome> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      const client = this.o.getClient();
      let list: RunningItem[] | null = null;
      if (client) {
        try {
          list = await client.running(100, signal);
        } catch (err) {
          this.o.log.warn('running list failed during reconcile', { job: job.id, err });
          if (err instanceof ApiError && err.offline) this.goOffline();
        }
      }
      if (list) {
        const hit = matchRunning(
          [{ jobId: job.id, input: job.input }],
          list,
          this.s.jobs.knownRemoteIds(),
        ).get(job.id);
        if (hit) {
          const r = this.s.jobs.transition(
            job.id,
            'submitting',
            'running',
            {
              remoteId: hit.id,
              remoteStatus: hit.status,
              acceptedAt: Date.now(),
            },
            'matched in running list after a lost answer',
          );
          if (r) this.emit('job', r);
          return { poll: true };
        }
        this.markUncertain(job);
        return null;
      }
      await sleep(backoffMs(attempt, { baseMs: 1_000, capMs: 30_000 }), signal);
    }
    return null;
  }

  private markUncertain(job: JobRecord): void {
    const r = this.s.jobs.transition(job.id, 'submitting', 'uncertain', {
      errorClass: null,
      errorCode: 'UNCERTAIN',
      errorMessage:
        'The service may have accepted this generation, but its answer was lost and it is not in the running list. ' +
        'Retry (you may be charged twice) or drop it.',
    });
    if (r) this.emit('job', r);
  }

  /** Reconcile jobs left `submitting` by a crash, all against one running list. */
  private async reconcileAfterCrash(jobs: JobRecord[]): Promise<void> {
    for (let attempt = 0; this.isRunning; attempt++) {
      const client = this.o.getClient();
      if (client) {
        try {
          const list = await client.running(100);
          const matches = matchRunning(
            jobs.map((j) => ({ jobId: j.id, input: j.input })),
            list,
            this.s.jobs.knownRemoteIds(),
          );
          for (const j of jobs) {
            const hit = matches.get(j.id);
            if (!hit) {
              this.markUncertain(j);
              continue;
            }
            const r = this.s.jobs.transition(
              j.id,
              'submitting',
              'running',
              {
                remoteId: hit.id,
                remoteStatus: hit.status,
                acceptedAt: Date.now(),
              },
              'matched in running list after restart',
            );
            if (r) {
              this.emit('job', r);
              // The slot held while reconciling becomes the follower's own (launchFollow skips held ids).
              this.followers.delete(j.id);
              this.launchFollow(r);
            }
          }
          return;
        } catch (err) {
          this.o.log.warn('running list failed after restart', { err });
          if (err instanceof ApiError && err.offline) this.goOffline();
        }
      }
      if (!(await sleep(backoffMs(attempt, { baseMs: 1_000, capMs: 30_000 })))) return;
    }
  }

  // ── follow ─────────────────────────────────────────────────────────────────────────────────────────

  private async poll(job: JobRecord, signal: AbortSignal): Promise<Generation | null> {
    const started = job.acceptedAt ?? Date.now();
    let status = normalizeStatus(job.remoteStatus);
    let errors = 0;
    while (!signal.aborted) {
      const elapsed = Date.now() - started;
      if (elapsed > this.o.pollTimeoutMs) {
        this.fail(job, 'running', {
          errorClass: 'retryable',
          errorCode: 'FOLLOW_TIMEOUT',
          errorMessage: `The service has not finished this generation in ${Math.round(this.o.pollTimeoutMs / 60_000)} minutes. Retry keeps following it (no new charge).`,
        });
        return null;
      }
      if (!(await sleep(nextPollDelayMs({ elapsedMs: elapsed, status, consecutiveErrors: errors }), signal)))
        return null;
      const client = this.o.getClient();
      if (!client || !job.remoteId) {
        errors++;
        continue;
      }
      try {
        const gen = await client.get(job.remoteId, signal);
        errors = 0;
        const next = normalizeStatus(gen.status);
        if (gen.status !== job.remoteStatus) {
          this.s.jobs.patch(job.id, 'running', { remoteStatus: gen.status });
          job = { ...job, remoteStatus: gen.status };
        }
        status = next;
        if (isTerminal(next)) return gen;
      } catch (err) {
        if (signal.aborted) return null;
        errors++;
        if (err instanceof ApiError) {
          if (err.status === 404) {
            this.fail(job, 'running', {
              errorClass: 'job',
              errorCode: err.code,
              errorMessage: `The service no longer knows generation ${job.remoteId}: ${err.message}`,
            });
            return null;
          }
          if (err.kind === 'queue') this.setPaused(pauseReasonFor(err.status), err.message);
          if (err.offline) this.goOffline();
        }
        this.o.log.warn('poll failed', { job: job.id, err });
      }
    }
    return null;
  }

  private finish(job: JobRecord, gen: Generation): void {
    const status = normalizeStatus(gen.status);
    const usage = gen.usage ?? null;
    if (status === 'completed') {
      const r = this.s.jobs.transition(job.id, 'running', 'downloading', {
        remoteStatus: gen.status,
        result: gen,
        usage,
        credits: usage ? usage.total : null,
        actualPrompt: gen.data?.actual_prompt ?? null,
        completedAt: Date.now(),
        downloadAttempts: 0,
      });
      if (r) {
        this.emit('job', r);
        this.enqueueDownload(job.id);
      }
      return;
    }
    this.fail(job, 'running', {
      remoteStatus: gen.status,
      result: gen,
      usage,
      credits: usage ? usage.total : 0,
      errorClass: 'job',
      errorCode: gen.code ?? (status === 'canceled' ? 'CANCELED' : 'FAILED'),
      errorMessage:
        gen.message ??
        (status === 'canceled'
          ? 'The service canceled this generation.'
          : 'The service reported this generation as failed.'),
    });
  }

  // ── download ───────────────────────────────────────────────────────────────────────────────────────

  private enqueueDownload(id: number): void {
    if (this.downloading.has(id) || this.downloadQueue.includes(id)) return;
    this.downloadQueue.push(id);
    this.drainDownloads();
  }

  private drainDownloads(): void {
    while (
      this.isRunning &&
      this.downloadQueue.length > 0 &&
      this.downloading.size < this.o.settings().downloadConcurrency
    ) {
      const id = this.downloadQueue.shift()!;
      const ctl = new AbortController();
      this.downloading.set(id, ctl);
      this.track(
        this.download(id, ctl.signal)
          .catch((err: unknown) => this.o.log.error('download failed unexpectedly', { job: id, err }))
          .finally(() => {
            this.downloading.delete(id);
            this.drainDownloads();
            this.pump();
          }),
      );
    }
  }

  private async download(id: number, signal: AbortSignal): Promise<void> {
    let job = this.s.jobs.get(id);
    if (!job || job.state !== 'downloading' || !job.result) return;
    let images = resultImages(job.result);
    if (images.length === 0) {
      this.fail(job, 'downloading', {
        errorClass: 'job',
        errorCode: 'NO_IMAGES',
        errorMessage: 'The service finished without returning any image.',
      });
      return;
    }
    const have = new Set(
      this.s.assets
        .forJob(id)
        .filter((a) => existsSync(a.path))
        .map((a) => a.idx),
    );
    const dir = join(this.o.dataDir, 'library', DOWNLOAD_FOLDER_FORMAT(job.completedAt ?? Date.now()));
    const baseName = `${job.batchId}-${String(job.seq).padStart(4, '0')}-${slugForFile(job.prompt, 40)}`;
    // Fresh links are cheap (one poll) and an expired link is not the download's fault: they get their
    // own, larger allowance so a short-lived CDN link never exhausts the attempts meant for real failures.
    let refreshes = 0;
    for (let idx = 0; idx < images.length; idx++) {
      if (have.has(idx)) continue;
      for (;;) {
        if (signal.aborted) return;
        try {
          const img = await downloadImage({
            url: images[idx]!.url,
            dir,
            baseName: images.length > 1 ? `${baseName}-${idx + 1}` : baseName,
            signal,
            findExisting: (sha) => this.s.assets.pathForSha(sha),
            sameContent: sameImageIgnoringMetadata,
          });
          const stored = await this.annotate(job, img, idx);
          const assetId = this.s.assets.add({
            jobId: id,
            batchId: job.batchId,
            idx,
            sha256: img.sha256,
            fileSha256: stored.sha256,
            path: img.path,
            bytes: stored.bytes,
            width: img.width,
            height: img.height,
            format: img.format,
            prompt: job.prompt,
            source: 'generated',
            model: job.model,
            negativePrompt: job.input.negative_prompt ?? null,
            actualPrompt: job.actualPrompt,
            aspectRatio: job.input.aspect_ratio ?? null,
            imageSize: job.input.image_size ?? null,
            seed: job.input.seed ?? null,
            credits: job.credits === null ? null : job.credits / images.length,
            params: paramsOf(job.input),
          });
          const asset = this.s.assets.get(assetId);
          if (asset) {
            this.emit('asset', asset);
            void this.thumbs.enqueue(asset.path, stored.sha256);
          }
          break;
        } catch (err) {
          if (signal.aborted) return;
          const de = err instanceof DownloadError ? err : null;
          if (de?.kind === 'expired' && refreshes < MAX_LINK_REFRESHES) {
            refreshes++;
            const fresh = await this.refreshResult(job, signal);
            if (fresh) {
              job = fresh;
              images = resultImages(fresh.result!);
              continue;
            }
          }
          const attempts: number = job.downloadAttempts + 1;
          this.s.jobs.patch(id, 'downloading', { downloadAttempts: attempts });
          job = { ...job, downloadAttempts: attempts };
          this.o.log.warn('download failed', { job: id, idx, kind: de?.kind, err });
          if (de?.kind === 'disk') {
            this.setPaused('disk', de.message);
            return;
          }
          if (attempts >= this.o.maxDownloadAttempts) {
            this.fail(job, 'downloading', {
              errorClass: 'retryable',
              errorCode: de?.kind === 'expired' ? 'DOWNLOAD_EXPIRED' : 'DOWNLOAD_FAILED',
              errorMessage:
                `The image was generated (and paid for) but could not be downloaded after ${attempts} attempts: ` +
                `${(err as Error).message}. Retry downloads it again without a new charge.`,
            });
            return;
          }
          await sleep(backoffMs(attempts, { baseMs: 500, capMs: 30_000 }), signal);
        }
      }
    }
    const done = this.s.jobs.transition(id, 'downloading', 'done', {
      errorClass: null,
      errorCode: null,
      errorMessage: null,
    });
    if (done) this.emit('job', done);
  }

  /**
   * Writes the generation's parameters into the file (A1111 `parameters` text plus our JSON record) without
   * touching the pixels. A file shared with an earlier image (same bytes) keeps the record it already has.
   */
  private async annotate(
    job: JobRecord,
    img: DownloadedImage,
    idx: number,
  ): Promise<{ sha256: string; bytes: number }> {
    const current = await readFile(img.path);
    if (img.format === 'gif' || (img.reused && readMetadata(current).record)) {
      return { sha256: createHash('sha256').update(current).digest('hex'), bytes: current.length };
    }
    const batch = this.s.batches.get(job.batchId);
    const record: StudioRecord = {
      v: 1,
      app: 'qwen-studio',
      model: job.model,
      input: { ...job.input },
      prompt: job.prompt,
      negativePrompt: job.input.negative_prompt ?? null,
      actualPrompt: job.actualPrompt,
      remoteId: job.remoteId,
      batch: batch ? { id: batch.id, name: batch.name } : null,
      credits: job.credits === null ? null : job.credits / Math.max(1, job.numImages),
      referenceHashes: job.refHashes,
      seed: job.input.seed ?? null,
      createdAt: new Date(job.completedAt ?? Date.now()).toISOString(),
      downloadedSha256: img.sha256,
      width: img.width,
      height: img.height,
    };
    if (idx > 0) record.input = { ...record.input, image_index: idx };
    return embedMetadataInFile(img.path, img.format, { parameters: toA1111Parameters(record), record });
  }

  /** An expired link: ask the service for the generation again, which carries fresh URLs. */
  private async refreshResult(job: JobRecord, signal: AbortSignal): Promise<JobRecord | null> {
    const client = this.o.getClient();
    if (!client || !job.remoteId) return null;
    try {
      const gen = await client.get(job.remoteId, signal);
      if (normalizeStatus(gen.status) !== 'completed' || resultImages(gen).length === 0) return null;
      this.s.jobs.patch(job.id, 'downloading', { result: gen });
      return { ...job, result: gen };
    } catch (err) {
      this.o.log.warn('refreshing result URLs failed', { job: job.id, err });
      return null;
    }
  }

  /**
   * A killed process can leave `.partial-*` downloads behind. Only the lease holder downloads and we have
   * just taken the lease, so none of them is in use: remove them before the first download begins.
   */
  private sweepPartials(): void {
    const library = join(this.o.dataDir, 'library');
    if (!existsSync(library)) return;
    for (const month of readdirSync(library, { withFileTypes: true })) {
      if (!month.isDirectory()) continue;
      const dir = join(library, month.name);
      for (const name of readdirSync(dir)) {
        if (name.startsWith('.partial-')) rmSync(join(dir, name), { force: true });
      }
    }
  }

  // ── recovery, offline, helpers ─────────────────────────────────────────────────────────────────────

  private recover(jobs: JobRecord[]): void {
    const submitting = jobs.filter((j) => j.state === 'submitting' && !this.followers.has(j.id));
    for (const j of jobs) {
      if (j.state === 'running') this.launchFollow(j);
      else if (j.state === 'downloading') this.enqueueDownload(j.id);
    }
    if (submitting.length > 0) {
      this.o.log.info('reconciling creates interrupted by a crash', { jobs: submitting.map((j) => j.id) });
      // They hold a slot until we know whether the service has them.
      const ctl = new AbortController();
      for (const j of submitting) this.followers.set(j.id, ctl);
      this.track(
        this.reconcileAfterCrash(submitting).finally(() => {
          for (const j of submitting) if (this.followers.get(j.id) === ctl) this.followers.delete(j.id);
          this.pump();
        }),
      );
    }
  }

  private goOffline(): void {
    if (this.offline) return;
    this.offline = true;
    this.offlineSince = Date.now();
    this.o.log.warn('service unreachable: offline, probing');
    this.emitQueue();
    this.probe(0);
  }

  private probe(attempt: number): void {
    if (!this.isRunning) return;
    this.probeTimer = setTimeout(
      async () => {
        const client = this.o.getClient();
        try {
          if (!client) throw new Error('no client');
          await client.running(1);
          this.backOnline();
        } catch (err) {
          if (err instanceof ApiError && !err.offline) {
            // Reachable again, even if it does not like us (a 401 is handled by the next create).
            this.backOnline();
            return;
          }
          this.probe(attempt + 1);
        }
      },
      backoffMs(attempt, { baseMs: 1_000, capMs: 30_000 }),
    );
  }

  private backOnline(): void {
    this.offline = false;
    this.offlineSince = null;
    this.o.log.info('service reachable again');
    this.emitQueue();
    this.pump();
  }

  private setPaused(reason: PauseReason, message: string): void {
    const q = this.s.queue.get();
    if (q.paused && q.reason === reason && q.message === message) return;
    this.s.queue.set({ paused: true, reason, message });
    this.o.log.warn('queue paused', { reason, message });
    this.emitQueue();
  }

  private emitQueue(): void {
    this.emit('queue', this.status());
  }

  private requeue(job: JobRecord, patch: JobPatch, detail: string): void {
    const r = this.s.jobs.transition(job.id, 'submitting', 'queued', patch, detail);
    if (r) this.emit('job', r);
  }

  private fail(job: JobRecord, from: JobState, patch: JobPatch): void {
    const r = this.s.jobs.transition(job.id, from, 'failed', patch);
    if (r) this.emit('job', r);
  }

  private act(
    id: number,
    from: readonly JobState[],
    to: JobState,
    patch: JobPatch = {},
    detail?: string,
  ): JobRecord {
    const job = this.mustGet(id);
    if (!from.includes(job.state)) {
      const why =
        job.state === 'running' || job.state === 'submitting' || job.state === 'downloading'
          ? ' The service has already accepted it; it will finish and be kept.'
          : '';
      throw new Error(`Job ${id} is ${job.state}; this needs it to be ${from.join(' or ')}.${why}`);
    }
    const r = this.s.jobs.transition(id, job.state, to, patch, detail);
    if (!r) throw new Error(`Job ${id} changed state meanwhile; try again.`);
    this.emit('job', r);
    for (const b of this.s.batches.settleFinished()) this.emit('batch', b);
    this.pump();
    return r;
  }

  private mustGet(id: number): JobRecord {
    const job = this.s.jobs.get(id);
    if (!job) throw new Error(`There is no job ${id}.`);
    return job;
  }

  private reactivateBatch(batchId: number): void {
    const b = this.s.batches.get(batchId);
    if (b && b.status !== 'active') {
      this.s.batches.setStatus(batchId, 'active');
      this.emit('batch', batchId);
    }
  }

  private loadRefs(job: JobRecord): LocalFile[] {
    return job.refHashes.map((sha) => {
      const ref = this.s.refs.get(sha);
      if (!ref || !existsSync(ref.path)) {
        throw new Error(
          `Reference image ${sha.slice(0, 12)}… is missing from the data folder; add it again and retry.`,
        );
      }
      return { fileName: ref.fileName, contentType: ref.mime, data: readFileSync(ref.path) };
    });
  }

  private track(p: Promise<unknown>): void {
    this.tasks.add(p);
    void p.finally(() => this.tasks.delete(p));
  }

  private clearWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  private clearTimers(): void {
    this.clearWake();
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }
}

function pauseReasonFor(status: number | null): PauseReason {
  if (status === 402) return 'credits';
  if (status === 403) return 'forbidden';
  return 'auth';
}

/** A file already on disk is this image when, without the metadata we embed, it has the downloaded bytes. */
async function sameImageIgnoringMetadata(existingPath: string, sha256: string): Promise<boolean> {
  try {
    return (
      createHash('sha256')
        .update(stripMetadata(await readFile(existingPath)))
        .digest('hex') === sha256
    );
  } catch {
    return false;
  }
}

/** The request parameters an image was made with, for the library (the prompt has its own column). */
function paramsOf(input: GenerationInput): Record<string, unknown> {
  const { prompt: _prompt, ...rest } = input;
  return rest;
}
