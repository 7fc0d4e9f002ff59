// What the Queue shows of a batch's results: each finished job's images (their library ids, in the order
// the service returned them), so the job table can show their thumbnails. Images moved to the trash are left
// out; a job without images (not finished, or all trashed) is not listed.
import type { BatchImages } from '../../../shared/contract.ts';
import type { DB } from '../store/db.ts';
import { StudioError } from '../errors.ts';

export function batchImages(db: DB, batchId: number): BatchImages {
  if (!db.prepare('SELECT 1 FROM batches WHERE id = ?').get(batchId))
    throw new StudioError('NOT_FOUND', `There is no batch #${batchId}.`);
  const rows = db
    .prepare(
      `SELECT job_id, id FROM assets
       WHERE batch_id = ? AND job_id IS NOT NULL AND deleted_at IS NULL
       ORDER BY job_id, idx`,
    )
    .all(batchId) as { job_id: number; id: number }[];
  const out: BatchImages = [];
  for (const row of rows) {
    const last = out.at(-1);
    if (last?.jobId === row.job_id) last.assetIds.push(row.id);
    else out.push({ jobId: row.job_id, assetIds: [row.id] });
  }
  return out;
}
