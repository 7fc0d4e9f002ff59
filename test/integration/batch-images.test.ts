// `batch.images`: the Queue's job table shows each finished job's images. The engine answers, per job of a
// batch, the library ids of its images in order, leaving out what was moved to the trash.
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '../../main/engine/handlers.ts';
import { rig, spec, type Rig } from '../helpers/engine.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let r: Rig | null = null;
afterEach(async () => {
  await r?.close();
  r = null;
});

describe('batch.images', () => {
  it('lists each finished job’s images in order, without trashed ones', async () => {
    r = await rig({ faults: { latencyMs: 10 } });
    const other = r.studio.batches.create(spec(['not this one'])).batchId;
    const id = r.studio.batches.create(
      spec(['a kite', 'a boat', 'a tram'], { params: { num_images: 2 } }),
    ).batchId;
    r.studio.start();
    await r.studio.whenSettled();
    const handlers = createHandlers(r.studio, {
      keyStore: { get: () => null, set() {}, clear() {}, kind: () => 'os' },
      version: 'test',
    });
    const jobs = internalsOf(r.studio).stores.jobs.list({ batchId: id }).rows;
    const expected = jobs.map((j) => ({
      jobId: j.id,
      assetIds: internalsOf(r!.studio)
        .stores.assets.forJob(j.id)
        .map((a) => a.id),
    }));
    expect(expected.every((e) => e.assetIds.length === 2)).toBe(true);
    expect(await dispatch(handlers, 'batch.images', { id })).toEqual(expected);

    const trashed = expected[1]!.assetIds[0]!;
    await r.studio.library.trash([trashed]);
    const after = (await dispatch(handlers, 'batch.images', { id })) as typeof expected;
    expect(after[1]).toEqual({ jobId: expected[1]!.jobId, assetIds: [expected[1]!.assetIds[1]] });
    expect(after.flatMap((e) => e.assetIds)).not.toContain(trashed);
    expect((await dispatch(handlers, 'batch.images', { id: other })) as typeof expected).toHaveLength(1);
    await expect(dispatch(handlers, 'batch.images', { id: 999 })).rejects.toThrow('Batch 999 does not exist');
  });
});
