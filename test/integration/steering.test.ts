// Steering the queue against the simulator: order and priority, editing queued jobs (the ledger shows
// what was sent), budgets raised to continue, duplicates, retries with other parameters, and a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { JobEditError } from '../../main/engine/batch/job-edit.ts';
import { QueueOrderError } from '../../main/engine/store/queue-order.ts';
import { Studio } from '../../main/engine/studio.ts';
import { StudioError } from '../../main/engine/errors.ts';
import { rig, spec, type Rig } from '../helpers/engine.ts';
import { thrown } from '../helpers/throws.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let r: Rig | null = null;
afterEach(async () => {
  await r?.close();
  r = null;
});

const sentPrompts = (rg: Rig) => rg.sim.ledger.generations.map((g) => g.prompt);

describe('steering the queue', () => {
  it('runs a batch moved to the top first, and keeps the order over a restart', async () => {
    r = await rig({ faults: { latencyMs: 10 } }, { overrides: { concurrency: 1 } });
    const a = r.studio.batches.create(spec(['first a', 'first b'], { name: 'A' })).batchId;
    const b = r.studio.batches.create(spec(['second a'], { name: 'B' })).batchId;
    const c = r.studio.batches.create(spec(['third a'], { name: 'C' })).batchId;
    r.studio.batches.move(c, 'top');
    r.studio.batches.move(a, 'bottom');
    const studio = await r.reopen({ overrides: { concurrency: 1 } });
    expect(studio.batches.list().map((s) => s.name)).toEqual(['C', 'B', 'A']);
    studio.start();
    await studio.whenSettled();
    expect(sentPrompts(r)).toEqual(['third a', 'second a', 'first a', 'first b']);
    expect(thrown(QueueOrderError, () => studio.batches.move(b, 'up')).message).toContain(
      'is not waiting in the queue',
    );
  });

  it('a raised concurrency applies to the next submission, without a restart', async () => {
    // Generations take a minute: nothing finishes during the test, so only the new limit lets more start.
    r = await rig({ faults: { latencyMs: 60_000, jitterMs: 0 } });
    r.studio.settings.update({ concurrency: 1 });
    r.studio.batches.create(spec(['one', 'two', 'three', 'four']));
    r.studio.start();
    await expect.poll(() => r!.studio.queue.status().inFlight, { timeout: 20_000 }).toBe(1);
    expect(r.studio.settings.update({ concurrency: 3 }).concurrency).toBe(3);
    expect([r.studio.queue.status().limit, r.studio.queue.status().maxConcurrency]).toEqual([3, 3]);
    await expect.poll(() => r!.studio.queue.status().inFlight, { timeout: 20_000 }).toBe(3);
    await expect.poll(() => r!.sim.ledger.generations.length, { timeout: 20_000 }).toBe(3);
    // Lowered, it holds the next submission back at once (the three already sent carry on).
    r.studio.settings.update({ concurrency: 2 });
    expect(r.studio.queue.status().limit).toBe(2);
    // Changed by another program on the same folder (the app while the CLI runs the queue): picked up too.
    const other = new Studio({ dataDir: r.dataDir, apiKey: 'test-key-123' });
    try {
      other.settings.update({ concurrency: 4 });
      await expect.poll(() => r!.studio.queue.status().limit, { timeout: 20_000 }).toBe(4);
      await expect.poll(() => r!.sim.ledger.generations.length, { timeout: 20_000 }).toBe(4);
    } finally {
      await other.close();
    }
  });

  it('moves a waiting batch before another (drag and drop), where it then runs', async () => {
    r = await rig({ faults: { latencyMs: 10 } }, { overrides: { concurrency: 1 } });
    const a = r.studio.batches.create(spec(['a one'], { name: 'A' })).batchId;
    const b = r.studio.batches.create(spec(['b one'], { name: 'B' })).batchId;
    const c = r.studio.batches.create(spec(['c one'], { name: 'C' })).batchId;
    const d = r.studio.batches.create(spec(['d one'], { name: 'D' })).batchId;
    const names = () => r!.studio.batches.list().map((s) => s.name);
    r.studio.batches.move(d, { before: b });
    expect(names()).toEqual(['A', 'D', 'B', 'C']);
    r.studio.batches.move(a, { before: c }); // downwards: it lands just above C
    expect(names()).toEqual(['D', 'B', 'A', 'C']);
    r.studio.batches.move(a, { before: a }); // onto itself: nothing changes
    expect(names()).toEqual(['D', 'B', 'A', 'C']);
    // Before a batch of higher priority: it takes that priority, or it could not run there.
    r.studio.batches.setPriority(b, 2);
    expect(names()).toEqual(['B', 'D', 'A', 'C']);
    expect(r.studio.batches.move(c, { before: b }).priority).toBe(2);
    expect(names()).toEqual(['C', 'B', 'D', 'A']);
    expect(thrown(QueueOrderError, () => r!.studio.batches.move(c, { before: 999 })).message).toBe(
      'Batch #999 is not waiting in the queue (finished, canceled or unknown), so nothing can be moved before it.',
    );
    r.studio.start();
    await r.studio.whenSettled();
    expect(sentPrompts(r)).toEqual(['c one', 'b one', 'd one', 'a one']);
  });

  it('claims higher-priority batches first', async () => {
    r = await rig({ faults: { latencyMs: 10 } }, { overrides: { concurrency: 1 } });
    r.studio.batches.create(spec(['low'], { name: 'low' }));
    const high = r.studio.batches.create(spec(['high'], { name: 'high' })).batchId;
    expect(r.studio.batches.setPriority(high, 2).priority).toBe(2);
    r.studio.start();
    await r.studio.whenSettled();
    expect(sentPrompts(r)).toEqual(['high', 'low']);
  });

  it('sends a queued job with its edited prompt and parameters; a sent job cannot be edited', async () => {
    r = await rig({ faults: { latencyMs: 10 } });
    const id = r.studio.batches.create(spec(['a cat', 'a dog'], { params: { aspect_ratio: '1:1' } })).batchId;
    const [cat, dog] = internalsOf(r.studio).stores.jobs.list({ batchId: id }).rows;
    r.studio.jobs.edit(cat!.id, { prompt: 'a tiger', params: { aspect_ratio: '16:9', num_images: 2 } });
    expect(r.studio.batches.editParams(id, { params: { output_format: 'webp' } })).toEqual({
      edited: 2,
      skipped: 0,
    });
    expect(r.studio.batches.find(id)?.images).toBe(3);
    expect(
      thrown(JobEditError, () => r!.studio.jobs.edit(dog!.id, { params: { num_images: 9 } })).message,
    ).toMatch(/num_images|at most 4/);
    r.studio.start();
    await r.studio.whenSettled();
    const tiger = r.sim.ledger.generations.find((g) => g.prompt === 'a tiger');
    expect(tiger?.input).toMatchObject({ aspect_ratio: '16:9', num_images: 2, output_format: 'webp' });
    expect(thrown(JobEditError, () => r!.studio.jobs.edit(cat!.id, { prompt: 'x' })).message).toContain(
      'only a queued or paused job that was never sent can be edited',
    );
  });

  it('continues a batch paused at its budget once the budget is raised; resuming alone says what to do', async () => {
    r = await rig({ faults: { latencyMs: 10 } }, { overrides: { concurrency: 1 } });
    const id = r.studio.batches.create(spec(['one', 'two', 'three'], { maxCredits: 40 })).batchId;
    r.studio.start();
    await r.studio.whenSettled();
    const paused = r.studio.batches.find(id)!;
    expect([paused.status, paused.pauseReason, paused.counts.done]).toEqual(['paused', 'budget', 2]);
    expect(thrown(StudioError, () => r!.studio.batches.resume(id)).message).toContain(
      'stopped at its budget of 40 credits (40 spent or in flight): raise or remove its budget',
    );
    expect(r.studio.batches.setBudget(id, 100).maxCredits).toBe(100);
    await r.studio.whenSettled();
    const done = r.studio.batches.find(id)!;
    expect([done.status, done.counts.done]).toEqual(['done', 3]);
  });

  it('duplicates a batch with the same jobs, and retries a failed job with other parameters', async () => {
    r = await rig({ faults: { latencyMs: 10, rejectPattern: 'forbidden' } });
    const id = r.studio.batches.create(
      spec(['a forbidden fox', 'a calm lake'], { seed: { mode: 'fixed', value: 5 } }),
    ).batchId;
    r.studio.start();
    await r.studio.whenSettled();
    const failed = internalsOf(r.studio).stores.jobs.inStates(['failed'], id)[0]!;
    r.studio.jobs.retryWith(failed.id, { prompt: 'a friendly fox', params: { output_format: 'jpeg' } });
    await r.studio.whenSettled();
    expect(internalsOf(r.studio).stores.jobs.get(failed.id)?.state).toBe('done');
    expect(r.sim.ledger.generations.find((g) => g.prompt === 'a friendly fox')?.input.output_format).toBe(
      'jpeg',
    );

    const copy = r.studio.batches.duplicate(id);
    expect(copy.name).toBe('test batch copy');
    await r.studio.whenSettled();
    const jobs = internalsOf(r.studio).stores.jobs.list({ batchId: copy.id }).rows;
    expect(jobs.map((j) => [j.prompt, j.input.seed, j.state])).toEqual([
      ['a friendly fox', 5, 'done'],
      ['a calm lake', 5, 'done'],
    ]);
  });
});
