// What a person can do to jobs and batches. Only work not yet at the service can be canceled (there is no
// cancel endpoint, and accepted work is paid for); a retry never pays twice unless the person chose it for
// an uncertain job.
import { isTerminal, normalizeStatus } from '../../../shared/api.ts';
import type { JobState } from '../../../shared/domain.ts';
import type { JobPatch, JobRecord } from '../store/jobs.ts';
import type { SchedulerContext } from './context.ts';
import type { Downloads } from './downloads.ts';
import type { Following } from './follow.ts';
import { StudioError } from '../errors.ts';

export class UserActions {
  private readonly ctx: SchedulerContext;
  private readonly following: Following;
  private readonly downloads: Downloads;

  constructor(ctx: SchedulerContext, following: Following, downloads: Downloads) {
    this.ctx = ctx;
    this.following = following;
    this.downloads = downloads;
  }

  pauseJob(id: number): JobRecord {
    return this.act(id, ['queued'], 'paused');
  }

  resumeJob(id: number): JobRecord {
    return this.act(id, ['paused'], 'queued');
  }

  cancelJob(id: number): JobRecord {
    return this.act(id, ['queued', 'paused', 'uncertain', 'failed'], 'canceled', {}, 'canceled by user');
  }

  /**
   * Retry a failed, canceled or uncertain job. A failure after the service finished (a lost download) is
   * retried by downloading again, a timed-out follow by following again: neither pays twice. Only a job the
   * service never finished is created anew (for `uncertain`, this is the person's explicit choice).
   */
  retryJob(id: number): JobRecord {
    const { stores } = this.ctx;
    const job = this.mustGet(id);
    let next: JobRecord | null = null;
    const clear: JobPatch = { errorClass: null, errorCode: null, errorMessage: null };
    if (job.state === 'failed' && job.result && normalizeStatus(job.result.status) === 'completed') {
      next = stores.jobs.transition(
        id,
        'failed',
        'downloading',
        { ...clear, downloadAttempts: 0 },
        'retry download',
      );
      // Only the runner of the queue downloads and follows: elsewhere the change is written for it to act on.
      if (next && this.ctx.isRunning()) this.downloads.enqueue(id);
    } else if (job.state === 'failed' && job.remoteId && !isTerminal(normalizeStatus(job.remoteStatus))) {
      next = stores.jobs.transition(id, 'failed', 'running', clear, 'retry follow');
      if (next && this.ctx.isRunning()) this.following.launch(next, this.ctx.clock.now());
    } else if (job.state === 'failed' || job.state === 'canceled' || job.state === 'uncertain') {
      next = stores.jobs.transition(
        id,
        job.state,
        'queued',
        { ...clear, remoteId: null, remoteStatus: null, result: null, attempts: 0, nextAttemptAt: null },
        job.state === 'uncertain' ? 'retry uncertain (may be charged twice)' : 'retry',
      );
    }
    if (!next)
      throw new StudioError(
        'CONFLICT',
        `Job ${id} is ${job.state}; only failed, canceled or uncertain jobs can be retried.`,
      );
    this.reactivateBatch(next.batchId);
    this.ctx.emit('job', next);
    this.ctx.pump();
    return next;
  }

  /** Drop an uncertain job: it is not re-sent (if the service did run it, its result is not followed). */
  dropUncertain(id: number): JobRecord {
    return this.act(id, ['uncertain'], 'canceled', {}, 'dropped uncertain');
  }

  /**
   * A job another process moved on (a `qwen-studio retry` or `drop` while this one runs the queue): shown,
   * and followed or downloaded here when that is what it now needs. Never sent: a job put back in the queue
   * is picked up by the loop like any other. Jobs this process already follows or downloads are left as they are.
   */
  adopt(job: JobRecord, diskPaused: boolean): void {
    this.ctx.emit('job', job);
    if (job.state === 'running' && !this.following.has(job.id))
      this.following.launch(job, this.ctx.clock.now());
    else if (job.state === 'downloading' && !diskPaused) this.downloads.enqueue(job.id);
  }

  pauseBatch(batchId: number): void {
    if (this.ctx.stores.batches.setStatus(batchId, 'paused', 'user')) this.ctx.emit('batch', batchId);
  }

  resumeBatch(batchId: number): void {
    const b = this.ctx.stores.batches.get(batchId);
    if (!b || b.status === 'canceled') return;
    this.reactivateBatch(batchId);
    this.ctx.pump();
  }

  cancelBatch(batchId: number): number {
    const { stores } = this.ctx;
    let n = 0;
    for (const j of stores.jobs.inStates(['queued', 'paused', 'uncertain'], batchId)) {
      const r = stores.jobs.transition(j.id, j.state, 'canceled', {}, 'batch canceled');
      if (r) {
        n++;
        this.ctx.emit('job', r);
      }
    }
    stores.batches.setStatus(batchId, 'canceled');
    this.ctx.emit('batch', batchId);
    this.ctx.pump();
    return n;
  }

  retryBatch(batchId: number): number {
    let n = 0;
    for (const j of this.ctx.stores.jobs.inStates(['failed'], batchId)) {
      this.retryJob(j.id);
      n++;
    }
    return n;
  }

  private act(
    id: number,
    from: readonly JobState[],
    to: JobState,
    patch: JobPatch = {},
    detail?: string,
  ): JobRecord {
    const { stores } = this.ctx;
    const job = this.mustGet(id);
    if (!from.includes(job.state)) {
      const why =
        job.state === 'running' || job.state === 'submitting' || job.state === 'downloading'
          ? ' The service has already accepted it; it will finish and be kept.'
          : '';
      throw new StudioError(
        'CONFLICT',
        `Job ${id} is ${job.state}; this needs it to be ${from.join(' or ')}.${why}`,
      );
    }
    const r = stores.jobs.transition(id, job.state, to, patch, detail);
    if (!r) throw new StudioError('CONFLICT', `Job ${id} changed state meanwhile; try again.`);
    this.ctx.emit('job', r);
    for (const b of stores.batches.settleFinished()) this.ctx.emit('batch', b);
    this.ctx.pump();
    return r;
  }

  private mustGet(id: number): JobRecord {
    const job = this.ctx.stores.jobs.get(id);
    if (!job) throw new StudioError('NOT_FOUND', `There is no job ${id}.`);
    return job;
  }

  private reactivateBatch(batchId: number): void {
    const b = this.ctx.stores.batches.get(batchId);
    if (b && b.status !== 'active') {
      this.ctx.stores.batches.setStatus(batchId, 'active');
      this.ctx.emit('batch', batchId);
    }
  }
}
