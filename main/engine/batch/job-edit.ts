// Editing work that has not reached the service: a queued (or paused) job's prompt and parameters, the same
// change over every not-yet-submitted job of a batch, and a failed job's parameters before it is retried.
// Every write is conditional on the job's state in the same statement, so a job the scheduler has already
// claimed (or another process has submitted) is never changed.
import { generationInputSchema, type GenerationInput } from '../../../shared/api.ts';
import type { GenerationParams } from '../../../shared/domain.ts';
import type { DB } from '../store/db.ts';
import { firstIssueMessage, friendlyIssues } from './issues.ts';
import { mergeParams } from './plan.ts';
import { StudioError } from '../errors.ts';

export class JobEditError extends StudioError {
  constructor(message: string, code: 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' = 'INVALID_INPUT') {
    super(code, message);
    this.name = 'JobEditError';
  }
}

export interface JobEdit {
  prompt?: string;
  /** Parameters to set; a null value removes the parameter (back to the service's default). */
  params?: { [K in keyof GenerationParams]?: GenerationParams[K] | null };
}

/** States in which a job has not been sent (or will be created anew): the only ones an edit may touch. */
const EDITABLE = {
  queued: ['queued', 'paused'],
  failed: ['failed', 'canceled'],
} as const;

/** The job's new request: its input with the edit applied, checked as the service would check it. */
export function applyEdit(input: GenerationInput, edit: JobEdit): GenerationInput {
  const { prompt: _p, image_urls: _u, ...current } = input;
  const patch: Record<string, unknown> = {};
  const removed = new Set<string>();
  for (const [k, v] of Object.entries(edit.params ?? {})) {
    if (v === null) removed.add(k);
    else if (v !== undefined) patch[k] = v;
  }
  const merged: Record<string, unknown> = {
    ...mergeParams(current as GenerationParams, patch as GenerationParams),
  };
  for (const k of removed) delete merged[k];
  const next: Record<string, unknown> = { prompt: edit.prompt ?? input.prompt, ...merged };
  if (input.image_urls) next.image_urls = input.image_urls;
  const parsed = generationInputSchema.safeParse(next, { error: friendlyIssues });
  if (!parsed.success) throw new JobEditError(firstIssueMessage(parsed.error).message);
  return parsed.data;
}

interface EditableRow {
  id: number;
  batch_id: number;
  state: string;
  input_json: string;
  remote_id: string | null;
}

export class JobEditor {
  private readonly db: DB;
  constructor(db: DB) {
    this.db = db;
  }

  /** Edits one queued or paused job that was never sent; returns its new input. */
  editQueued(jobId: number, edit: JobEdit): GenerationInput {
    return this.editOne(jobId, edit, 'queued');
  }

  /** Changes a failed or canceled job's request, for a retry with other parameters. */
  editFailed(jobId: number, edit: JobEdit): GenerationInput {
    return this.editOne(jobId, edit, 'failed');
  }

  /** Applies the same parameter change to every queued or paused, never-sent job of a batch. */
  editBatch(batchId: number, edit: Omit<JobEdit, 'prompt'>): { edited: number; skipped: number } {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare('SELECT id, batch_id, state, input_json, remote_id FROM jobs WHERE batch_id = ?')
        .all(batchId) as EditableRow[];
      if (rows.length === 0) throw new JobEditError(`There is no batch #${batchId}.`, 'NOT_FOUND');
      let edited = 0;
      for (const row of rows) {
        if (!isEditable(row, 'queued')) continue;
        const input = applyEdit(JSON.parse(row.input_json) as GenerationInput, edit);
        if (this.write(row, input, 'queued')) edited++;
      }
      this.retotal(batchId);
      return { edited, skipped: rows.length - edited };
    })();
  }

  private editOne(jobId: number, edit: JobEdit, kind: keyof typeof EDITABLE): GenerationInput {
    return this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT id, batch_id, state, input_json, remote_id FROM jobs WHERE id = ?')
        .get(jobId) as EditableRow | undefined;
      if (!row) throw new JobEditError(`There is no job #${jobId}.`, 'NOT_FOUND');
      if (!isEditable(row, kind)) {
        throw new JobEditError(
          kind === 'queued'
            ? `Job #${jobId} is ${row.state}: only a queued or paused job that was never sent can be edited.`
            : `Job #${jobId} is ${row.state}: only a failed or canceled job can be retried with other parameters.`,
          'CONFLICT',
        );
      }
      const input = applyEdit(JSON.parse(row.input_json) as GenerationInput, edit);
      if (!this.write(row, input, kind))
        throw new JobEditError(`Job #${jobId} changed meanwhile; try again.`, 'CONFLICT');
      this.retotal(row.batch_id);
      return input;
    })();
  }

  private write(row: EditableRow, input: GenerationInput, kind: keyof typeof EDITABLE): boolean {
    const states = EDITABLE[kind];
    return (
      this.db
        .prepare(
          `UPDATE jobs SET prompt = ?, input_json = ?, num_images = ?, updated_at = ?
           WHERE id = ? AND state IN (${states.map(() => '?').join(',')})
             AND (remote_id IS NULL OR state IN ('failed', 'canceled'))`,
        )
        .run(input.prompt, JSON.stringify(input), input.num_images ?? 1, Date.now(), row.id, ...states)
        .changes > 0
    );
  }

  /** The batch's image total follows its jobs (an edit may change images per job). */
  private retotal(batchId: number): void {
    this.db
      .prepare(
        'UPDATE batches SET total_images = (SELECT COALESCE(SUM(num_images), 0) FROM jobs WHERE batch_id = ?) WHERE id = ?',
      )
      .run(batchId, batchId);
  }
}

function isEditable(row: EditableRow, kind: keyof typeof EDITABLE): boolean {
  if (!(EDITABLE[kind] as readonly string[]).includes(row.state)) return false;
  return kind === 'failed' || row.remote_id === null;
}
