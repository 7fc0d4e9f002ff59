// A real full disk under the data folder: a small tmpfs holds the database, the library and the logs, and
// is filled up while a batch runs. The process must stay up, the queue pause with reason "disk", and after
// space is freed, Resume must finish every job with nothing lost and nothing paid twice. Mounting needs
// root (CI runs as root); where it is impossible the test says why and is skipped.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Studio } from '../../main/engine/studio.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { expectFilesMatchServed, expectNoPromptAcceptedTwice, spec } from '../helpers/engine.ts';
import { internalsOf } from '../../main/engine/internals.ts';

const JOBS = 24;

async function until(
  what: string,
  pred: () => boolean,
  state: () => unknown = () => null,
  maxMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(state())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The last lines of the engine's log (what it did when a wait gives up). */
function recentLog(dataDir: string): string[] {
  const dir = join(dataDir, 'logs');
  return readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'))
    .slice(-25);
}

/** Writes zeros into `file` until the disk refuses; returns the bytes written. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let total = 0;
  try {
    for (;;) total += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return total;
}

function tryMount(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
  }
}

describe('a full disk under the data folder', () => {
  it(
    'pauses the queue "disk" naming the folder; after freeing space, Resume finishes with nothing lost',
    {
      timeout: 240_000,
    },
    async (ctx) => {
      const mnt = mkdtempSync(join(tmpdir(), 'qs-tmpfs-'));
      const why = tryMount(mnt);
      if (why !== null) {
        rmSync(mnt, { recursive: true, force: true });
        console.warn(`disk-full test skipped: cannot mount a tmpfs at ${mnt} (${why})`);
        ctx.skip();
        return;
      }
      const dataDir = join(mnt, 'data');
      let sim: Simulator | null = null;
      let studio: Studio | null = null;
      try {
        sim = await startSimulator({ seed: 5, maxImageSide: 256, faults: { latencyMs: 400, jitterMs: 200 } });
        const s = new Studio({
          dataDir,
          apiKey: 'disk-test-key',
          apiBase: sim.url,
          overrides: { concurrency: 6 },
          scheduler: { drainMs: 1_000 },
        });
        studio = s;
        s.start();
        s.batches.create(spec(Array.from({ length: JOBS }, (_, i) => `disk full prompt ${i + 1}`)));
        await until('the first images', () => internalsOf(s).stores.assets.count() >= 3);

        const filler = join(mnt, 'filler.bin');
        expect(fillDisk(filler)).toBeGreaterThan(0);
        await until(
          'the queue to pause for the disk',
          () => s.queue.status().pauseReason === 'disk',
          () => ({ queue: s.queue.status(), jobs: s.jobs.counts(), log: recentLog(dataDir) }),
        );
        const paused = s.queue.status();
        expect(paused.paused).toBe(true);
        expect(paused.pauseMessage).toContain(dataDir);

        // Still alive and answering; then the person frees space and resumes.
        expect(s.queue.totals().counts.done).toBeLessThan(JOBS);
        rmSync(filler);
        internalsOf(s).scheduler.resume();
        await until(
          'every job to finish',
          () => s.queue.totals().counts.done === JOBS && internalsOf(s).scheduler.isSettled(),
        );

        expect(s.queue.status().paused).toBe(false);
        expect(expectFilesMatchServed(s, sim)).toBe(JOBS);
        expectNoPromptAcceptedTwice(sim);
        expect(sim.ledger.generations.length).toBe(JOBS);
        await s.close();
        studio = null;
        const db = new Database(join(dataDir, 'studio.db'), { readonly: true });
        try {
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        } finally {
          db.close();
        }
      } finally {
        await studio?.close().catch(() => undefined);
        await sim?.close();
        execFileSync('umount', ['-l', mnt]);
        rmSync(mnt, { recursive: true, force: true });
      }
    },
  );
});
