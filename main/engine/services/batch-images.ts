// What the Queue shows of a batch's results: each finished job's images (their library ids, in the order
// the service returned them), so the job table can show their thumbnails. Images moved to the trash are left
// out; a job without images (not finished, or all trashed) is not listed. The batch service checks the batch
// exists first.
import type { BatchImages } from '../../../shared/contract.ts';
import type { DB } from '../store/db.ts';

export function batchImages(db: DB, batchId: number): BatchImages {
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
