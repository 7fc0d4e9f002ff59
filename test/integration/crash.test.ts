// The promise a person relies on: kill the command line at any moment (power cut, SIGKILL) and run
// `qwen-studio resume`; every generation the service accepted is finished, downloaded and recorded once,
// and nothing is paid for twice.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripMetadata } from '../../main/engine/library/metadata/embed.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { sha256 } from '../helpers/engine.ts';
import { tempDir } from '../helpers/tmp.ts';

const BIN = join(import.meta.dirname, '../../bin/qwen-studio.mjs');
const JOBS = 40;
const KILLS = 5;

let sim: Simulator;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  // Generations take longer than a restart, so a create whose answer died with the process is still in
  // the running list when the next run reconciles it (the service keeps no history to look it up later).
  sim = await startSimulator({ seed: 11, maxImageSide: 96, faults: { latencyMs: 3_000, jitterMs: 500 } });
  ({ dir, cleanup } = tempDir('qs-crash-'));
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

/** Jobs in the given states, 0 while the database or its tables do not exist yet. */
function countJobs(states: string[]): number {
  const path = join(dir, 'data', 'studio.db');
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const marks = states.map(() => '?').join(',');
    return (
      db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state IN (${marks})`).get(...states) as { n: number }
    ).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

async function untilJobs(n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (countJobs(['queued', 'submitting', 'running', 'downloading', 'done']) < n) {
    if (Date.now() > deadline) throw new Error('the batch was never enqueued');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function cli(
  args: string[],
  killAfterMs: number | null,
  armed: Promise<void> = Promise.resolve(),
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, ...args, '--data-dir', join(dir, 'data'), '--api-base', sim.url, '--json'],
      {
        env: { ...process.env, QWEN_STUDIO_API_KEY: 'crash-test-key', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let timer: NodeJS.Timeout | null = null;
    if (killAfterMs !== null)
      void armed.then(() => (timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

describe('crash safety of the command line', () => {
  it(
    `survives ${KILLS} SIGKILLs mid-batch: all done, nothing accepted twice, files intact`,
    { timeout: 240_000 },
    async () => {
      const prompts = Array.from({ length: JOBS }, (_, i) => `crash test prompt ${i + 1}`);
      writeFileSync(join(dir, 'prompts.txt'), prompts.join('\n'));
      // A fixed sequence of "random" moments, spread over the whole life of a run.
      const moments = [700, 2_300, 1_600, 3_400, 2_800];
      const kills: (NodeJS.Signals | null)[] = [];
      const inFlightAtKill: number[] = [];
      for (let i = 0; i < KILLS; i++) {
        const args =
          i === 0
            ? ['run', join(dir, 'prompts.txt'), '--concurrency', '8']
            : ['resume', '--concurrency', '8'];
        // The first run is killed only once its batch is stored: before that there is nothing to resume.
        const res = await cli(args, moments[i]!, i === 0 ? untilJobs(JOBS) : Promise.resolve());
        kills.push(res.signal);
        inFlightAtKill.push(countJobs(['submitting', 'running', 'downloading']));
      }
      expect(kills.filter((s) => s === 'SIGKILL').length).toBeGreaterThanOrEqual(KILLS - 1);
      // The kills landed while generations were in flight: recovery was really exercised.
      expect(inFlightAtKill.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);

      const final = await cli(['resume', '--concurrency', '8'], null);
      expect(final.code, final.out.slice(-2000)).toBe(0);

      const db = new Database(join(dir, 'data', 'studio.db'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const states = db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all();
        expect(states).toEqual([{ state: 'done', n: JOBS }]);
        const accepted = sim.ledger.acceptedByPrompt();
        expect(Object.keys(accepted).sort()).toEqual([...prompts].sort());
        expect(Object.values(accepted).every((n) => n === 1)).toBe(true);
        const rows = db
          .prepare(
            'SELECT a.path, a.sha256, a.file_sha256, a.idx, j.remote_id FROM assets a JOIN jobs j ON j.id = a.job_id',
          )
          .all() as { path: string; sha256: string; file_sha256: string; idx: number; remote_id: string }[];
        expect(rows.length).toBe(JOBS);
        // No half-written download survives a restart.
        const leftovers = readdirSync(join(dir, 'data', 'library'), { recursive: true }).filter((n) =>
          String(n).includes('.partial-'),
        );
        expect(leftovers).toEqual([]);
        for (const r of rows) {
          expect(existsSync(r.path)).toBe(true);
          // Stored with our metadata embedded; without it, byte for byte what the simulator served.
          expect(sha256(r.path)).toBe(r.file_sha256);
          expect(
            createHash('sha256')
              .update(stripMetadata(readFileSync(r.path)))
              .digest('hex'),
          ).toBe(r.sha256);
          expect(sim.ledger.servedSha256(r.remote_id)[r.idx]).toBe(r.sha256);
        }
      } finally {
        db.close();
      }
    },
  );
});
