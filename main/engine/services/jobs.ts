// Jobs: listing them, the per-job actions (pause, resume, cancel, retry, drop an uncertain one), and edits of
// a job that was never sent. Every action checks the job exists first and tells the views what changed.
import type { JobCounts, JobRow, JobState } from '../../../shared/domain.ts';
import type { JobEdit, JobEditor } from '../batch/job-edit.ts';
import { StudioError } from '../errors.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { JobRecord } from '../store/jobs.ts';
import type { Stores } from '../store/stores.ts';
import type { BatchService } from './batches.ts';
import type { StudioEventBus } from './events.ts';

export type { JobRecord } from '../store/jobs.ts';

/** What the page may see of a job: the row, without the raw remote answer (which holds signed URLs). */
export function toJobRow(j: JobRecord): JobRow {
  return {
    id: j.id,
    batchId: j.batchId,
    seq: j.seq,
    state: j.state,
    prompt: j.prompt,
    input: j.input,
    refHashes: j.refHashes,
    remoteId: j.remoteId,
    remoteStatus: j.remoteStatus,
    attempts: j.attempts,
    errorClass: j.errorClass,
    errorCode: j.errorCode,
    errorMessage: j.errorMessage,
    credits: j.credits,
    actualPrompt: j.actualPrompt,
    cell: j.cell,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
  };
}

export interface JobDeps {
  stores: Stores;
  scheduler: Scheduler;
  events: StudioEventBus;
  jobEditor: JobEditor;
  batches: BatchService;
}

export interface JobQuery {
  batchId?: number;
  states?: readonly JobState[];
  offset?: number;
  limit?: number;
}

export class JobService {
  private readonly d: JobDeps;

  constructor(d: JobDeps) {
    this.d = d;
  }

  /** One job; NOT_FOUND when there is no such job. */
  get(id: number): JobRecord {
    const j = this.d.stores.jobs.get(id);
    if (!j)
      throw new StudioError(
        'NOT_FOUND',
        `Job ${id} does not exist (it may belong to a deleted data folder).`,
      );
    return j;
  }

  /** One job, or null. */
  find(id: number): JobRecord | null {
    return this.d.stores.jobs.get(id);
  }

  /** Each job of a batch with its state: a cheap snapshot for following a batch run elsewhere. */
  states(batchId: number): { id: number; state: JobState }[] {
    return this.d.stores.jobs.states(batchId);
  }

  list(q: JobQuery): { total: number; rows: JobRecord[] } {
    return this.d.stores.jobs.list(q);
  }

  /** The jobs in these states (of one batch, or all), in queue order. */
  inStates(states: readonly JobState[], batchId?: number): JobRecord[] {
    return this.d.stores.jobs.inStates(states, batchId);
  }

  counts(batchId?: number): JobCounts {
    return this.d.stores.jobs.counts(batchId);
  }

  pause(id: number): JobRecord {
    this.get(id);
    return this.d.scheduler.pauseJob(id);
  }

  resume(id: number): JobRecord {
    this.get(id);
    return this.d.scheduler.resumeJob(id);
  }

  cancel(id: number): JobRecord {
    this.get(id);
    return this.d.scheduler.cancelJob(id);
  }

  /** A failed, canceled or uncertain job goes back to the queue (an uncertain one only when told so). */
  retry(id: number): JobRecord {
    this.get(id);
    return this.d.scheduler.retryJob(id);
  }

  /** Gives up on an uncertain job: it is not sent again. */
  drop(id: number): JobRecord {
    this.get(id);
    return this.d.scheduler.dropUncertain(id);
  }

  /** Edits a queued or paused job that was never sent (prompt and parameters). */
  edit(id: number, edit: JobEdit): JobRecord {
    this.get(id);
    this.d.jobEditor.editQueued(id, edit);
    const j = this.get(id);
    this.d.events.emit('job', j);
    this.d.batches.changed(j.batchId);
    return j;
  }

  /** Retries a failed or canceled job with other parameters (a new generation; the old one stays paid). */
  retryWith(id: number, edit: JobEdit): JobRecord {
    this.get(id);
    this.d.jobEditor.editFailed(id, edit);
    return this.d.scheduler.retryJob(id);
  }
}
