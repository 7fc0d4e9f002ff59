import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AssetStore } from '../../main/engine/store/assets.ts';
import { openDatabase, type DB } from '../../main/engine/store/db.ts';
import { createStores, type Stores } from '../../main/engine/store/stores.ts';
import { batchSpecSchema, type BatchPlan, type PlannedJob } from '../../shared/domain.ts';

export function memoryStores(): Stores {
  return createStores(openDatabase(':memory:'));
}

/** Inserts a batch of `n` simple jobs straight into the store. */
export function seedBatch(
  stores: Stores,
  n: number,
  opts: { maxCredits?: number; numImages?: number } = {},
): number {
  const spec = batchSpecSchema.parse({
    name: 'seeded',
    entries: [{ prompt: 'p' }],
    ...(opts.maxCredits ? { maxCredits: opts.maxCredits } : {}),
  });
  const jobs: PlannedJob[] = Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    model: 'qwen/qwen-image-2',
    input: { prompt: `prompt ${i + 1}`, seed: i, num_images: opts.numImages ?? 1 },
    refHashes: [],
    refPositions: [],
    template: `prompt ${i + 1}`,
    bindings: [],
    numImages: opts.numImages ?? 1,
  }));
  const plan: BatchPlan = {
    jobs,
    images: n * (opts.numImages ?? 1),
    estimateCredits: n * 20,
    creditsPerImage: 20,
    estimateIsLearned: false,
  };
  return stores.batches.create(spec, plan);
}

/** Adds `n` small library images (no files) in one transaction; returns their ids. */
export function seedAssets(
  db: DB,
  n: number,
  o: {
    dir: string;
    prompt: (i: number) => string;
    createdAt: (i: number) => number;
    /** One real file every image points at, or each image's own (default: a missing file per image). */
    path?: string | ((i: number) => string);
  },
): number[] {
  const store = new AssetStore(db);
  return db.transaction(() =>
    Array.from({ length: n }, (_, i) =>
      store.add({
        jobId: null,
        batchId: null,
        idx: 0,
        // A real digest's shape (thumbnails are named by it); each image its own content.
        sha256: createHash('sha256').update(`seeded-${i}`).digest('hex'),
        path: typeof o.path === 'function' ? o.path(i) : (o.path ?? join(o.dir, `seeded-${i}.png`)),
        bytes: 1000,
        width: 1024,
        height: 1024,
        format: 'png',
        prompt: o.prompt(i),
        createdAt: o.createdAt(i),
        source: 'generated',
      }),
    ),
  )();
}
