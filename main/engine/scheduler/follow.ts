// Following a generation from its create to a terminal state: the create's own answer or event stream
// first, then polling (backing off, giving up after `pollTimeoutMs` with a job that Retry follows again).
// The terminal state decides: COMPLETED → downloading, FAILED → failed, CANCELED (from outside, e.g. the
// dashboard) → canceled, never re-sent. Credits come from the terminal state only.
import { finalUsage, isTerminal, normalizeStatus, type Generation } from '../../../shared/api.ts';
import { ApiError } from '../api/errors.ts';
import { isStorageFault } from '../files/storage-fault.ts';
import { nextPollDelayMs } from '../api/poll.ts';
import type { JobRecord } from '../store/jobs.ts';
import type { Connectivity } from './connectivity.ts';
import { failJob, moveJob, pauseReasonFor, type SchedulerContext } from './context.ts';
import type { Submitter } from './submit.ts';

export const CANCELED_BY_SERVICE = 'canceled by the service';

export class Following {
  private readonly ctx: SchedulerContext;
  private readonly conn: Connectivity;
  private readonly submitter: Submitter;
  private readonly onCompleted: (jobId: number) => void;
  /** Jobs whose generation we are creating or following (each occupies a slot at the service). */
  private readonly followers = new Map<number, AbortController>();

  constructor(
    ctx: SchedulerContext,
    conn: Connectivity,
    submitter: Submitter,
    onCompleted: (jobId: number) => void,
  ) {
    this.ctx = ctx;
    this.conn = conn;
    this.submitter = submitter;
    this.onCompleted = onCompleted;
  }

  get size(): number {
    return this.followers.size;
  }

  has(jobId: number): boolean {
    return this.followers.has(jobId);
  }

  abortAll(): void {
    for (const c of this.followers.values()) c.abort();
  }

  /**
   * Submits (when `submitting`) and follows the job in the background. `since` starts the follow's time
   * limit afresh (a person's Retry of a timed-out follow); by default it runs from the acceptance.
   */
  launch(job: JobRecord, since?: number): void {
    if (this.followers.has(job.id)) return;
    const ctl = new AbortController();
    this.followers.set(job.id, ctl);
    this.ctx.track(
      this.follow(job, ctl.signal, since)
        .catch((err: unknown) => this.ctx.taskFailed(err, 'following a generation'))
        .finally(() => {
          this.followers.delete(job.id);
          this.ctx.emitQueue();
          this.ctx.pump();
        }),
    );
    this.ctx.emitQueue();
  }

  /** Jobs left `submitting` by a crash hold slots while the running list is searched for them. */
  reconcileAfterCrash(jobs: JobRecord[]): void {
    const ctl = new AbortController();
    for (const j of jobs) this.followers.set(j.id, ctl);
    this.ctx.track(
      this.submitter
        .reconcileAfterCrash(jobs, ctl.signal, (r) => {
          if (this.followers.get(r.id) === ctl) this.followers.delete(r.id);
          this.launch(r);
        })
        .catch((err: unknown) => this.ctx.taskFailed(err, 'reconciling after a restart'))
        .finally(() => {
          for (const j of jobs) if (this.followers.get(j.id) === ctl) this.followers.delete(j.id);
          this.ctx.pump();
        }),
    );
  }

  private async follow(job: JobRecord, signal: AbortSignal, since?: number): Promise<void> {
    let gen: Generation | null = null;
    if (job.state === 'submitting') {
      const out = await this.submitter.submit(job, signal);
      if (!out) return;
      if ('gen' in out) gen = out.gen;
      const now = this.ctx.stores.jobs.get(job.id);
      if (!now || now.state !== 'running') return;
      job = now;
    }
    if (!gen || !isTerminal(normalizeStatus(gen.status))) gen = await this.poll(job, signal, since);
    if (gen) this.finish(job, gen);
  }

  private async poll(job: JobRecord, signal: AbortSignal, since?: number): Promise<Generation | null> {
    const { ctx } = this;
    const started = since ?? job.acceptedAt ?? ctx.clock.now();
    let status = normalizeStatus(job.remoteStatus);
    let errors = 0;
    while (!signal.aborted) {
      const elapsed = ctx.clock.now() - started;
      if (elapsed > ctx.limits.pollTimeoutMs) {
        failJob(ctx, job, 'running', {
          errorClass: 'retryable',
          errorCode: 'FOLLOW_TIMEOUT',
          errorMessage: `The service has not finished this generation in ${Math.round(ctx.limits.pollTimeoutMs / 60_000)} minutes. Retry keeps following it (no new charge).`,
        });
        return null;
      }
      const delay = nextPollDelayMs({ elapsedMs: elapsed, status, consecutiveErrors: errors });
      if (!(await ctx.clock.sleep(delay, signal))) return null;
      const client = ctx.getClient();
      if (!client || !job.remoteId) {
        errors++;
        continue;
      }
      try {
        const gen = await client.get(job.remoteId, signal);
        errors = 0;
        const next = normalizeStatus(gen.status);
        if (gen.status !== job.remoteStatus) {
          ctx.stores.jobs.patch(job.id, 'running', { remoteStatus: gen.status });
          job = { ...job, remoteStatus: gen.status };
        }
        status = next;
        if (isTerminal(next)) return gen;
      } catch (err) {
        if (signal.aborted) return null;
        // Our own storage failing (the catalog could not record the status) is not the service's error:
        // the queue pauses "disk", and Resume follows the job again (no new charge).
        if (isStorageFault(err)) throw err;
        errors++;
        if (err instanceof ApiError) {
          if (err.status === 404) {
            failJob(ctx, job, 'running', {
              errorClass: 'job',
              errorCode: err.code,
              errorMessage: `The service no longer knows generation ${job.remoteId}: ${err.message}`,
            });
            return null;
          }
          if (err.kind === 'queue') ctx.setPaused(pauseReasonFor(err.status), err.message);
          this.conn.noteError(err);
        }
        ctx.log.warn('poll failed', { job: job.id, err });
      }
    }
    return null;
  }

  private finish(job: JobRecord, gen: Generation): void {
    const { ctx } = this;
    const status = normalizeStatus(gen.status);
    const usage = finalUsage(gen);
    if (status === 'completed') {
      const r = moveJob(ctx, job, 'running', 'downloading', {
        remoteStatus: gen.status,
        result: gen,
        usage,
        credits: usage ? usage.total : null,
        actualPrompt: gen.data?.actual_prompt ?? null,
        completedAt: ctx.clock.now(),
        downloadAttempts: 0,
      });
      if (r) this.onCompleted(job.id);
      return;
    }
    const common = { remoteStatus: gen.status, result: gen, usage, credits: usage ? usage.total : 0 };
    if (status === 'canceled') {
      moveJob(
        ctx,
        job,
        'running',
        'canceled',
        {
          ...common,
          errorClass: 'job',
          errorCode: gen.code ?? 'CANCELED',
          errorMessage:
            `Canceled by the service${gen.message ? `: ${gen.message}` : ' (for example from its dashboard)'}. ` +
            'It is not sent again; Retry sends it anew.',
        },
        CANCELED_BY_SERVICE,
      );
      return;
    }
    failJob(ctx, job, 'running', {
      ...common,
      errorClass: 'job',
      errorCode: gen.code ?? 'FAILED',
      errorMessage: gen.message ?? 'The service reported this generation as failed.',
    });
  }
}
