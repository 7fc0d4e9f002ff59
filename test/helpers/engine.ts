import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { readMetadata, stripMetadata } from '../../main/engine/library/metadata/embed.ts';
import { Studio, type StudioOptions } from '../../main/engine/studio.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../main/simulator/index.ts';
import type { BatchSpec } from '../../shared/domain.ts';
import { tempDir } from './tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

export interface Rig {
  sim: Simulator;
  studio: Studio;
  dataDir: string;
  reopen(opts?: Partial<StudioOptions>): Promise<Studio>;
  close(): Promise<void>;
}

/** A simulator and a studio on a fresh data folder, wired together over loopback. */
export async function rig(
  simOpts: SimulatorOptions = {},
  studioOpts: Partial<StudioOptions> = {},
): Promise<Rig> {
  const sim = await startSimulator({ maxImageSide: 128, ...simOpts });
  const { dir, cleanup } = tempDir('qs-engine-');
  const make = (extra: Partial<StudioOptions> = {}) =>
    new Studio({
      dataDir: dir,
      apiKey: 'test-key-123',
      apiBase: sim.url,
      scheduler: { drainMs: 2_000 },
      ...studioOpts,
      ...extra,
    });
  const r: Rig = {
    sim,
    studio: make(),
    dataDir: dir,
    async reopen(extra) {
      await r.studio.close();
      r.studio = make(extra);
      return r.studio;
    },
    async close() {
      await r.studio.close().catch(() => {});
      await sim.close();
      cleanup();
    },
  };
  return r;
}

export function spec(prompts: string[], extra: Partial<BatchSpec> = {}): BatchSpec {
  return { name: 'test batch', entries: prompts.map((prompt) => ({ prompt })), ...extra };
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every done job's files hold exactly the bytes the simulator served for its generation. */
export function expectFilesMatchServed(studio: Studio, sim: Simulator): number {
  let checked = 0;
  for (const job of internalsOf(studio).stores.jobs.inStates(['done'])) {
    const served = sim.ledger.servedSha256(job.remoteId!);
    const assets = internalsOf(studio).stores.assets.forJob(job.id);
    expect(assets.length).toBe(job.numImages);
    for (const a of assets) {
      // The file carries our metadata; without it, it is exactly the bytes the service served.
      const bytes = readFileSync(a.path);
      expect(sha256(a.path)).toBe(a.fileSha256);
      expect(createHash('sha256').update(stripMetadata(bytes)).digest('hex')).toBe(a.sha256);
      expect(served[a.idx]).toBe(a.sha256);
      expect(readMetadata(bytes).record?.remoteId).toBe(job.remoteId);
      checked++;
    }
  }
  return checked;
}

export function expectNoPromptAcceptedTwice(sim: Simulator): void {
  const twice = Object.entries(sim.ledger.acceptedByPrompt()).filter(([, n]) => n > 1);
  expect(twice).toEqual([]);
}

/** Resolves when `predicate` holds, checking after each studio event (no sleeps). */
export function until(studio: Studio, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const check = () => {
      if (!predicate()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('condition not reached in time'));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      studio.off('job', check);
      studio.off('queue', check);
      studio.off('settled', check);
      studio.off('batch', check);
    };
    studio.on('job', check);
    studio.on('queue', check);
    studio.on('settled', check);
    studio.on('batch', check);
  });
}
