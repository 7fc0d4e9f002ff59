import type { AssetRow, AssetSource } from '../../../shared/domain.ts';
import { parseQuery } from '../search/query.ts';
import type { QueryResolver } from '../search/search-compile.ts';
import { buildSearchSql, flagArmSql } from '../search/search-sql.ts';
import type { Statement } from 'better-sqlite3';
import type { DB } from './db.ts';

/**
 * What a new image row needs: the row's own fields (shared/domain.ts is their one definition) minus what the
 * database assigns or the person sets later. `jobId`/`batchId` are null for an imported image, and
 * `createdAt` defaults to now (an import passes the file's own date).
 */
export type NewAsset = Omit<
  AssetRow,
  | 'id'
  | 'jobId'
  | 'batchId'
  | 'createdAt'
  | 'favorite'
  | 'rating'
  | 'rejected'
  | 'deletedAt'
  | 'sortKey'
  | 'score'
  | 'comparisons'
> & {
  jobId: number | null;
  batchId: number | null;
  createdAt?: number;
};

export interface AssetDbRow {
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
  source: AssetSource;
  file_sha256: string | null;
  model: string | null;
  negative_prompt: string | null;
  actual_prompt: string | null;
  aspect_ratio: string | null;
  image_size: string | null;
  seed: number | null;
  credits: number | null;
  params_json: string | null;
  favorite: number;
  rating: number;
  rejected: number;
  notes: string | null;
  deleted_at: number | null;
  thumb_path: string | null;
  sort_key: number;
  score: number;
  comparisons: number;
}

function parseParams(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function toAssetRow(r: AssetDbRow): AssetRow {
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
    source: r.source,
    fileSha256: r.file_sha256,
    model: r.model,
    negativePrompt: r.negative_prompt,
    actualPrompt: r.actual_prompt,
    aspectRatio: r.aspect_ratio,
    imageSize: r.image_size,
    seed: r.seed,
    credits: r.credits,
    params: parseParams(r.params_json),
    favorite: r.favorite === 1,
    rating: r.rating,
    rejected: r.rejected === 1,
    notes: r.notes,
    deletedAt: r.deleted_at,
    thumbPath: r.thumb_path,
    sortKey: r.sort_key,
    score: r.score,
    comparisons: r.comparisons,
  };
}

/** Looks names in a query up in the database (tags, batches, collections, models). */
export function dbQueryResolver(db: DB): QueryResolver {
  const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const tag = db.prepare('SELECT id FROM tags WHERE name = ?').pluck();
  const batchByName = db.prepare(`SELECT id FROM batches WHERE name LIKE ? ESCAPE '\\'`).pluck();
  const batchById = db.prepare('SELECT id FROM batches WHERE id = ?').pluck();
  const colByName = db.prepare(`SELECT id FROM collections WHERE name LIKE ? ESCAPE '\\'`).pluck();
  const colById = db.prepare('SELECT id FROM collections WHERE id = ?').pluck();
  // A loose index scan over assets(model): one probe per distinct model, not one per asset.
  const nextModel = db.prepare('SELECT model FROM assets WHERE model > ? ORDER BY model LIMIT 1').pluck();
  // Two subqueries, so each end is one probe of the created_at index (min and max together scan).
  const span = db.prepare(
    'SELECT (SELECT min(created_at) FROM assets) AS min, (SELECT max(created_at) FROM assets) AS max',
  );
  const terms = db
    .prepare('SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?')
    .pluck();
  const tagsMatching = db.prepare('SELECT rowid FROM tag_search WHERE tag_search MATCH ?').pluck();
  const tagLinks = db
    .prepare('SELECT coalesce(sum(uses), 0) FROM tags WHERE id IN (SELECT value FROM json_each(?))')
    .pluck();
  const collectionLinks = db
    .prepare('SELECT count(*) FROM collection_assets WHERE collection_id IN (SELECT value FROM json_each(?))')
    .pluck();
  // One statement per flag value, counting its partial index (the compiler's own list of it).
  const flagged = new Map<string, Statement>();
  const flagCount = (column: Parameters<QueryResolver['flagged']>[0], value: number): number => {
    const key = `${column}=${value}`;
    if (!flagged.has(key))
      flagged.set(key, db.prepare(`SELECT count(*) FROM ${flagArmSql(column, value)}`).pluck());
    return flagged.get(key)!.get() as number;
  };
  return {
    flagged: flagCount,
    tagsMatching: (match) => tagsMatching.all(match) as number[],
    links: (kind, ids) => (kind === 'tag' ? tagLinks : collectionLinks).get(JSON.stringify(ids)) as number,
    completions: (prefix, max) => {
      const found = terms.all(prefix, `${prefix}\u{10FFFF}`, max + 1) as string[];
      return found.length > max ? null : found;
    },
    span: () => {
      const r = span.get() as { min: number | null; max: number | null };
      return r.min === null || r.max === null ? null : { min: r.min, max: r.max };
    },
    tagId: (name) => (tag.get(name) as number | undefined) ?? null,
    batchIds: (ref) => ('id' in ref ? batchById.all(ref.id) : batchByName.all(like(ref.name))) as number[],
    collectionIds: (ref) => ('id' in ref ? colById.all(ref.id) : colByName.all(like(ref.name))) as number[],
    models: (text) => {
      const out: string[] = [];
      for (
        let m = nextModel.get('') as string | undefined;
        m !== undefined;
        m = nextModel.get(m) as string | undefined
      ) {
        if (m.toLowerCase().includes(text)) out.push(m);
        if (out.length > 1000) break;
      }
      return out;
    },
  };
}

export class AssetStore {
  private readonly db: DB;
  // Prepared once: compiling it also compiles the search-index triggers, which costs far more than a run.
  private insert: Statement | null = null;
  constructor(db: DB) {
    this.db = db;
  }

  /** Idempotent per (job, image index): a re-download after a crash never adds a second row. */
  add(a: NewAsset): number {
    this.insert ??= this.db.prepare(
      `INSERT INTO assets (job_id, batch_id, idx, sha256, path, bytes, width, height, format, prompt, created_at,
           source, file_sha256, model, negative_prompt, actual_prompt, aspect_ratio, image_size, seed, credits,
           params_json, notes, thumb_path)
         VALUES (@jobId, @batchId, @idx, @sha256, @path, @bytes, @width, @height, @format, @prompt, @createdAt,
           @source, @fileSha256, @model, @negativePrompt, @actualPrompt, @aspectRatio, @imageSize, @seed, @credits,
           @params, @notes, @thumbPath)
         ON CONFLICT (job_id, idx) DO UPDATE SET sha256 = excluded.sha256, path = excluded.path,
           bytes = excluded.bytes, width = excluded.width, height = excluded.height, format = excluded.format,
           file_sha256 = excluded.file_sha256
         RETURNING id`,
    );
    const row = this.insert.get({
      jobId: a.jobId,
      batchId: a.batchId,
      idx: a.idx,
      sha256: a.sha256,
      path: a.path,
      bytes: a.bytes,
      width: a.width,
      height: a.height,
      format: a.format,
      prompt: a.prompt,
      createdAt: a.createdAt ?? Date.now(),
      source: a.source ?? (a.jobId === null ? 'imported' : 'generated'),
      fileSha256: a.fileSha256 ?? a.sha256,
      model: a.model ?? null,
      negativePrompt: a.negativePrompt ?? null,
      actualPrompt: a.actualPrompt ?? null,
      aspectRatio: a.aspectRatio ?? null,
      imageSize: a.imageSize ?? null,
      seed: a.seed ?? null,
      credits: a.credits ?? null,
      params: a.params ? JSON.stringify(a.params) : null,
      notes: a.notes ?? null,
      thumbPath: a.thumbPath ?? null,
    }) as { id: number };
    return row.id;
  }

  forJob(jobId: number): AssetRow[] {
    return (
      this.db.prepare('SELECT * FROM assets WHERE job_id = ? ORDER BY idx').all(jobId) as AssetDbRow[]
    ).map(toAssetRow);
  }

  /** A stored file with these bytes, for the downloader to reuse (never one that is in the trash). */
  pathForSha(sha256: string): string | null {
    const row = this.db
      .prepare('SELECT path FROM assets WHERE sha256 = ? AND deleted_at IS NULL LIMIT 1')
      .get(sha256) as { path: string } | undefined;
    return row?.path ?? null;
  }

  get(id: number): AssetRow | null {
    const row = this.db.prepare('SELECT * FROM assets WHERE id = ?').get(id) as AssetDbRow | undefined;
    return row ? toAssetRow(row) : null;
  }

  /** Newest first, in the library's query language (see library/query.ts); trashed images are left out. */
  search(text: string, limit = 100): AssetRow[] {
    const sql = buildSearchSql(parseQuery(text), { limit, resolve: dbQueryResolver(this.db) });
    return (this.db.prepare(sql.pageSql).all(sql.params) as AssetDbRow[]).map(toAssetRow);
  }

  /** Images in the library (not in the trash). */
  count(): number {
    // Both counts come from small indexes; a filter on deleted_at IS NULL would read every row.
    return this.db
      .prepare(
        `SELECT (SELECT count(*) FROM assets) - (SELECT count(*) FROM assets WHERE deleted_at IS NOT NULL)`,
      )
      .pluck()
      .get() as number;
  }
}
