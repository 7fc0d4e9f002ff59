// One runner per data folder, decided by a lock the operating system releases when its holder dies: a
// killed runner — even one left a zombie by a parent that never reaps it — is taken over at once, and two
// live runners on one folder never both run it.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseBusyError, RunnerLock } from '../../main/engine/store/runner-lock.ts';
import { Studio } from '../../main/engine/studio.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import {
  countJobs,
  leaseHolderPid,
  processState,
  spawnCli,
  spawnCliUnreaped,
  waitFor,
} from '../helpers/cli-process.ts';
import { expectNoPromptAcceptedTwice, spec } from '../helpers/engine.ts';
import { tempDir } from '../helpers/tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let sim: Simulator;
let dir: string;
let cleanup: () => void;
let n = 0;

beforeAll(async () => {
  // Generations outlast a restart, so a create that died with its process is still listed as running.
  sim = await startSimulator({ seed: 5, maxImageSide: 64, faults: { latencyMs: 2_500, jitterMs: 300 } });
  ({ dir, cleanup } = tempDir('qs-lock-'));
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

function prompts(tag: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${tag} prompt ${i + 1}`);
}

/**
 * A process that takes the lock with the engine's own code, keeps no reference to it, collects its garbage,
 * says "held", and waits to be killed. A lock must last until it is released or its process dies, not until
 * the garbage collector finds it unreferenced (under load, V8 collects an idle process's garbage on a timer).
 */
function lockHolder(path: string) {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      '-e',
      `const { RunnerLock } = await import(${JSON.stringify(RUNNER_LOCK_MODULE)});
       const held = RunnerLock.tryAcquire(${JSON.stringify(path)}) !== null;
       globalThis.gc();
       console.log(held ? 'held' : 'busy');
       setInterval(() => {}, 60_000);`,
    ],
    // Its output is piped, never inherited: a holder left running must not hold the test run's own output open.
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const said = new Promise<string>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, said, exited };
}
const RUNNER_LOCK_MODULE = join(import.meta.dirname, '../../main/engine/store/runner-lock.ts');

describe('the runner lock', () => {
  it('is exclusive between connections of one process, and free again once released', () => {
    const path = join(dir, 'same-process.lock');
    const first = RunnerLock.tryAcquire(path);
    expect(first).not.toBeNull();
    expect(RunnerLock.tryAcquire(path)).toBeNull();
    first!.release();
    const again = RunnerLock.tryAcquire(path);
    expect(again).not.toBeNull();
    again!.release();
  });

  it('is free the moment its holder is killed, every time (no waiting, no staleness)', async () => {
    const path = join(dir, 'killed.lock');
    for (let round = 0; round < 8; round++) {
      const holder = lockHolder(path);
      try {
        expect(await holder.said).toBe('held');
        const intruder = RunnerLock.tryAcquire(path);
        intruder?.release();
        expect(intruder, `round ${round}: taken while its holder lives`).toBeNull();
      } finally {
        holder.child.kill('SIGKILL');
        await holder.exited;
      }
      const mine = RunnerLock.tryAcquire(path, 0);
      expect(mine, `round ${round}`).not.toBeNull();
      mine!.release();
    }
  });

  it('a runner found holding the folder is named even when it records itself a moment after taking the lock', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const seed = new Studio({ dataDir, apiKey: null });
    await seed.close();
    // Takes the lock, says so, and writes the lease row only 1.8 s later, after a newcomer has given up waiting for the lock (a busy machine).
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const { RunnerLock } = await import(${JSON.stringify(RUNNER_LOCK_MODULE)});
         const { default: Database } = await import('better-sqlite3');
         const { hostname } = await import('node:os');
         globalThis.lock = RunnerLock.tryAcquire(${JSON.stringify(join(dataDir, 'runner.lock'))});
         console.log('locked');
         setTimeout(() => {
           const db = new Database(${JSON.stringify(join(dataDir, 'studio.db'))});
           db.prepare("INSERT INTO runner_lease (id, owner, pid, host, acquired_at, heartbeat_at, released) VALUES (1, 'late', ?, ?, ?, ?, 0) ON CONFLICT (id) DO UPDATE SET owner = 'late', pid = excluded.pid, released = 0").run(process.pid, hostname(), Date.now(), Date.now());
           db.close();
         }, 1_800);
         setInterval(() => {}, 60_000);`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let studio: Studio | null = null;
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      studio = new Studio({ dataDir, apiKey: null });
      let refused: unknown = null;
      try {
        studio.start();
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(LeaseBusyError);
      expect((refused as LeaseBusyError).holder?.pid).toBe(child.pid);
    } finally {
      await studio?.close();
      child.kill('SIGKILL');
      await exited;
    }
  });

  it.skipIf(process.platform !== 'linux')(
    'a runner killed with SIGKILL and left a zombie is taken over at once (Linux: /proc shows the zombie)',
    { timeout: 120_000 },
    async () => {
      const dataDir = join(dir, `data-${++n}`);
      const list = prompts('zombie', 6);
      writeFileSync(join(dir, 'zombie.txt'), list.join('\n'));
      const { parent, pid } = await spawnCliUnreaped(
        ['run', join(dir, 'zombie.txt'), '--concurrency', '3', '--json'],
        { dataDir, apiBase: sim.url },
      );
      let studio: Studio | null = null;
      try {
        await waitFor(
          () => (leaseHolderPid(dataDir) === pid && countJobs(dataDir, ['running']) > 0 ? true : null),
          'the runner to hold the folder with generations in flight',
        );
        process.kill(pid, 'SIGKILL');
        // The killed runner is not reaped by its parent: it stays a zombie with its pid still "alive".
        await waitFor(() => (processState(pid) === 'Z' ? true : null), 'the runner to become a zombie');
        expect(() => process.kill(pid, 0)).not.toThrow();

        studio = new Studio({ dataDir, apiKey: 'process-test-key', apiBase: sim.url });
        const started = studio.start();
        expect(started.previousCrashed).toBe(true);
        expect(studio.queue.status().pauseReason).toBe('crash');
        internalsOf(studio).scheduler.resume();
        await studio.whenSettled();
        expect(internalsOf(studio).stores.jobs.counts()).toMatchObject({ done: list.length, running: 0 });
        expectNoPromptAcceptedTwice(sim);
      } finally {
        await studio?.close();
        parent.child.kill('SIGKILL');
        await parent.done;
      }
    },
  );

  it(
    'two live runners on one folder: exactly one runs the queue, the other says who runs it and leaves it be',
    { timeout: 120_000 },
    async () => {
      const dataDir = join(dir, `data-${++n}`);
      // Enough work (five rounds of 2.5 s generations) that the second runner starts while the first still
      // runs the queue, however slowly a loaded machine starts processes.
      const list = prompts('pair', 10);
      const seed = new Studio({ dataDir, apiKey: null });
      seed.batches.create(spec(list));
      await seed.close();

      const a = spawnCli(['resume', '--concurrency', '2'], { dataDir, apiBase: sim.url });
      const b = spawnCli(['resume', '--concurrency', '2'], { dataDir, apiBase: sim.url });
      const results = await Promise.all([a.done, b.done]);
      const codes = results.map((r) => r.code);
      expect(codes, results.map((r) => r.out).join('\n---\n')).toEqual([0, 0]);
      // The queue was not paused: the second `resume` has nothing to hand over, says so and who runs it.
      const held =
        /Nothing to change: another Qwen Studio \(process \d+ on .+\) is running this folder's queue/;
      expect(results.filter((r) => held.test(r.out))).toHaveLength(1);
      const other = results.find((r) => held.test(r.out))!;
      expect(other.out).not.toMatch(/\n\s+at /); // a sentence, not a stack
      expect(countJobs(dataDir, ['done'])).toBe(list.length);
      const accepted = sim.ledger.acceptedByPrompt();
      for (const p of list) expect(accepted[p]).toBe(1);
    },
  );
});
