import type { DB } from './db.ts';

export interface RefRecord {
  sha256: string;
  path: string;
  fileName: string;
  mime: string;
  bytes: number;
  width: number;
  height: number;
  createdAt: number;
}

export class RefStore {
  private readonly db: DB;
  constructor(db: DB) {
    this.db = db;
  }

  /** Content-addressed: adding the same bytes again keeps the first record. */
  add(r: Omit<RefRecord, 'createdAt'>): RefRecord {
    this.db
      .prepare(
        `INSERT INTO refs (sha256, path, file_name, mime, bytes, width, height, created_at)
         VALUES (@sha256, @path, @fileName, @mime, @bytes, @width, @height, @now) ON CONFLICT (sha256) DO NOTHING`,
      )
      .run({ ...r, now: Date.now() });
    return this.get(r.sha256)!;
  }

  get(sha256: string): RefRecord | null {
    const row = this.db.prepare('SELECT * FROM refs WHERE sha256 = ?').get(sha256) as
      | {
          sha256: string;
          path: string;
          file_name: string;
          mime: string;
          bytes: number;
          width: number;
          height: number;
          created_at: number;
        }
      | undefined;
    return row
      ? {
          sha256: row.sha256,
          path: row.path,
          fileName: row.file_name,
          mime: row.mime,
          bytes: row.bytes,
          width: row.width,
          height: row.height,
          createdAt: row.created_at,
        }
      : null;
  }
}
