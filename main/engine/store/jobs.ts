import {
  generationInputSchema,
  generationSchema,
  type Generation,
  type GenerationInput,
  type Model,
  type Usage,
} from '../../../shared/api.ts';
import {
  JOB_STATES,
  canTransition,
  type ErrorClass,
  type JobCounts,
  type JobRow,
  type JobState,
} from '../../../shared/domain.ts';
import type { DB } from './db.ts';
import { StudioError } from '../errors.ts';

/** A job as the engine sees it: the row with its JSON columns parsed and validated. */
export interface JobRecord extends JobRow {
  /** Each reference file's place among all the references, parallel to refHashes (see PlannedJob). */
  refPositions: number[];
  model: Model;
  template: string;
  bindings: string[];
  origin: string | null;
  numImages: number;
  result: Generation | null;
  usage: Usage | null;
  downloadAttempts: number;
  nextAttemptAt: number | null;
  submittedAt: number | null;
  /** When its create was about to be written to the network (null: claimed, never sent — safe to send). */
  sentAt: number | null;
  acceptedAt: number | null;
  completedAt: number | null;
}

/** Columns a transition may change besides the state. */
export interface JobPatch {
  remoteId?: string | null;
  remoteStatus?: string | null;
  result?: Generation | null;
  actualPrompt?: string | null;
  usage?: Usage | null;
  credits?: number | null;
  attempts?: number;
  downloadAttempts?: number;
  nextAttemptAt?: number | null;
  errorClass?: ErrorClass | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  submittedAt?: number | null;
  sentAt?: number | null;
  acceptedAt?: number | null;
  completedAt?: number | null;
}

const PATCH_COLUMNS: Record<keyof JobPatch, string> = {
  remoteId: 'remote_id',
  remoteStatus: 'remote_status',
  result: 'result_json',
  actualPrompt: 'actual_prompt',
  usage: 'usage_json',
  credits: 'credits',
  attempts: 'attempts',
  downloadAttempts: 'download_attempts',
  nextAttemptAt: 'next_attempt_at',
  errorClass: 'error_class',
  errorCode: 'error_code',
  errorMessage: 'error_message',
  submittedAt: 'submitted_at',
  sentAt: 'sent_at',
  acceptedAt: 'accepted_at',
  completedAt: 'completed_at',
};
const JSON_PATCH_KEYS = new Set<keyof JobPatch>(['result', 'usage']);

export interface BatchStats {
  spent: number;
  /** Finished jobs, and when the first of them was submitted and the last completed (for the ETA). */
  done: number;
  firstSubmitted: number | null;
  lastCompleted: number | null;
}

export class IllegalTransitionError extends StudioError {
  constructor(jobId: number, from: JobState, to: JobState) {
    super('CONFLICT', `Job ${jobId} cannot move from ${from} to ${to}.`);
    this.name = 'IllegalTransitionError';
  }
}

interface JobDbRow {
  id: number;
  batch_id: number;
  seq: number;
  state: JobState;
  model: Model;
  prompt: string;
  input_json: string;
  ref_hashes: string;
  ref_positions: string | null;
  template: string;
  bindings_json: string;
  cell_json: string | null;
  origin: string | null;
  num_images: number;
  remote_id: string | null;
  remote_status: string | null;
  result_json: string | null;
  actual_prompt: string | null;
  usage_json: string | null;
  credits: number | null;
  attempts: number;
  download_attempts: number;
  next_attempt_at: number | null;
  error_class: ErrorClass | null;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  submitted_at: number | null;
  sent_at: number | null;
  accepted_at: number | null;
  completed_at: number | null;
  updated_at: number;
}

function toRecord(r: JobDbRow): JobRecord {
  // Parse what we read back: a row written by an older build, or edited by hand, fails loudly here
  // instead of sending a malformed request to a paid API.
  const input = generationInputSchema.parse(JSON.parse(r.input_json)) as GenerationInput;
  const refHashes = JSON.parse(r.ref_hashes) as string[];
  return {
    id: r.id,
    batchId: r.batch_id,
    seq: r.seq,
    state: r.state,
    model: r.model,
    prompt: r.prompt,
    input,
    refHashes,
    refPositions: refPositionsOf(r, refHashes.length),
    template: r.template,
    bindings: JSON.parse(r.bindings_json) as string[],
    cell: r.cell_json ? (JSON.parse(r.cell_json) as number[]) : null,
    origin: r.origin,
    numImages: r.num_images,
    remoteId: r.remote_id,
    remoteStatus: r.remote_status,
    result: r.result_json ? generationSchema.parse(JSON.parse(r.result_json)) : null,
    actualPrompt: r.actual_prompt,
    usage: r.usage_json ? (JSON.parse(r.usage_json) as Usage) : null,
    credits: r.credits,
    attempts: r.attempts,
    downloadAttempts: r.download_attempts,
    nextAttemptAt: r.next_attempt_at,
    errorClass: r.error_class,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    createdAt: r.created_at,
    submittedAt: r.submitted_at,
    sentAt: r.sent_at,
    acceptedAt: r.accepted_at,
    completedAt: r.completed_at,
    updatedAt: r.updated_at,
  };
}

/** A row stored before positions were kept sends its files first, as it always did. */
function refPositionsOf(r: JobDbRow, files: number): number[] {
  if (r.ref_positions === null) return Array.from({ length: files }, (_, i) => i);
  return JSON.parse(r.ref_positions) as number[];
}

export function emptyCounts(): JobCounts {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as JobCounts;
}

export class JobStore {
  private readonly db: DB;
  private readonly byId;
  private readonly event;

  constructor(db: DB) {
    this.db = db;
    this.byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.event = db.prepare(
      'INSERT INTO job_events (job_id, at, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?)',
    );
  }

  get(id: number): JobRecord | null {
    const row = this.byId.get(id) as JobDbRow | undefined;
    return row ? toRecord(row) : null;
  }

  /**
   * Moves a job from one state to another in one statement that also checks the state it was in, so two
   * actors (the scheduler and a person pressing Cancel) can never both win. Returns the new record, or
   * null when the job was no longer in `from`.
   */
  transition(
    id: number,
    from: JobState,
    to: JobState,
    patch: JobPatch = {},
    detail?: string,
  ): JobRecord | null {
    if (!canTransition(from, to)) throw new IllegalTransitionError(id, from, to);
    const sets = ['state = @to', 'updated_at = @now'];
    const params: Record<string, unknown> = { id, from, to, now: Date.now() };
    for (const [key, value] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
      if (value === undefined) continue;
      const col = PATCH_COLUMNS[key];
      sets.push(`${col} = @${key}`);
      params[key] = JSON_PATCH_KEYS.has(key) && value !== null ? JSON.stringify(value) : value;
    }
    const run = this.db.transaction(() => {
      const res = this.db
        .prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = @id AND state = @from`)
        .run(params);
      if (res.changes === 0) return false;
      if (from !== to || detail) this.event.run(id, params.now, from, to, detail ?? null);
      return true;
    });
    return run() ? this.get(id) : null;
  }

  /** Updates columns without a state change (e.g. the latest remote status while running). */
  patch(id: number, state: JobState, patch: JobPatch): boolean {
    const sets = ['updated_at = @now'];
    const params: Record<string, unknown> = { id, state, now: Date.now() };
    for (const [key, value] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${PATCH_COLUMNS[key]} = @${key}`);
      params[key] = JSON_PATCH_KEYS.has(key) && value !== null ? JSON.stringify(value) : value;
    }
    return (
      this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = @id AND state = @state`).run(params)
        .changes > 0
    );
  }

  /**
   * Queued jobs whose batch is active and whose backoff has passed: higher priority first, then the batches
   * in their queue order (which a person can change), then each batch's jobs in order.
   */
  dueQueued(now: number, limit: number): JobRecord[] {
    const rows = this.db
      .prepare(
        `SELECT j.* FROM jobs j JOIN batches b ON b.id = j.batch_id
         WHERE j.state = 'queued' AND b.status = 'active' AND (j.next_attempt_at IS NULL OR j.next_attempt_at <= ?)
         ORDER BY b.priority DESC, b.queue_pos, j.batch_id, j.seq LIMIT ?`,
      )
      .all(now, limit) as JobDbRow[];
    return rows.map(toRecord);
  }

  /** The earliest time a queued job of an active batch becomes due, or null. */
  nextDueAt(): number | null {
    const row = this.db
      .prepare(
        `SELECT MIN(COALESCE(j.next_attempt_at, 0)) AS t FROM jobs j JOIN batches b ON b.id = j.batch_id
         WHERE j.state = 'queued' AND b.status = 'active'`,
      )
      .get() as { t: number | null };
    return row.t;
  }

  inStates(states: readonly JobState[], batchId?: number): JobRecord[] {
    const marks = states.map(() => '?').join(',');
    const sql =
      `SELECT * FROM jobs WHERE state IN (${marks})` +
      (batchId === undefined ? '' : ' AND batch_id = ?') +
      ' ORDER BY id';
    const args: unknown[] = [...states];
    if (batchId !== undefined) args.push(batchId);
    return (this.db.prepare(sql).all(...args) as JobDbRow[]).map(toRecord);
  }

  list(opts: { batchId?: number; states?: readonly JobState[]; offset?: number; limit?: number }): {
    total: number;
    rows: JobRecord[];
  } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.batchId !== undefined) {
      where.push('batch_id = ?');
      args.push(opts.batchId);
    }
    if (opts.states && opts.states.length > 0) {
      where.push(`state IN (${opts.states.map(() => '?').join(',')})`);
      args.push(...opts.states);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs ${w}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${w} ORDER BY batch_id DESC, seq LIMIT ? OFFSET ?`)
      .all(...args, opts.limit ?? 200, opts.offset ?? 0) as JobDbRow[];
    return { total, rows: rows.map(toRecord) };
  }

  countsByBatch(): Map<number, JobCounts> {
    const out = new Map<number, JobCounts>();
    const rows = this.db
      .prepare('SELECT batch_id, state, COUNT(*) AS n FROM jobs GROUP BY batch_id, state')
      .all() as {
      batch_id: number;
      state: JobState;
      n: number;
    }[];
    for (const r of rows) {
      let c = out.get(r.batch_id);
      if (!c) out.set(r.batch_id, (c = emptyCounts()));
      c[r.state] = r.n;
    }
    return out;
  }

  counts(batchId?: number): JobCounts {
    const c = emptyCounts();
    const rows = (
      batchId === undefined
        ? this.db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all()
        : this.db
            .prepare('SELECT state, COUNT(*) AS n FROM jobs WHERE batch_id = ? GROUP BY state')
            .all(batchId)
    ) as { state: JobState; n: number }[];
    for (const r of rows) c[r.state] = r.n;
    return c;
  }

  /** Remote ids we already follow: a running-list entry with one of these is never matched to another job. */
  knownRemoteIds(): Set<string> {
    const rows = this.db.prepare('SELECT remote_id FROM jobs WHERE remote_id IS NOT NULL').all() as {
      remote_id: string;
    }[];
    return new Set(rows.map((r) => r.remote_id));
  }

  events(jobId: number): { at: number; from: JobState | null; to: JobState; detail: string | null }[] {
    return (
      this.db
        .prepare('SELECT at, from_state, to_state, detail FROM job_events WHERE job_id = ? ORDER BY id')
        .all(jobId) as {
        at: number;
        from_state: JobState | null;
        to_state: JobState;
        detail: string | null;
      }[]
    ).map((r) => ({ at: r.at, from: r.from_state, to: r.to_state, detail: r.detail }));
  }

  /** Credits charged plus the estimate of what is in flight, for a batch's budget check. */
  batchSpend(batchId: number, creditsPerImage: number): { spent: number; committed: number } {
    const row = this.db
      .prepare(
        `SELECT COALESCE(SUM(CASE WHEN credits IS NOT NULL THEN credits ELSE 0 END), 0) AS spent,
                COALESCE(SUM(CASE WHEN credits IS NULL AND state IN ('submitting','running','downloading','uncertain')
                             THEN num_images ELSE 0 END), 0) AS pending_images
         FROM jobs WHERE batch_id = ?`,
      )
      .get(batchId) as { spent: number; pending_images: number };
    return { spent: row.spent, committed: row.spent + row.pending_images * creditsPerImage };
  }

  /** Per batch: credits charged and the pace of finished jobs, in one pass (the Queue lists every batch). */
  batchStats(batchId?: number): Map<number, BatchStats> {
    const rows = this.db
      .prepare(
        `SELECT batch_id, COALESCE(SUM(credits), 0) AS spent,
                SUM(state = 'done' AND completed_at IS NOT NULL) AS done,
                MIN(CASE WHEN state = 'done' AND completed_at IS NOT NULL THEN submitted_at END) AS first,
                MAX(CASE WHEN state = 'done' THEN completed_at END) AS last
         FROM jobs ${batchId === undefined ? '' : 'WHERE batch_id = @batchId'} GROUP BY batch_id`,
      )
      .all(batchId === undefined ? {} : { batchId }) as {
      batch_id: number;
      spent: number;
      done: number;
      first: number | null;
      last: number | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.batch_id,
        { spent: r.spent, done: r.done, firstSubmitted: r.first, lastCompleted: r.last },
      ]),
    );
  }

  /** Average credits per image over completed jobs of a model: the estimate learned from real usage. */
  /** Each job of a batch with its state. */
  states(batchId: number): { id: number; state: JobState }[] {
    return this.db.prepare('SELECT id, state FROM jobs WHERE batch_id = ? ORDER BY seq').all(batchId) as {
      id: number;
      state: JobState;
    }[];
  }

  /** Credits spent on every job so far. */
  creditsSpent(): number {
    return this.db.prepare('SELECT COALESCE(SUM(credits), 0) FROM jobs').pluck().get() as number;
  }

  learnedCreditsPerImage(model: Model): number | null {
    const row = this.db
      .prepare(
        `SELECT SUM(credits) AS c, SUM(num_images) AS n FROM (
           SELECT credits, num_images FROM jobs WHERE model = ? AND state = 'done' AND credits > 0
           ORDER BY completed_at DESC LIMIT 200)`,
      )
      .get(model) as { c: number | null; n: number | null };
    return row.c && row.n ? row.c / row.n : null;
  }
}
