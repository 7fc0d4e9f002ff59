// Sending a create and deciding what its answer means. The job is `submitting` (claimed), and marked sent
// (`sentAt`, in the same row) the moment its request is about to be written to the network; an answer with
// an id moves it to `running` in the same step that stores the id. After a crash only marked jobs can hide an
// accepted generation: they are looked for; unmarked ones never left the process and are queued again. A failure that
// proves refusal sends the job back to the queue (or fails it, or pauses everything); a failure that may
// hide an accepted, billed generation (`maybeSent`) is reconciled against the running list — never re-sent.
import type { Generation, RunningItem } from '../../../shared/api.ts';
import type { LocalFile } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';
import type { JobRecord } from '../store/jobs.ts';
import { backoffMs } from './backoff.ts';
import type { Connectivity } from './connectivity.ts';
import { failJob, moveJob, pauseReasonFor, requeueJob, type SchedulerContext } from './context.ts';
import { matchRunning } from './reconcile.ts';
import { storedFile } from '../files/stored-file.ts';
import { isStorageFault } from '../files/storage-fault.ts';

/** `gen`: the create's answer (maybe already terminal); `poll`: accepted, follow by polling; null: done here. */
export type SubmitOutcome = { gen: Generation } | { poll: true } | null;

export const UNCERTAIN_MESSAGE =
  'The service may have accepted this generation, but its answer was lost and it is not in the running list. ' +
  'Retry (you may be charged twice) or drop it.';

export class Submitter {
  private readonly ctx: SchedulerContext;
  private readonly conn: Connectivity;
  /** Creates sent whose answer has not come yet: a clean stop waits for them. */
  private readonly unanswered = new Set<number>();
  /**
   * Accepted generations whose id could not be stored (our storage failed at that moment): kept here so
   * Resume attaches the job to its generation instead of searching the running list for it.
   */
  private readonly unstored = new Map<number, Generation>();

  constructor(ctx: SchedulerContext, conn: Connectivity) {
    this.ctx = ctx;
    this.conn = conn;
  }

  get unansweredCount(): number {
    return this.unanswered.size;
  }

  async submit(job: JobRecord, signal: AbortSignal): Promise<SubmitOutcome> {
    const { ctx } = this;
    const client = ctx.getClient();
    if (!client) {
      requeueJob(ctx, job, { attempts: job.attempts - 1 }, 'no API key');
      return null;
    }
    let files: LocalFile[];
    try {
      files = this.loadRefs(job);
    } catch (err) {
      failJob(ctx, job, 'submitting', {
        errorClass: 'job',
        errorCode: 'REFERENCE_MISSING',
        errorMessage: (err as Error).message,
      });
      return null;
    }
    let accepted = false;
    const accept = (gen: Generation) => {
      if (accepted) {
        ctx.stores.jobs.patch(job.id, 'running', { remoteStatus: gen.status });
        return;
      }
      accepted = true;
      this.unanswered.delete(job.id);
      // The id is stored in the same step that moves the job on. A `usage` in this answer is not counted:
      // credits come from the terminal state only.
      try {
        moveJob(ctx, job, 'submitting', 'running', {
          remoteId: gen.id,
          remoteStatus: gen.status,
          acceptedAt: ctx.clock.now(),
        });
      } catch (err) {
        this.unstored.set(job.id, gen);
        throw err;
      }
      this.conn.onAccepted();
    };
    // Durable before the first byte leaves: a mark that cannot be written stops the request unsent.
    let markError: unknown = null;
    const markSent = () => {
      try {
        if (!ctx.stores.jobs.patch(job.id, 'submitting', { sentAt: ctx.clock.now() }))
          throw new Error(`job ${job.id} is no longer being submitted`);
      } catch (err) {
        markError = err;
        throw err;
      }
    };
    this.unanswered.add(job.id);
    try {
      if (files.length === 0 && ctx.settings().stream) {
        const gen = await client.createStream(job.model, job.input, accept, signal, markSent);
        return { gen };
      }
      const gen = await client.create(job.model, job.input, files, signal, markSent);
      accept(gen);
      return { gen };
    } catch (err) {
      if (this.unstored.has(job.id)) throw err; // a storage fault: the scheduler pauses, Resume attaches
      if (markError !== null) {
        // Never sent. Our storage failed: the scheduler pauses, Resume queues the job again.
        if (isStorageFault(markError)) throw markError;
        return null;
      }
      if (accepted) {
        // The stream dropped after the id was stored: follow by polling.
        return signal.aborted ? null : { poll: true };
      }
      if (signal.aborted && ctx.isStopping()) return null; // left `submitting`: reconciled at next start
      return this.onError(job, err, signal);
    } finally {
      this.unanswered.delete(job.id);
    }
  }

  private async onError(job: JobRecord, err: unknown, signal: AbortSignal): Promise<SubmitOutcome> {
    const { ctx } = this;
    if (!(err instanceof ApiError)) {
      failJob(ctx, job, 'submitting', {
        errorClass: 'job',
        errorCode: 'INTERNAL',
        errorMessage: String((err as Error)?.message ?? err),
      });
      return null;
    }
    ctx.log.warn('create failed', {
      job: job.id,
      kind: err.kind,
      status: err.status,
      code: err.code,
      maybeSent: err.maybeSent,
    });
    // Whatever else the answer says, a create that may have been accepted is looked for, never re-sent.
    // A key or credits answer that is not the service's own (a proxy's 401 page) still stops new creates.
    if (err.maybeSent) {
      if (err.kind === 'queue') ctx.setPaused(pauseReasonFor(err.status), err.message);
      return this.reconcileOne(job, signal);
    }
    if (err.kind === 'job') {
      failJob(ctx, job, 'submitting', { errorClass: 'job', errorCode: err.code, errorMessage: err.message });
      return null;
    }
    if (err.kind === 'queue') {
      requeueJob(
        ctx,
        job,
        { attempts: job.attempts - 1, errorClass: 'queue', errorCode: err.code, errorMessage: err.message },
        'queue paused',
      );
      ctx.setPaused(pauseReasonFor(err.status), err.message);
      return null;
    }
    const now = ctx.clock.now();
    if (err.status === 429) {
      const wait = this.conn.onRateLimited(err);
      requeueJob(ctx, job, { attempts: job.attempts - 1, nextAttemptAt: now + wait }, 'rate limited');
      return null;
    }
    if (err.offline) {
      this.conn.goOffline();
      requeueJob(ctx, job, { attempts: job.attempts - 1 }, 'offline');
      return null;
    }
    if (job.attempts >= ctx.limits.maxSubmitAttempts) {
      failJob(ctx, job, 'submitting', {
        errorClass: 'retryable',
        errorCode: err.code,
        errorMessage: `Gave up after ${job.attempts} attempts: ${err.message}`,
      });
      return null;
    }
    const wait = err.retryAfterMs ?? backoffMs(job.attempts, { baseMs: 1_000, capMs: 60_000 });
    requeueJob(
      ctx,
      job,
      { nextAttemptAt: now + wait, errorClass: 'retryable', errorCode: err.code, errorMessage: err.message },
      'retry later',
    );
    return null;
  }

  /** A create may have been accepted: look for it in the running list before deciding anything. */
  private async reconcileOne(job: JobRecord, signal: AbortSignal): Promise<SubmitOutcome> {
    let found = false;
    const left = await this.lookForCreates([job], signal, (j, hit) => {
      found = this.attach(j, hit, 'matched in running list after a lost answer') !== null;
    });
    if (found) return { poll: true };
    if (left) for (const j of left) this.markUncertain(j);
    return null;
  }

  /**
   * Of the jobs left `submitting` (a crash, a storage fault), those never marked sent are queued again — their
   * create never left this process, so sending it cannot pay twice. Returns the marked ones, to be looked for.
   */
  requeueUnsent(jobs: JobRecord[]): JobRecord[] {
    const sent: JobRecord[] = [];
    for (const j of jobs) {
      if (j.sentAt !== null || this.unstored.has(j.id)) sent.push(j);
      else
        requeueJob(
          this.ctx,
          j,
          { attempts: Math.max(0, j.attempts - 1) },
          'never sent before a restart: queued again',
        );
    }
    return sent;
  }

  /** Jobs left `submitting` by a crash: look for them all in the running list; follow those found. */
  async reconcileAfterCrash(
    jobs: JobRecord[],
    signal: AbortSignal,
    follow: (job: JobRecord) => void,
  ): Promise<void> {
    const searched: JobRecord[] = [];
    for (const j of jobs) {
      const gen = this.unstored.get(j.id);
      if (!gen) {
        searched.push(j);
        continue;
      }
      const r = this.attach(j, { id: gen.id, status: gen.status }, 'accepted while storage was failing');
      this.unstored.delete(j.id);
      if (r) follow(r);
    }
    if (searched.length === 0) return;
    const left = await this.lookForCreates(searched, signal, (j, hit) => {
      const r = this.attach(j, hit, 'matched in running list after restart');
      if (r) follow(r);
    });
    if (left) for (const j of left) this.markUncertain(j);
  }

  /**
   * Reads the running list up to `reconcileLooks` times, `reconcileSpacingMs` apart (a fresh generation may
   * not be listed yet), calling `found` for each job matched on its exact input. A list that cannot be read
   * does not count as a look (waits with backoff instead). Returns the jobs never found, or null when
   * aborted (they stay `submitting` and are reconciled at the next start).
   */
  private async lookForCreates(
    jobs: JobRecord[],
    signal: AbortSignal,
    found: (job: JobRecord, hit: RunningItem) => void,
  ): Promise<JobRecord[] | null> {
    const { ctx } = this;
    let pending = jobs;
    let looks = 0;
    let failures = 0;
    while (!signal.aborted) {
      const list = await this.readRunning(signal);
      let wait: number;
      if (list) {
        looks++;
        const matches = matchRunning(
          pending.map((j) => ({ jobId: j.id, input: j.input })),
          list,
          ctx.stores.jobs.knownRemoteIds(),
        );
        const still: JobRecord[] = [];
        for (const j of pending) {
          const hit = matches.get(j.id);
          if (hit) found(j, hit);
          else still.push(j);
        }
        pending = still;
        if (pending.length === 0 || looks >= ctx.limits.reconcileLooks) return pending;
        wait = ctx.limits.reconcileSpacingMs;
      } else {
        wait = backoffMs(failures++, { baseMs: 1_000, capMs: 30_000 });
      }
      if (!(await ctx.clock.sleep(wait, signal))) break;
    }
    return null;
  }

  private async readRunning(signal: AbortSignal): Promise<RunningItem[] | null> {
    const client = this.ctx.getClient();
    if (!client) return null;
    try {
      return await client.running(100, signal);
    } catch (err) {
      if (!signal.aborted) this.ctx.log.warn('running list failed during reconcile', { err });
      this.conn.noteError(err);
      return null;
    }
  }

  private attach(job: JobRecord, hit: RunningItem, detail: string): JobRecord | null {
    return moveJob(
      this.ctx,
      job,
      'submitting',
      'running',
      { remoteId: hit.id, remoteStatus: hit.status, acceptedAt: this.ctx.clock.now() },
      detail,
    );
  }

  private markUncertain(job: JobRecord): void {
    moveJob(this.ctx, job, 'submitting', 'uncertain', {
      errorClass: null,
      errorCode: 'UNCERTAIN',
      errorMessage: UNCERTAIN_MESSAGE,
    });
  }

  private loadRefs(job: JobRecord): LocalFile[] {
    const { stores, fs } = this.ctx;
    return job.refHashes.map((sha, i) => {
      const ref = stores.refs.get(sha);
      // The row's path is read only if it really is inside refs/ (or the library): the one gate for rows.
      const file = ref ? storedFile(this.ctx.dataDir, ref.path) : null;
      if (!ref || !file || !fs.exists(file)) {
        throw new Error(
          `Reference image ${sha.slice(0, 12)}… is missing from the data folder; add it again and retry.`,
        );
      }
      // Its place among all the references: the service receives them in the order the person gave.
      const position = job.refPositions[i];
      return {
        fileName: ref.fileName,
        contentType: ref.mime,
        data: fs.readFile(file),
        ...(position === undefined ? {} : { position }),
      };
    });
  }
}
