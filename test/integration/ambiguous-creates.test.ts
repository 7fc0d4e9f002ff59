// The service's documented behaviours all at once, against the simulator: creates accepted and billed but
// answered by a proxy's 502 page or a 504 TIMEOUT, older status names without `input`, generations canceled
// on the service's side, `usage` already in the create answer, SSE streams cut short without keep-alives,
// and 429s — over JSON/SSE creates and multipart ones alike. The ledger proves each prompt was accepted once;
// every image that was made is in the library byte for byte.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { expectFilesMatchServed, rig, spec, type Rig } from '../helpers/engine.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let r: Rig | null = null;
afterEach(async () => {
  await r?.close();
  r = null;
});

const prompts = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);

async function referenceFile(dir: string): Promise<string> {
  const path = join(dir, 'style.png');
  const png = await sharp({
    create: { width: 48, height: 32, channels: 3, background: { r: 9, g: 99, b: 199 } },
  })
    .png()
    .toBuffer();
  writeFileSync(path, png);
  return path;
}

describe('the engine against every documented service behaviour at once', () => {
  it(
    'pays once per prompt, keeps every image, ends remote cancels canceled, leaves nothing uncertain',
    { timeout: 120_000 },
    async () => {
      r = await rig({
        seed: 5,
        faults: {
          // Generations outlive the reconcile, so the running list can always tell.
          latencyMs: 1_200,
          jitterMs: 200,
          acceptThen5xx: 0.2,
          legacyStatuses: true,
          remoteCancel: 0.12,
          usageInCreate: true,
          sseDrop: 0.25,
          sseKeepAlive: false,
          rateLimit429: 0.1,
          retryAfterSeconds: 0,
        },
      });
      const { studio, sim } = r;
      studio.settings.update({ concurrency: 8 });
      const token = (await studio.refs.add(await referenceFile(r.dataDir))).token;
      const streamed = prompts(24, 'a lighthouse, version');
      const multipart = prompts(8, 'a harbour in this style, version');
      studio.start();
      // JSON creates over the event stream, and multipart creates (a local reference) followed by polling.
      const a = studio.batches.create(spec(streamed)).batchId;
      const b = studio.batches.create(spec(multipart, { refs: [token] })).batchId;
      await studio.whenSettled();

      // Every prompt was accepted by the service exactly once: no ambiguous create was sent again.
      const accepted = sim.ledger.acceptedByPrompt();
      expect(Object.keys(accepted).sort()).toEqual([...streamed, ...multipart].sort());
      expect(Object.entries(accepted).filter(([, n]) => n !== 1)).toEqual([]);

      const jobs = [a, b].flatMap(
        (batchId) => internalsOf(studio).stores.jobs.list({ batchId, limit: 100 }).rows,
      );
      expect(jobs).toHaveLength(32);
      // The running list could tell every time: nothing is left for the person to decide.
      expect(jobs.filter((j) => j.state === 'uncertain').map((j) => j.prompt)).toEqual([]);
      for (const job of jobs) {
        const generation = sim.ledger.generations.find((g) => g.prompt === job.prompt)!;
        expect(job.remoteId).toBe(generation.id);
        if (generation.status === 'CANCELED') {
          // Canceled from outside: the job ends canceled, said so, costs what the terminal state says (0).
          expect(job).toMatchObject({ state: 'canceled', errorCode: 'CANCELED', credits: 0 });
          expect(job.errorMessage).toMatch(/^Canceled by the service/);
          expect(job.remoteStatus).toBe('canceled');
        } else {
          expect([job.prompt, job.state]).toEqual([job.prompt, 'done']);
          expect(job.remoteStatus).toBe('succeeded');
          // The create answer already showed 20 credits; only the terminal state's usage counted, once.
          expect(job.credits).toBe(20);
        }
      }
      const canceled = jobs.filter((j) => j.state === 'canceled').length;
      const done = jobs.filter((j) => j.state === 'done').length;
      expect(canceled + done).toBe(32);
      // Every image of every job that was not canceled is in the library, byte for byte what was served once
      // our metadata is stripped.
      expect(expectFilesMatchServed(studio, sim)).toBe(done);
      expect(studio.queue.totals().creditsSpent).toBe(done * 20);

      // Multipart creates sent their file and only the fields that differ from the documented defaults; no
      // create sent `n`.
      for (const g of sim.ledger.generations) {
        expect(g.sent).not.toHaveProperty('n');
        if (!multipart.includes(g.prompt)) continue;
        expect(g.uploads.map((u) => u.fileName)).toEqual(['style.png']);
        expect(g.sent).not.toHaveProperty('num_images');
      }
      // Each behaviour really happened during the run.
      for (const fault of ['acceptThen5xx', 'remoteCancel', 'sseDrop', 'rateLimit429'] as const) {
        expect(sim.ledger.faults[fault] ?? 0, fault).toBeGreaterThan(0);
      }
      expect(canceled).toBeGreaterThan(0);
    },
  );
});
