// A scheduler over an in-memory database with a fake client and a fake file system, for fake-timer unit
// tests of every path a job can take. Nothing touches the network, and only the runner lock touches the
// disk (thumbnails of fake files fail quietly, as they would for a damaged image).
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterEach, beforeEach, vi, type Mock } from 'vitest';
import type { Generation, GenerationInput, Model, RunningItem } from '../../shared/api.ts';
import type { JobState } from '../../shared/domain.ts';
import type { LocalFile, SkillsClient } from '../../main/engine/api/client.ts';
import { ApiError, type ApiErrorInit } from '../../main/engine/api/errors.ts';
import type { DownloadOptions, DownloadedImage } from '../../main/engine/library/download.ts';
import { nullLogger } from '../../main/engine/log.ts';
import type { SchedulerFs, SchedulerLimits } from '../../main/engine/scheduler/context.ts';
import { Scheduler } from '../../main/engine/scheduler/scheduler.ts';
import type { JobRecord } from '../../main/engine/store/jobs.ts';
import type { Stores } from '../../main/engine/store/stores.ts';
import { memoryStores, seedBatch } from './db.ts';
import { tempDir } from './tmp.ts';

export interface FakeClient {
  create: Mock<
    (
      model: Model,
      input: GenerationInput,
      files: LocalFile[],
      signal?: AbortSignal,
      onWrite?: () => void,
    ) => Promise<Generation>
  >;
  createStream: Mock<
    (
      model: Model,
      input: GenerationInput,
      onFrame: (g: Generation) => void,
      signal?: AbortSignal,
      onWrite?: () => void,
    ) => Promise<Generation>
  >;
  get: Mock<(id: string, signal?: AbortSignal) => Promise<Generation>>;
  running: Mock<(limit?: number, signal?: AbortSignal) => Promise<RunningItem[]>>;
}

export interface Harness {
  scheduler: Scheduler;
  stores: Stores;
  client: FakeClient;
  fs: SchedulerFs & { download: Mock<(o: DownloadOptions) => Promise<DownloadedImage>> };
  /** Every file the fake downloader "wrote", with the bytes it was given to write. */
  written: { path: string; bytes: Buffer }[];
  job(id?: number): JobRecord;
  /** Advances fake time in steps until `pred` holds (fails the test after `maxMs`). */
  until(pred: () => boolean, maxMs?: number): Promise<void>;
  stop(): Promise<void>;
}

let tinyPng: Buffer | null = null;
/** A real 4×4 PNG (metadata can be embedded into it). */
export async function pngBytes(): Promise<Buffer> {
  tinyPng ??= await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  return tinyPng;
}

export function apiError(init: Partial<ApiErrorInit> & { code?: string }): ApiError {
  return new ApiError({ kind: 'retryable', code: 'HTTP_500', message: 'failed', status: 500, ...init });
}

export function completed(id: string, opts: { images?: number; usage?: number | null } = {}): Generation {
  const images = Array.from({ length: opts.images ?? 1 }, (_, i) => ({
    url: `https://cdn.test/${id}-${i}.png`,
  }));
  return {
    id,
    status: 'COMPLETED',
    data: { images, actual_prompt: 'expanded' },
    usage: opts.usage === null ? null : { total: opts.usage ?? 20, subscription: 20, permanent: 0 },
  };
}

export async function schedulerHarness(
  opts: { jobs?: number; stream?: boolean; limits?: Partial<SchedulerLimits>; concurrency?: number } = {},
): Promise<Harness> {
  const png = await pngBytes();
  const stores = memoryStores();
  seedBatch(stores, opts.jobs ?? 1);
  const client: FakeClient = {
    // Like the real client: the request is "written" (onWrite) before its answer comes.
    create: vi.fn(async (_m, input, _files, _signal, onWrite) => {
      onWrite?.();
      return { id: `gen_${input.prompt}`, status: 'IN_QUEUE' };
    }),
    createStream: vi.fn(),
    get: vi.fn(async (id) => completed(id)),
    running: vi.fn(async () => []),
  };
  const written: { path: string; bytes: Buffer }[] = [];
  const download = vi.fn(async (o: DownloadOptions): Promise<DownloadedImage> => {
    const sha256 = createHash('sha256').update(png).digest('hex');
    const checked = { sha256, format: 'png' as const, width: 4, height: 4 };
    const bytes = o.prepare ? o.prepare(png, checked) : png;
    const path = `${o.dir}/${o.baseName}-${sha256.slice(0, 10)}.png`;
    written.push({ path, bytes });
    return {
      ...checked,
      path,
      bytes: png.length,
      fileSha256: createHash('sha256').update(bytes).digest('hex'),
      fileBytes: bytes.length,
      contentType: 'image/png',
      reused: false,
      unexpectedFormat: false,
    };
  });
  const fs = {
    exists: (p: string) => written.some((w) => w.path === p) || p.startsWith('/refs/'),
    readFile: () => Buffer.from('reference bytes'),
    download,
  };
  // A real folder only for the runner lock; the fake file system writes nothing into it.
  const data = tempDir('qs-data-');
  const scheduler = new Scheduler({
    stores,
    dataDir: data.dir,
    getClient: () => client as unknown as SkillsClient,
    settings: () => ({
      concurrency: opts.concurrency ?? 4,
      downloadConcurrency: 2,
      stream: opts.stream ?? false,
    }),
    log: nullLogger(),
    fs,
    drainMs: 0,
    ...opts.limits,
  });
  const job = (id = 1) => stores.jobs.get(id)!;
  return {
    scheduler,
    stores,
    client,
    fs,
    written,
    job,
    async until(pred, maxMs = 60 * 60_000) {
      for (let t = 0; !pred(); t += 250) {
        if (t > maxMs) throw new Error(`condition not reached in ${maxMs} ms of fake time`);
        await vi.advanceTimersByTimeAsync(250);
      }
    },
    async stop() {
      let stopped = false;
      const done = scheduler.stop().then(() => (stopped = true));
      while (!stopped) await vi.advanceTimersByTimeAsync(100);
      await done;
      data.cleanup();
    },
  };
}

export const stateOf = (h: Harness, id = 1): JobState => h.job(id).state;

/** Fake timers around each test of the file; the harness the test made is stopped after it. */
export function fakeTimersFor(current: () => Harness | undefined): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await current()?.stop();
    vi.useRealTimers();
  });
}
