// A sweep batch as a grid: its axes (from the batch's spec), each job in its cell with its images. Jobs of a
// sweep are planned a group (one prompt and repeat) at a time, every cell of the group in turn, so a job's
// group follows from its place in the batch.
import type { ParsedBatchSpec } from '../../../shared/domain.ts';
import { sweepCells, type SweepGrid, type SweepGridCell } from '../../../shared/sweep.ts';
import type { DB } from '../store/db.ts';
import { StudioError } from '../errors.ts';

export class SweepGridError extends StudioError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
    this.name = 'SweepGridError';
  }
}

export function sweepGrid(db: DB, batchId: number): SweepGrid {
  const batch = db.prepare('SELECT name, spec_json FROM batches WHERE id = ?').get(batchId) as
    { name: string; spec_json: string } | undefined;
  if (!batch) throw new StudioError('NOT_FOUND', `There is no batch #${batchId}.`);
  const spec = JSON.parse(batch.spec_json) as ParsedBatchSpec;
  const axes = spec.sweep ?? [];
  if (axes.length === 0) {
    throw new SweepGridError(`Batch #${batchId} (${batch.name}) is not a sweep: it has no axes to lay out.`);
  }
  const perGroup = sweepCells(axes);
  const jobs = db
    .prepare('SELECT id, seq, state, prompt, cell_json FROM jobs WHERE batch_id = ? ORDER BY seq')
    .all(batchId) as { id: number; seq: number; state: string; prompt: string; cell_json: string | null }[];
  const assets = db
    .prepare(
      `SELECT id, job_id, path, thumb_path, width, height FROM assets
       WHERE batch_id = ? AND deleted_at IS NULL ORDER BY job_id, idx`,
    )
    .all(batchId) as {
    id: number;
    job_id: number;
    path: string;
    thumb_path: string | null;
    width: number;
    height: number;
  }[];
  const byJob = new Map<number, SweepGridCell['assets']>();
  for (const a of assets) {
    let list = byJob.get(a.job_id);
    if (!list) byJob.set(a.job_id, (list = []));
    list.push({ id: a.id, path: a.path, thumbPath: a.thumb_path, width: a.width, height: a.height });
  }
  const groups: string[] = [];
  const cells: SweepGridCell[] = jobs.map((j) => {
    const group = Math.floor((j.seq - 1) / perGroup);
    // The group's label is its first cell's prompt (a prompt axis rewrites the others).
    if (groups[group] === undefined) groups[group] = j.prompt;
    return {
      jobId: j.id,
      group,
      cell: j.cell_json ? (JSON.parse(j.cell_json) as number[]) : [],
      state: j.state,
      prompt: j.prompt,
      assets: byJob.get(j.id) ?? [],
    };
  });
  return { batchId, name: batch.name, axes, groups, cells };
}
