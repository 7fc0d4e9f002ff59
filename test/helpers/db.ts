import { openDatabase } from '../../main/engine/store/db.ts';
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
