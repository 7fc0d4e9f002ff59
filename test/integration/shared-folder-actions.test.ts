// `resume`, `retry` and `drop` while another program (here: an engine in this process, as the app would be)
// runs the folder's queue: the command writes its change to the catalog and says that the running Qwen Studio
// acts on it; that runner notices within a second and does (sends, downloads, shows) — real processes, a
// real simulator, nothing sent twice.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRow } from '../../shared/domain.ts';
import { Studio } from '../../main/engine/studio.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { leaseHolderPid, spawnCli, waitFor, type CliResult } from '../helpers/cli-process.ts';
import { spec } from '../helpers/engine.ts';
import { tempDir } from '../helpers/tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let sim: Simulator;
let dir: string;
let cleanup: () => void;
let n = 0;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, maxImageSide: 64, faults: { latencyMs: 300, jitterMs: 50 } });
  ({ dir, cleanup } = tempDir('qs-shared-actions-'));
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

function holderOn(dataDir: string, scheduler: { maxDownloadAttempts?: number } = {}): Studio {
  return new Studio({ dataDir, apiKey: 'process-test-key', apiBase: sim.url, scheduler });
}

async function cli(dataDir: string, args: string[]): Promise<CliResult> {
  const res = await spawnCli(args, { dataDir, apiBase: sim.url }).done;
  // Said plainly, never a stack trace.
  expect(res.out).not.toMatch(/\n\s+at /);
  return res;
}

const accepted = (prompt: string) => sim.ledger.acceptedByPrompt()[prompt] ?? 0;
const stateOf = (s: Studio, id: number) => internalsOf(s).stores.jobs.get(id)!.state;

describe('resume, retry and drop while another Qwen Studio runs the folder', () => {
  it('retry --uncertain and drop --job are handed to the runner: it sends the retried jobs and shows the dropped one', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const holder = holderOn(dataDir);
    const prompts = ['lost answer one', 'lost answer two', 'lost answer three'];
    holder.batches.create(spec(prompts));
    // Three creates whose answers were lost and that the running list could not account for.
    for (const id of [1, 2, 3]) {
      internalsOf(holder).stores.jobs.transition(id, 'queued', 'submitting', { attempts: 1 });
      internalsOf(holder).stores.jobs.transition(id, 'submitting', 'uncertain', { errorCode: 'UNCERTAIN' });
    }
    const events: JobRow[] = [];
    holder.on('job', (j) => events.push(j));
    holder.start();
    try {
      expect(leaseHolderPid(dataDir)).toBe(process.pid);
      const dropped = await cli(dataDir, ['drop', '--job', '2']);
      expect(dropped.code, dropped.out).toBe(0);
      expect(dropped.out).toMatch(/Dropped 1 job\(s\)/);
      expect(dropped.out).toMatch(/another Qwen Studio \(process \d+ on .+\) is running this folder's queue/);
      // The runner's UI hears of it without a reload.
      await waitFor(
        () => (events.some((j) => j.id === 2 && j.state === 'canceled') ? true : null),
        'the runner to show the dropped job',
      );

      const retried = await cli(dataDir, ['retry', '--uncertain']);
      expect(retried.code, retried.out).toBe(0);
      expect(retried.out).toMatch(/2 job\(s\).*another Qwen Studio \(process \d+.*will send them/s);
      await waitFor(
        () => (stateOf(holder, 1) === 'done' && stateOf(holder, 3) === 'done' ? true : null),
        'the runner to send and finish the retried jobs',
      );
      expect(stateOf(holder, 2)).toBe('canceled');
      expect([accepted(prompts[0]!), accepted(prompts[1]!), accepted(prompts[2]!)]).toEqual([1, 0, 1]);
      expect(leaseHolderPid(dataDir)).toBe(process.pid);
    } finally {
      await holder.close();
    }
  });

  it('resume un-pauses the runner’s queue, which then runs it', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const holder = holderOn(dataDir);
    const prompts = ['paused queue one', 'paused queue two'];
    holder.batches.create(spec(prompts));
    internalsOf(holder).stores.queue.set({ paused: true, reason: 'user', message: 'Paused by you.' });
    holder.start();
    try {
      expect(holder.queue.status().paused).toBe(true);
      const res = await cli(dataDir, ['resume']);
      expect(res.code, res.out).toBe(0);
      expect(res.out).toMatch(/another Qwen Studio \(process \d+.*is running this folder's queue/s);
      await waitFor(
        () => (internalsOf(holder).stores.jobs.counts().done === 2 ? true : null),
        'the runner to resume and finish the queue',
      );
      expect(holder.queue.status().paused).toBe(false);
      for (const p of prompts) expect(accepted(p), p).toBe(1);
    } finally {
      await holder.close();
    }
  });

  it('retry of a failed download is downloaded by the runner, never created again; a job in flight is not touched', async () => {
    const dataDir = join(dir, `data-${++n}`);
    // Every image's first download fails, and the runner gives up after one attempt: the job fails, paid for.
    sim.setFaults({ downloadFailOnce: 1 });
    const holder = holderOn(dataDir, { maxDownloadAttempts: 1 });
    try {
      holder.batches.create(spec(['download me again']));
      holder.start();
      await waitFor(() => (stateOf(holder, 1) === 'failed' ? true : null), 'the download to fail');
      expect(internalsOf(holder).stores.jobs.get(1)!.errorCode).toBe('DOWNLOAD_FAILED');
      sim.setFaults({ downloadFailOnce: 0 });

      const res = await cli(dataDir, ['retry', '--job', '1']);
      expect(res.code, res.out).toBe(0);
      await waitFor(() => (stateOf(holder, 1) === 'done' ? true : null), 'the runner to download it');
      expect(internalsOf(holder).stores.assets.forJob(1)).toHaveLength(1);
      expect(accepted('download me again')).toBe(1);

      // A job the service has accepted is never changed from outside (it would be sent again).
      sim.setFaults({ latencyMs: 60_000 });
      holder.batches.create(spec(['still running'], { name: 'second' }));
      await waitFor(
        () => (internalsOf(holder).stores.jobs.inStates(['running']).length === 1 ? true : null),
        'a job to be running',
      );
      const running = internalsOf(holder).stores.jobs.inStates(['running'])[0]!;
      const refused = await cli(dataDir, ['retry', '--job', String(running.id)]);
      expect(refused.out).toMatch(new RegExp(`Job ${running.id} is running`));
      expect(refused.out).toMatch(/Nothing to change/);
      expect(internalsOf(holder).stores.jobs.get(running.id)).toMatchObject({
        state: 'running',
        remoteId: running.remoteId,
      });
      expect(accepted('still running')).toBe(1);
    } finally {
      sim.setFaults({ downloadFailOnce: 0, latencyMs: 300 });
      await holder.close();
    }
  });
});
