// The promise a person relies on: kill the command line at any moment (power cut, SIGKILL) and run
// `qwen-studio resume` straight away — the dead run's lock never refuses it; every generation the service
// accepted is finished, downloaded and recorded once, and nothing is paid for twice.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripMetadata } from '../../main/engine/library/metadata/embed.ts';
import { isTempName } from '../../main/engine/files/temp-sweep.ts';
import { Studio } from '../../main/engine/studio.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { sha256, spec } from '../helpers/engine.ts';
import {
  countJobs,
  leaseHolderPid,
  spawnCli,
  waitFor,
  type CliProcess,
  type CliResult,
} from '../helpers/cli-process.ts';
import { tempDir } from '../helpers/tmp.ts';

const JOBS = 40;
const KILLS = 6;

let sim: Simulator;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  // Generations (5 s) take longer than a relaunch, even on a loaded machine, so a create whose answer died with the process is still in
  // the running list when the next run reconciles it (the service keeps no history to look it up later).
  sim = await startSimulator({ seed: 11, maxImageSide: 96, faults: { latencyMs: 5_000, jitterMs: 500 } });
  ({ dir, cleanup } = tempDir('qs-crash-'));
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function uncertainPrompts(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'studio.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT prompt FROM jobs WHERE state = 'uncertain'").all() as {
      prompt: string;
    }[];
    return rows.map((r) => r.prompt);
  } finally {
    db.close();
  }
}

/** Uncertain jobs never marked sent: none may exist (their create never left, so they are sent again). */
function uncertainUnsent(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'studio.db'), { readonly: true });
  try {
    return db
      .prepare("SELECT prompt FROM jobs WHERE state = 'uncertain' AND sent_at IS NULL")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

/** Resolves once `proc` holds the data folder; fails at once, with its output, if it exits instead. */
async function untilRunning(proc: CliProcess, dataDir: string): Promise<void> {
  let exited: CliResult | null = null;
  void proc.done.then((r) => (exited = r));
  await waitFor(() => {
    if (exited) throw new Error(`the relaunched run ended instead of running:\n${exited.out.slice(-2000)}`);
    return leaseHolderPid(dataDir) === proc.child.pid ? true : null;
  }, 'the relaunched run to take the data folder');
}

describe('crash safety of the command line', () => {
  it(
    `survives ${KILLS} SIGKILLs mid-batch, each relaunched at once: never refused, all done, nothing accepted twice`,
    { timeout: 240_000 },
    async () => {
      const dataDir = join(dir, 'data');
      const target = { dataDir, apiBase: sim.url };
      const prompts = Array.from({ length: JOBS }, (_, i) => `crash test prompt ${i + 1}`);
      writeFileSync(join(dir, 'prompts.txt'), prompts.join('\n'));
      // A fixed sequence of "random" moments after each run took the folder, spread over a run's life.
      const moments = [700, 2_300, 1_600, 3_400, 2_800, 1_200];
      const killed: Promise<CliResult>[] = [];
      const inFlightAtKill: number[] = [];
      // Four at a time keeps the batch running (ten waves of ~3 s) well past the sixth kill, even on a fast machine.
      const args = ['--concurrency', '4', '--json'];
      let proc = spawnCli(['run', join(dir, 'prompts.txt'), ...args], target);
      // The first run is killed only once its batch is stored: before that there is nothing to resume.
      await waitFor(
        () =>
          countJobs(dataDir, ['queued', 'submitting', 'running', 'downloading', 'done']) >= JOBS
            ? true
            : null,
        'the batch to be enqueued',
      );
      for (let i = 0; i < KILLS; i++) {
        await untilRunning(proc, dataDir);
        await sleep(moments[i]!);
        inFlightAtKill.push(countJobs(dataDir, ['submitting', 'running', 'downloading']));
        proc.child.kill('SIGKILL');
        killed.push(proc.done);
        // Relaunched at once: the killed process may not even have been reaped yet.
        proc = spawnCli(['resume', ...args], target);
      }
      let final = await proc.done;
      const kills = (await Promise.all(killed)).map((r) => r.signal);
      expect(kills).toEqual(Array(KILLS).fill('SIGKILL'));
      // The kills landed while generations were in flight: recovery was really exercised.
      expect(inFlightAtKill.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);

      // A job claimed but never marked sent is queued again by the next run (see the next test). Only a kill
      // in the instant between the mark and the service reading the request can leave a job the running list
      // cannot account for: it waits, uncertain, for the person's say-so. Such a job was marked sent and the
      // service never accepted it — and retrying it then finishes the batch with nothing paid twice.
      const uncertain = uncertainPrompts(dataDir);
      expect(uncertainUnsent(dataDir)).toEqual([]);
      const acceptedSoFar = sim.ledger.acceptedByPrompt();
      for (const p of uncertain) expect(acceptedSoFar[p] ?? 0, p).toBe(0);
      if (uncertain.length > 0) {
        expect(final.code, final.out.slice(-2000)).toBe(1);
        final = await spawnCli(['retry', '--uncertain', ...args], target).done;
      }
      expect(final.code, final.out.slice(-2000)).toBe(0);

      const db = new Database(join(dataDir, 'studio.db'), { readonly: true });
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
        const leftovers = readdirSync(join(dataDir, 'library'), { recursive: true }).filter((n) =>
          isTempName(basename(String(n))),
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

  // The sharpest moment: the job is claimed (`submitting`) and the process dies before its create is written.
  // An https service address whose TLS handshake never completes holds the process exactly there.
  it(
    'a kill after a job was claimed but before its create was written: the relaunch sends it, once — not uncertain',
    { timeout: 120_000 },
    async () => {
      const dataDir = join(dir, 'claimed');
      const prompt = 'claimed but never sent';
      const prep = new Studio({ dataDir, apiKey: null });
      try {
        prep.batches.create(spec([prompt]));
      } finally {
        await prep.close();
      }
      const silent = createServer(() => {}); // accepts, never answers the ClientHello
      const sockets = new Set<Socket>();
      silent.on('connection', (s) => sockets.add(s));
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      try {
        const { port } = silent.address() as AddressInfo;
        const first = spawnCli(['resume', '--json'], { dataDir, apiBase: `https://127.0.0.1:${port}/api` });
        await waitFor(
          () => (countJobs(dataDir, ['submitting']) === 1 ? true : null),
          'the job to be claimed',
        );
        first.child.kill('SIGKILL');
        expect((await first.done).signal).toBe('SIGKILL');
      } finally {
        for (const s of sockets) s.destroy();
        silent.close();
      }

      const second = await spawnCli(['resume', '--json'], { dataDir, apiBase: sim.url }).done;
      expect(second.code, second.out.slice(-2000)).toBe(0);
      expect(uncertainPrompts(dataDir)).toEqual([]);
      expect(countJobs(dataDir, ['done'])).toBe(1);
      expect(sim.ledger.acceptedByPrompt()[prompt]).toBe(1);
    },
  );
});
