import type { Model } from '../../../shared/api.ts';
import type { BatchPlan, BatchStatus, ParsedBatchSpec } from '../../../shared/domain.ts';
import { nameFromPrompt, uniqueName } from '../../../shared/batch-name.ts';
import type { DB } from './db.ts';
import { StudioError } from '../errors.ts';

export interface BatchRecord {
  id: number;
  name: string;
  model: Model;
  spec: ParsedBatchSpec;
  totalJobs: number;
  totalImages: number;
  creditsPerImage: number;
  maxCredits: number | null;
  status: BatchStatus;
  pauseReason: string | null;
  createdAt: number;
  finishedAt: number | null;
  /** -2 to 2; see queue-order.ts. */
  priority: number;
}

interface BatchDbRow {
  id: number;
  name: string;
  model: Model;
  spec_json: string;
  total_jobs: number;
  total_images: number;
  credits_per_image: number;
  max_credits: number | null;
  status: BatchStatus;
  pause_reason: string | null;
  created_at: number;
  finished_at: number | null;
  priority: number;
}

function toRecord(r: BatchDbRow): BatchRecord {
  return {
    id: r.id,
    name: r.name,
    model: r.model,
    spec: JSON.parse(r.spec_json) as ParsedBatchSpec,
    totalJobs: r.total_jobs,
    totalImages: r.total_images,
    creditsPerImage: r.credits_per_image,
    maxCredits: r.max_credits,
    status: r.status,
    pauseReason: r.pause_reason,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    priority: r.priority,
  };
}

export class BatchStore {
  private readonly db: DB;
  constructor(db: DB) {
    this.db = db;
  }

  /** The batch and every one of its jobs in one transaction: a batch is never half enqueued. */
  create(spec: ParsedBatchSpec, plan: BatchPlan): number {
    const now = Date.now();
    const insertBatch = this.db.prepare(
      `INSERT INTO batches (name, model, spec_json, total_jobs, total_images, credits_per_image, max_credits, created_at,
                            queue_pos)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(queue_pos), 0) + 1 FROM batches))`,
    );
    const insertJob = this.db.prepare(
      `INSERT INTO jobs (batch_id, seq, state, model, prompt, input_json, ref_hashes, ref_positions, template, bindings_json,
                         cell_json, origin, num_images, created_at, updated_at)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const nameTaken = this.db.prepare('SELECT 1 FROM batches WHERE name = ?').pluck();
    // IMMEDIATE: it reads (the name) before writing, and another process (the app running the queue) may
    // commit in between; a deferred transaction would then fail with SQLITE_BUSY instead of waiting.
    return this.db
      .transaction(() => {
        const base = spec.name || nameFromPrompt(plan.jobs[0]?.input.prompt ?? '');
        const name = uniqueName(base, (n) => nameTaken.get(n) !== undefined);
        const id = Number(
          insertBatch.run(
            name,
            spec.model,
            JSON.stringify(spec),
            plan.jobs.length,
            plan.images,
            plan.creditsPerImage,
            spec.maxCredits ?? null,
            now,
          ).lastInsertRowid,
        );
        for (const j of plan.jobs) {
          insertJob.run(
            id,
            j.seq,
            j.model,
            j.input.prompt,
            JSON.stringify(j.input),
            JSON.stringify(j.refHashes),
            JSON.stringify(j.refPositions),
            j.template,
            JSON.stringify(j.bindings),
            j.cell ? JSON.stringify(j.cell) : null,
            j.origin ?? null,
            j.numImages,
            now,
            now,
          );
        }
        return id;
      })
      .immediate();
  }

  get(id: number): BatchRecord | null {
    const row = this.db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as BatchDbRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Renames a batch; the name must be free (names are unique so `batch:<name>` finds one batch). */
  rename(id: number, name: string): BatchRecord | null {
    const other = this.db.prepare('SELECT id FROM batches WHERE name = ? AND id != ?').pluck().get(name, id);
    if (other !== undefined) {
      throw new StudioError(
        'ALREADY_EXISTS',
        `Another batch (#${String(other)}) is already called “${name}” — choose another name.`,
      );
    }
    this.db.prepare('UPDATE batches SET name = ? WHERE id = ?').run(name, id);
    return this.get(id);
  }

  /** Sets (or removes, null) a batch's credit budget. */
  setBudget(id: number, maxCredits: number | null): void {
    this.db.prepare('UPDATE batches SET max_credits = ? WHERE id = ?').run(maxCredits, id);
  }

  list(): BatchRecord[] {
    return (this.db.prepare('SELECT * FROM batches ORDER BY id DESC').all() as BatchDbRow[]).map(toRecord);
  }

  setStatus(id: number, status: BatchStatus, pauseReason: string | null = null): boolean {
    return (
      this.db
        .prepare(
          `UPDATE batches SET status = ?, pause_reason = ?,
             finished_at = CASE WHEN ? IN ('done','canceled') THEN COALESCE(finished_at, ?) ELSE NULL END
           WHERE id = ?`,
        )
        .run(status, pauseReason, status, Date.now(), id).changes > 0
    );
  }

  /** Marks active batches with no job left to run as done; returns their ids. */
  settleFinished(): number[] {
    const rows = this.db
      .prepare(
        `SELECT b.id FROM batches b WHERE b.status IN ('active', 'paused') AND NOT EXISTS (
           SELECT 1 FROM jobs j WHERE j.batch_id = b.id AND j.state NOT IN ('done', 'failed', 'canceled'))`,
      )
      .all() as { id: number }[];
    for (const r of rows) this.setStatus(r.id, 'done');
    return rows.map((r) => r.id);
  }
}
