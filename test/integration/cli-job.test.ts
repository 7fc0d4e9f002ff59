// `qwen-studio job <id> edit`: a queued job edited from a terminal is sent with the edited values (the
// simulator's ledger shows what was sent); a job already sent is refused with a message that says why.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Studio } from '../../main/engine/studio.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let dataDir: string;
let cleanup: () => void;
let sim: Simulator;
const KEY = 'job-edit-key-123456';

beforeAll(async () => {
  const t = tempDir('qs-cli-job-');
  cleanup = t.cleanup;
  dataDir = join(t.dir, 'data');
  sim = await startSimulator({ apiKeys: [KEY], maxImageSide: 64, faults: { latencyMs: 20 } });
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

const cli = (args: string[]) =>
  runCliInProcess([...args, '--data-dir', dataDir], { QWEN_STUDIO_API_KEY: KEY });

describe('qwen-studio job <id> edit', () => {
  it('edits a queued job before it is sent, and refuses a job already sent', async () => {
    const studio = new Studio({ dataDir });
    const { batchId } = studio.batches.create({
      name: 'to edit',
      entries: [{ prompt: 'a cat' }, { prompt: 'a dog' }],
      params: { aspect_ratio: '1:1', enable_safety_checker: true },
    });
    const [cat, dog] = internalsOf(studio).stores.jobs.list({ batchId }).rows;
    await studio.close();

    const edit = await cli([
      'job',
      String(cat!.id),
      'edit',
      '--prompt',
      'a tiger in the snow',
      '--seed',
      '77',
      '--aspect-ratio',
      '16:9',
      '--no-safety-checker',
    ]);
    expect([edit.code, edit.err]).toEqual([0, '']);
    expect(edit.out).toBe(
      `Job #${cat!.id} (batch #${batchId}) will be sent as "a tiger in the snow" — ` +
        'aspect ratio 16:9, safety checker off, seed 77.',
    );
    // The Queue's way to name a job: batch/place.
    const json = await cli(['job', `${batchId}/2`, 'edit', '--num-images', '2', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ id: dog!.id, state: 'queued', input: { num_images: 2 } });

    const nothing = await cli(['job', String(dog!.id), 'edit']);
    expect([nothing.code, nothing.err]).toEqual([
      2,
      `job ${dog!.id} edit needs a change: --prompt, --seed or a parameter (qwen-studio job --help lists them).`,
    ]);
    const bad = await cli(['job', String(dog!.id), 'edit', '--num-images', '9']);
    expect([bad.code, bad.err]).toEqual([2, '--num-images must be a whole number from 1 to 4; got "9".']);
    const unknown = await cli(['job', '9999', 'edit', '--seed', '1']);
    expect([unknown.code, unknown.err]).toEqual([
      2,
      'Job 9999 does not exist (it may belong to a deleted data folder).',
    ]);
    const noPlace = await cli(['job', `${batchId}/3`, 'edit', '--seed', '1']);
    expect([noPlace.code, noPlace.err]).toEqual([2, `Batch #${batchId} has no job 3: its jobs are 1 to 2.`]);
    const garbled = await cli(['job', 'dog', 'edit', '--seed', '1']);
    expect([garbled.code, garbled.err]).toEqual([
      2,
      'job must be a job number (41) or a batch and its job (12/3); got "dog".',
    ]);

    const run = await cli(['resume', '--api-base', sim.url]);
    expect(run.code).toBe(0);
    const tiger = sim.ledger.generations.find((g) => g.prompt === 'a tiger in the snow');
    expect(tiger?.input).toMatchObject({ aspect_ratio: '16:9', seed: 77, enable_safety_checker: false });
    expect(sim.ledger.generations.find((g) => g.prompt === 'a dog')?.input.num_images).toBe(2);

    const late = await cli(['job', String(cat!.id), 'edit', '--prompt', 'too late']);
    expect([late.code, late.err]).toEqual([
      2,
      `Job #${cat!.id} is done: only a queued or paused job that was never sent can be edited.`,
    ]);
  });
});
