// One folder, two programs, one queue: a batch added by another process while a runner holds the folder is
// picked up by that runner (and shown to its UI), `run` follows it read-only or returns at once with
// --no-wait, and takes over when the holder leaves first. Never "refused" with a stranded batch.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../shared/domain.ts';
import { Studio } from '../../main/engine/studio.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { countJobs, leaseHolderPid, readCatalog, spawnCli, waitFor } from '../helpers/cli-process.ts';
import { expectNoPromptAcceptedTwice, spec } from '../helpers/engine.ts';
import { tempDir } from '../helpers/tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let sim: Simulator;
let dir: string;
let cleanup: () => void;
let n = 0;

beforeAll(async () => {
  sim = await startSimulator({ seed: 9, maxImageSide: 64, faults: { latencyMs: 600, jitterMs: 100 } });
  ({ dir, cleanup } = tempDir('qs-shared-'));
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

function promptFile(tag: string, count: number): { file: string; prompts: string[] } {
  const prompts = Array.from({ length: count }, (_, i) => `${tag} prompt ${i + 1}`);
  const file = join(dir, `${tag}.txt`);
  writeFileSync(file, prompts.join('\n'));
  return { file, prompts };
}

function expectAcceptedOnce(prompts: string[]): void {
  const accepted = sim.ledger.acceptedByPrompt();
  for (const p of prompts) expect(accepted[p], p).toBe(1);
}

function batchJobStates(dataDir: string, name: string): string[] {
  return (
    readCatalog(dataDir, (db) =>
      (
        db
          .prepare('SELECT j.state FROM jobs j JOIN batches b ON b.id = j.batch_id WHERE b.name = ?')
          .all(name) as { state: string }[]
      ).map((r) => r.state),
    ) ?? []
  );
}

describe('one data folder, two programs', () => {
  it('the holder notices a batch another process queued, tells its UI, and runs it; `run --no-wait` returns at once', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const holder = new Studio({ dataDir, apiKey: 'process-test-key', apiBase: sim.url });
    const seen: BatchSummary[] = [];
    holder.on('batch', (b) => seen.push(b));
    holder.start();
    try {
      const { file, prompts } = promptFile('kite', 3);
      const cli = spawnCli(['run', file, '--name', 'kite', '--no-wait'], { dataDir, apiBase: sim.url });
      const res = await cli.done;
      expect(res.code, res.out).toBe(0);
      expect(res.out).toMatch(/queued.*another Qwen Studio \(process \d+/i);
      expect(res.out).not.toMatch(/\n\s+at /);
      // The app-side engine shows the batch without a reload and runs it to the end.
      await waitFor(() => (seen.some((b) => b.name === 'kite') ? true : null), 'the batch event');
      await waitFor(
        () => (batchJobStates(dataDir, 'kite').every((s) => s === 'done') ? true : null),
        'the holder to finish the batch',
      );
      expect(batchJobStates(dataDir, 'kite')).toEqual(['done', 'done', 'done']);
      expect(leaseHolderPid(dataDir)).toBe(process.pid);
      expectAcceptedOnce(prompts);
    } finally {
      await holder.close();
    }
  });

  it('`run` while another runner holds the folder follows its batch to the end, read-only', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const a = promptFile('holder-a', 24);
    const b = promptFile('follower-b', 3);
    const holder = spawnCli(['run', a.file, '--name', 'A', '--concurrency', '2', '--json'], {
      dataDir,
      apiBase: sim.url,
    });
    const holderPid = holder.child.pid!;
    await waitFor(() => (leaseHolderPid(dataDir) === holderPid ? true : null), 'the first run to hold');
    const follower = spawnCli(['run', b.file, '--name', 'B', '--json'], { dataDir, apiBase: sim.url });
    const res = await follower.done;
    expect(res.code, res.out).toBe(0);
    const events = res.out
      .trim()
      .split('\n')
      .flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as { type: string }] : []));
    expect(events.some((e) => e.type === 'following')).toBe(true);
    expect(events.filter((e) => e.type === 'job' && (e as { state?: string }).state === 'done').length).toBe(
      3,
    );
    expect(events.at(-1)).toMatchObject({ type: 'summary', counts: { done: 3 } });
    // The follower never ran the queue itself: the first run held the folder the whole time.
    expect(events.some((e) => e.type === 'took-over')).toBe(false);
    expect((await holder.done).code).toBe(0);
    expectAcceptedOnce([...a.prompts, ...b.prompts]);
  });

  it('when the holder leaves first, the waiting `run` takes the folder and finishes the work', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const a = promptFile('leaving-a', 12);
    const b = promptFile('staying-b', 3);
    const holder = spawnCli(['run', a.file, '--name', 'A', '--concurrency', '1', '--json'], {
      dataDir,
      apiBase: sim.url,
    });
    const holderPid = holder.child.pid!;
    await waitFor(() => (leaseHolderPid(dataDir) === holderPid ? true : null), 'the first run to hold');
    const follower = spawnCli(['run', b.file, '--name', 'B', '--json'], { dataDir, apiBase: sim.url });
    await waitFor(() => (follower.output().includes('"following"') ? true : null), 'the follower to follow');
    holder.child.kill('SIGKILL');
    const res = await follower.done;
    expect(res.code, res.out).toBe(0);
    expect(res.out).toMatch(/"took-over"/);
    expect(batchJobStates(dataDir, 'B')).toEqual(['done', 'done', 'done']);
    expect(countJobs(dataDir, ['queued', 'submitting', 'running', 'downloading'])).toBe(0);
    // A create the killed holder had begun may never have arrived (then it is uncertain): never twice.
    expectAcceptedOnce(b.prompts);
    expectNoPromptAcceptedTwice(sim);
  });

  it('a batch enqueued through another engine on the same folder is picked up by the runner', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const holder = new Studio({ dataDir, apiKey: 'process-test-key', apiBase: sim.url });
    holder.start();
    const other = new Studio({ dataDir, apiKey: null });
    try {
      other.batches.create(spec(['same-process one', 'same-process two']));
      await waitFor(
        () => (internalsOf(holder).stores.jobs.counts().done === 2 ? true : null),
        'the runner to pick the batch up',
      );
    } finally {
      await other.close();
      await holder.close();
    }
  });

  it('an app that found the folder taken runs the queue itself once the other program exits', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const a = promptFile('cli-holder', 10);
    const holder = spawnCli(['run', a.file, '--name', 'A', '--concurrency', '1', '--json'], {
      dataDir,
      apiBase: sim.url,
    });
    const holderPid = holder.child.pid!;
    await waitFor(() => (leaseHolderPid(dataDir) === holderPid ? true : null), 'the command line to hold');
    const app = new Studio({ dataDir, apiKey: 'process-test-key', apiBase: sim.url });
    try {
      expect(() => app.start({ waitMs: 0 })).toThrow(/Another Qwen Studio/);
      app.batches.create(spec(['window prompt 1', 'window prompt 2'], { name: 'W' }));
      let started = false;
      app.startWhenFree(() => (started = true), 100);
      holder.child.kill('SIGKILL');
      await holder.done;
      await waitFor(() => (started ? true : null), 'the app to take the folder');
      internalsOf(app).scheduler.resume();
      await app.whenSettled();
      expect(batchJobStates(dataDir, 'W')).toEqual(['done', 'done']);
      expect(countJobs(dataDir, ['queued', 'submitting', 'running', 'downloading'])).toBe(0);
      expectAcceptedOnce(['window prompt 1', 'window prompt 2']);
      expectNoPromptAcceptedTwice(sim);
    } finally {
      await app.close();
    }
  });
});
