import type { AssetRow } from '../../../shared/domain.ts';
import type { DB } from './db.ts';

export interface NewAsset {
  jobId: number;
  batchId: number;
  idx: number;
  sha256: string;
  path: string;
  bytes: number;
  width: number;
  height: number;
  format: string;
  prompt: string;
}

interface AssetDbRow {
  id: number;
  job_id: number;
  batch_id: number;
  idx: number;
  sha256: string;
  path: string;
  bytes: number;
  width: number;
  height: number;
  format: string;
  prompt: string;
  created_at: number;
}

function toRow(r: AssetDbRow): AssetRow {
  return {
    id: r.id,
    jobId: r.job_id,
    batchId: r.batch_id,
    idx: r.idx,
    sha256: r.sha256,
    path: r.path,
    bytes: r.bytes,
    width: r.width,
    height: r.height,
    format: r.format,
    prompt: r.prompt,
    createdAt: r.created_at,
  };
}

export class AssetStore {
  private readonly db: DB;
  constructor(db: DB) {
    this.db = db;
  }

  /** Idempotent per (job, image index): a re-download after a crash never adds a second row. */
  add(a: NewAsset): number {
    this.db
      .prepare(
        `INSERT INTO assets (job_id, batch_id, idx, sha256, path, bytes, width, height, format, prompt, created_at)
         VALUES (@jobId, @batchId, @idx, @sha256, @path, @bytes, @width, @height, @format, @prompt, @now)
         ON CONFLICT (job_id, idx) DO UPDATE SET sha256 = excluded.sha256, path = excluded.path,
           bytes = excluded.bytes, width = excluded.width, height = excluded.height, format = excluded.format`,
      )
      .run({ ...a, now: Date.now() });
    return (this.db.prepare('SELECT id FROM assets WHERE job_id = ? AND idx = ?').get(a.jobId, a.idx) as { id: number }).id;
  }

  forJob(jobId: number): AssetRow[] {
    return (this.db.prepare('SELECT * FROM assets WHERE job_id = ? ORDER BY idx').all(jobId) as AssetDbRow[]).map(toRow);
  }

  pathForSha(sha256: string): string | null {
    const row = this.db.prepare('SELECT path FROM assets WHERE sha256 = ? LIMIT 1').get(sha256) as { path: string } | undefined;
    return row?.path ?? null;
  }

  get(id: number): AssetRow | null {
    const row = this.db.prepare('SELECT * FROM assets WHERE id = ?').get(id) as AssetDbRow | undefined;
    return row ? toRow(row) : null;
  }

  /** Substring search, newest first (the library issue replaces this with FTS5). */
  search(text: string, limit = 100): AssetRow[] {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (
      this.db
        .prepare(
          `SELECT a.* FROM assets a LEFT JOIN jobs j ON j.id = a.job_id
           WHERE a.prompt LIKE @like ESCAPE '\\' OR j.actual_prompt LIKE @like ESCAPE '\\'
              OR j.input_json LIKE @like ESCAPE '\\'
           ORDER BY a.created_at DESC, a.id DESC LIMIT @limit`,
        )
        .all({ like, limit }) as AssetDbRow[]
    ).map(toRow);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM assets').get() as { n: number }).n;
  }
}
