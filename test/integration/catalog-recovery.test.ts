// The catalog (studio.db) can always be rebuilt: a damaged one is named with the way out, a backup brings
// it back, and a lost one is rebuilt from the records every image carries.
import { existsSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '../../main/engine/handlers.ts';
import { Studio } from '../../main/engine/studio.ts';
import type { TaskInfo } from '../../shared/contract.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { tempDir } from '../helpers/tmp.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

const KEY = 'catalog-test-key';
let sim: Simulator;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  sim = await startSimulator({ apiKeys: [KEY], maxImageSide: 64, faults: { latencyMs: 40, jitterMs: 10 } });
  ({ dir, cleanup } = tempDir('qs-catalog-'));
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

function cli(dataDir: string, args: string[]) {
  return runCliInProcess([...args, '--data-dir', dataDir, '--api-base', sim.url], {
    QWEN_STUDIO_API_KEY: KEY,
  });
}

interface ImageFacts {
  path: string;
  prompt: string;
  seed: number | null;
  batch: string | null;
  credits: number | null;
  remoteId: string | null;
}

/** Every image the catalog lists, with the facts a person looks for. */
function catalogImages(dataDir: string): ImageFacts[] {
  const db = new Database(join(dataDir, 'studio.db'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT a.path, a.prompt, a.seed, b.name AS batch, a.credits, j.remote_id AS remoteId
         FROM assets a LEFT JOIN batches b ON b.id = a.batch_id LEFT JOIN jobs j ON j.id = a.job_id
         ORDER BY a.path`,
      )
      .all() as ImageFacts[];
  } finally {
    db.close();
  }
}

async function twentyImageRun(name: string): Promise<string> {
  const dataDir = join(dir, name);
  const prompts = Array.from({ length: 10 }, (_, i) => `${name} lighthouse ${i + 1}`);
  const file = join(dir, `${name}.txt`);
  writeFileSync(file, prompts.join('\n'));
  const run = await cli(dataDir, ['run', file, '--num-images', '2', '--name', `${name} batch`, '--json']);
  expect(run.code, run.err).toBe(0);
  return dataDir;
}

function removeCatalog(dataDir: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `studio.db${suffix}`), { force: true });
}

describe('rebuilding the catalog', () => {
  it('a deleted studio.db comes back from the images: every image with prompt, seed, batch and credits', async () => {
    const dataDir = await twentyImageRun('lost');
    const before = catalogImages(dataDir);
    expect(before.length).toBe(20);
    expect(before.every((i) => i.credits !== null && i.seed !== null)).toBe(true);
    const statusBefore = JSON.parse((await cli(dataDir, ['status', '--json'])).out) as {
      totals: { creditsSpent: number };
    };

    removeCatalog(dataDir);
    const empty = await cli(dataDir, ['status']);
    expect(empty.err).toMatch(/library rebuild/);

    const rebuilt = await cli(dataDir, ['library', 'rebuild']);
    expect(rebuilt.code, rebuilt.err).toBe(0);
    expect(rebuilt.out).toMatch(/20 image/);
    expect(catalogImages(dataDir)).toEqual(before);

    const status = JSON.parse((await cli(dataDir, ['status', '--json'])).out) as {
      totals: { creditsSpent: number; assets: number; counts: { done: number } };
      batches: { name: string; total: number; counts: { done: number } }[];
    };
    expect(status.totals.assets).toBe(20);
    expect(status.totals.counts.done).toBe(10);
    expect(status.totals.creditsSpent).toBe(statusBefore.totals.creditsSpent);
    expect(status.batches.map((b) => [b.name, b.total, b.counts.done])).toEqual([['lost batch', 10, 10]]);
    // Search finds them again, batch names included.
    const found = await cli(dataDir, ['search', 'batch:"lost batch" lighthouse', '--json']);
    expect((JSON.parse(found.out) as { total: number }).total).toBe(20);
    // A second rebuild refuses to duplicate a catalog that is no longer empty.
    const again = await cli(dataDir, ['library', 'rebuild']);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already lists 20 image/);
  });

  it('a truncated studio.db gets one clear message, and db restore brings back the backup', async () => {
    const dataDir = await twentyImageRun('damaged');
    // The idle queue took the day's automatic backup.
    const backups = readdirSync(join(dataDir, 'backups')).filter((f) => f.endsWith('.db'));
    expect(backups.length).toBe(1);
    const check = await cli(dataDir, ['db', 'check']);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toMatch(/OK/);

    const path = join(dataDir, 'studio.db');
    truncateSync(path, Math.floor(statSync(path).size / 2));
    for (const args of [['status'], ['search', 'lighthouse'], ['db', 'check']]) {
      const res = await cli(dataDir, args);
      expect(res.code, args.join(' ')).not.toBe(0);
      const said = `${res.out}\n${res.err}`;
      expect(said).toContain(path);
      expect(said).toMatch(/qwen-studio db restore/);
      expect(said).toMatch(/qwen-studio library rebuild/);
      expect(said).not.toMatch(/SqliteError|\n\s+at /);
    }

    const restored = await cli(dataDir, ['db', 'restore']);
    expect(restored.code, restored.err).toBe(0);
    // The damaged file (with its WAL files beside it) is kept, under a name that says what it is.
    const aside = readdirSync(dataDir).filter((f) => /^studio\.db\.damaged-.*Z$/.test(f));
    expect(aside.length).toBe(1);
    expect(restored.out).toContain(aside[0]);
    expect(catalogImages(dataDir).length).toBe(20);
    expect((await cli(dataDir, ['db', 'check'])).code).toBe(0);
  });

  it('db backup writes a consistent copy; db restore refuses while another runner holds the folder', async () => {
    const dataDir = await twentyImageRun('held');
    const made = await cli(dataDir, ['db', 'backup']);
    expect(made.code, made.err).toBe(0);
    const file = /\S+\.db/.exec(made.out)?.[0];
    expect(file && existsSync(file)).toBe(true);
    const copy = new Database(file!, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();

    const holder = new Studio({ dataDir, apiKey: null });
    holder.start();
    try {
      const refused = await cli(dataDir, ['db', 'restore', file!]);
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/Another Qwen Studio .* is running/);
      expect(readdirSync(dataDir).filter((f) => f.startsWith('studio.db.damaged-'))).toEqual([]);
    } finally {
      await holder.close();
    }
  });

  it('the app is offered the rebuild through the contract, and runs it as a task', async () => {
    const dataDir = await twentyImageRun('offered');
    const studioFor = () => new Studio({ dataDir, apiKey: null });
    const keyStore = { get: () => null, set: () => {}, clear: () => {}, kind: () => 'none' as const };
    let studio = studioFor();
    let call = (m: string) => dispatch(createHandlers(studio, { keyStore, version: '0' }), m, {});
    expect(await call('library.rebuildOffer')).toEqual({ needed: false });
    await studio.close();

    removeCatalog(dataDir);
    studio = studioFor();
    const handlers = createHandlers(studio, { keyStore, version: '0' });
    call = (m: string) => dispatch(handlers, m, {});
    try {
      expect(await call('library.rebuildOffer')).toEqual({ needed: true });
      const { task } = (await call('library.rebuild')) as { task: TaskInfo };
      let t = task;
      while (t.state === 'running') {
        await new Promise((r) => setTimeout(r, 50));
        t = ((await call('tasks.list')) as TaskInfo[]).find((x) => x.id === task.id)!;
      }
      expect(t.kind).toBe('rebuild');
      expect(t.state, t.message).toBe('done');
      expect(t.result).toMatchObject({ generated: 20, batches: 1, jobs: 10 });
      expect(await call('library.rebuildOffer')).toEqual({ needed: false });
      expect(studio.queue.totals().assets).toBe(20);
    } finally {
      await studio.close();
    }
  });
});
