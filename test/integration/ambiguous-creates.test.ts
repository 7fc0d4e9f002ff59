// The service's documented behaviours all at once, against the simulator: creates accepted and billed but
// answered by a proxy's 502 page or a 504 TIMEOUT, older status names without `input`, generations canceled
// on the service's side, `usage` already in the create answer, SSE streams cut short, and 429s. The ledger
// proves each prompt was accepted once; every image that was made is in the library byte for byte.
import { normalizeStatus } from '../../shared/api.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { expectFilesMatchServed, rig, spec, type Rig } from '../helpers/engine.ts';

let r: Rig | null = null;
afterEach(async () => {
  await r?.close();
  r = null;
});

describe('ambiguous creates, remote cancels and older names, all at once', () => {
  it(
    'every prompt accepted exactly once, canceled ones canceled, the rest in the library, nothing uncertain',
    {
      timeout: 120_000,
    },
    async () => {
      r = await rig({
        seed: 23,
        faults: {
          // Generations outlive the reconcile, so the running list can always tell.
          latencyMs: 1_200,
          jitterMs: 300,
          acceptThen5xx: 0.2,
          legacyStatuses: true,
          remoteCancel: 0.1,
          usageInCreate: true,
          sseDrop: 0.25,
          rateLimit429: 0.1,
          retryAfterSeconds: null,
        },
      });
      const { studio, sim } = r;
      studio.updateSettings({ concurrency: 6 });
      const prompts = Array.from({ length: 30 }, (_, i) => `ambiguous prompt ${i + 1}`);
      studio.start();
      const { batchId } = studio.enqueue(spec(prompts));
      await studio.whenSettled();

      const accepted = sim.ledger.acceptedByPrompt();
      expect(Object.keys(accepted).sort()).toEqual([...prompts].sort());
      expect(Object.values(accepted).every((n) => n === 1)).toBe(true);
      // The faults really happened.
      expect(sim.ledger.faults.acceptThen5xx ?? 0).toBeGreaterThan(0);
      expect(sim.ledger.faults.remoteCancel ?? 0).toBeGreaterThan(0);

      const jobs = studio.stores.jobs.list({ batchId, limit: 100 }).rows;
      expect(jobs.filter((j) => j.state === 'uncertain')).toEqual([]);
      for (const j of jobs) {
        const g = sim.ledger.generations.find((x) => x.prompt === j.prompt)!;
        expect(j.remoteId).toBe(g.id);
        if (normalizeStatus(g.status) === 'canceled') {
          expect(j.state).toBe('canceled');
          expect(j.errorMessage).toMatch(/^Canceled by the service/);
        } else {
          expect([j.prompt, j.state]).toEqual([j.prompt, 'done']);
          // Credits from the terminal state, once: not the create answer's usage on top.
          expect(j.credits).toBe(20);
        }
      }
      const done = jobs.filter((j) => j.state === 'done').length;
      expect(done).toBeGreaterThan(0);
      expect(expectFilesMatchServed(studio, sim)).toBe(done);
    },
  );
});
