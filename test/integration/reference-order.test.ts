// With Qwen Image the order of the reference images matters ("image 1", "image 2" in a prompt): files and
// URLs mixed, the service must receive them in the order the person gave — in a batch, in a CSV row, after
// an edit and in a duplicated batch. The simulator's ledger records `image_urls` as received (a file part as
// its content-addressed URL), so these tests read the order on the wire.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSpec } from '../../main/cli/run.ts';
import { rig, spec, type Rig } from '../helpers/engine.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let r: Rig | null = null;
afterEach(async () => {
  await r?.close();
  r = null;
});

const URL_A = 'https://example.com/a.png';
const URL_C = 'https://example.com/c.jpg';
const URL_E = 'https://example.com/e.webp';

async function localImage(dir: string, name: string, red: number): Promise<{ path: string; sha: string }> {
  const buf = await sharp({
    create: { width: 32, height: 24, channels: 3, background: { r: red, g: 9, b: 9 } },
  })
    .png()
    .toBuffer();
  const path = join(dir, name);
  writeFileSync(path, buf);
  return { path, sha: createHash('sha256').update(buf).digest('hex') };
}

/** The references each generation was sent with, by prompt, as the simulator received them. */
function receivedByPrompt(rg: Rig): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const g of rg.sim.ledger.generations) out[g.prompt] = (g.input.image_urls as string[]) ?? [];
  return out;
}

const uploaded = (rg: Rig, sha: string, name: string) => `${rg.sim.url}/files/refs/${sha}/${name}`;

describe('reference images keep the order the person gave', () => {
  it('a batch with [url A, local B, url C, local D] is received as A, B, C, D — also after an edit and in its duplicate', async () => {
    r = await rig({ faults: { latencyMs: 30, jitterMs: 10 } });
    const { studio } = r;
    const b = await localImage(r.dataDir, 'b.png', 200);
    const d = await localImage(r.dataDir, 'd.png', 60);
    const tokenB = (await studio.refs.add(b.path)).token;
    const tokenD = (await studio.refs.add(d.path)).token;
    const refs = [URL_A, tokenB, URL_C, tokenD];
    const { batchId } = studio.batches.create(
      spec(['image 1 in the style of image 2', 'edited later'], { refs }),
    );
    // An edit of a queued job changes its prompt and parameters, never its references' order.
    const edited = internalsOf(studio)
      .stores.jobs.list({ batchId, limit: 10 })
      .rows.find((j) => j.prompt === 'edited later')!;
    studio.jobs.edit(edited.id, { prompt: 'edited prompt', params: { output_format: 'jpeg' } });
    studio.start();
    await studio.whenSettled();
    expect(internalsOf(studio).stores.jobs.counts(batchId).done).toBe(2);
    const expected = [URL_A, uploaded(r, b.sha, 'b.png'), URL_C, uploaded(r, d.sha, 'd.png')];
    expect(receivedByPrompt(r)).toEqual({
      'image 1 in the style of image 2': expected,
      'edited prompt': expected,
    });

    const copy = studio.batches.duplicate(batchId);
    await studio.whenSettled();
    expect(internalsOf(studio).stores.jobs.counts(copy.id).done).toBe(2);
    const again = r.sim.ledger.generations.slice(2).map((g) => g.input.image_urls);
    expect(again).toEqual([expected, expected]);
  });

  it('a CSV row’s refs (local ; url ; local ; url) reach the service in that order; the batch’s --ref order too', async () => {
    r = await rig({ faults: { latencyMs: 30, jitterMs: 10 } });
    const { studio } = r;
    const b = await localImage(r.dataDir, 'b.png', 200);
    const d = await localImage(r.dataDir, 'd.png', 60);
    const csv = join(r.dataDir, 'rows.csv');
    writeFileSync(
      csv,
      ['prompt,refs', `row one,b.png;${URL_C};d.png;${URL_A}`, 'row two,', `row three,${URL_E};d.png`].join(
        '\n',
      ),
    );
    const built = await buildSpec(csv, { ref: [URL_E, b.path] }, studio);
    studio.batches.create(built);
    studio.start();
    await studio.whenSettled();
    expect(receivedByPrompt(r)).toEqual({
      'row one': [uploaded(r, b.sha, 'b.png'), URL_C, uploaded(r, d.sha, 'd.png'), URL_A],
      'row two': [URL_E, uploaded(r, b.sha, 'b.png')], // no refs of its own: the batch's
      'row three': [URL_E, uploaded(r, d.sha, 'd.png')],
    });
  });
});
