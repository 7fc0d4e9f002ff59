import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayloads } from '../../shared/contract.ts';
import {
  createHandlers,
  dispatch,
  subscribeEvents,
  type HandlerEnv,
  type Handlers,
  type KeyStore,
} from '../../main/engine/handlers.ts';
import { Studio } from '../../main/engine/studio.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { StudioError } from '../../main/engine/errors.ts';
import { internalsOf } from '../../main/engine/internals.ts';

const KEY = 'sk-test-0123456789abcdef';

function memoryKeyStore(initial: string | null = null): KeyStore & { value: string | null } {
  return {
    value: initial,
    get() {
      return this.value;
    },
    set(key: string) {
      this.value = key;
    },
    clear() {
      this.value = null;
    },
    kind: () => 'os',
  };
}

async function callError(promise: Promise<unknown>): Promise<StudioError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  return err as StudioError;
}

let sim: Simulator;
let png: Buffer;
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, faults: { latencyMs: 40, jitterMs: 20 } });
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
});
afterAll(async () => {
  await sim.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Rig {
  studio: Studio;
  handlers: Handlers;
  keys: ReturnType<typeof memoryKeyStore>;
  call: (method: string, input?: unknown) => Promise<unknown>;
}

const rigs: Rig[] = [];
async function rig(
  opts: { key?: string | null; env?: Partial<HandlerEnv>; start?: boolean } = {},
): Promise<Rig> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'qs-handlers-'));
  dirs.push(dataDir);
  const key = opts.key === undefined ? KEY : opts.key;
  const keys = memoryKeyStore(key);
  const studio = new Studio({ dataDir, apiKey: key, apiBase: sim.url });
  const handlers = createHandlers(studio, { keyStore: keys, version: '9.9.9', ...opts.env });
  if (opts.start) studio.start();
  const r: Rig = { studio, handlers, keys, call: (m, i) => dispatch(handlers, m, i) };
  rigs.push(r);
  return r;
}
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.studio.close();
});

/** Resolves with the first value `check` returns (truthy) after any studio event. */
function waitFor<T>(studio: Studio, check: () => T | null | undefined | false): Promise<T> {
  return new Promise((resolve) => {
    const first = check();
    if (first) return resolve(first);
    const events = ['job', 'batch', 'queue', 'asset', 'settled'] as const;
    const on = () => {
      const v = check();
      if (!v) return;
      for (const e of events) studio.off(e, on);
      resolve(v);
    };
    for (const e of events) studio.on(e, on);
  });
}

describe('dispatch', () => {
  it('refuses unknown methods and invalid input with codes a transport can map', async () => {
    const { call } = await rig();
    const unknown = await callError(call('app.format', {}));
    expect(unknown.code).toBe('UNKNOWN_METHOD');
    expect(unknown.message).toContain('app.format');
    // Inherited object keys are not methods.
    expect((await callError(call('toString', {}))).code).toBe('UNKNOWN_METHOD');

    const short = await callError(call('key.set', { key: 'abc' }));
    expect(short.code).toBe('INVALID_INPUT');
    expect(short.message).toBe('key: that does not look like an API key');

    const extra = await callError(call('app.info', { debug: true }));
    expect(extra.code).toBe('INVALID_INPUT');

    const conc = await callError(call('settings.update', { concurrency: 0 }));
    expect(conc.code).toBe('INVALID_INPUT');
    expect(conc.message).toMatch(/^concurrency: /);
  });

  it('keeps the engine error’s code and message, and never shows the key', async () => {
    const { call } = await rig();
    const plan = await callError(call('batch.plan', { name: 'x', entries: [{ prompt: 'a {red|blue' }] }));
    expect(plan.code).toBe('TEMPLATE');
    expect(plan.message).toBe("prompt 1: unclosed '{' at column 3 — close it or escape it as \\{");

    // The CSV reader names the file in its errors: a file named like the key must not echo the key.
    const csv = await callError(
      call('prompts.parseFile', { fileName: `${KEY}.csv`, text: 'title,size\nx,1\n' }),
    );
    expect(csv.code).toBe('INPUT_FILE');
    expect(csv.message).toContain('prompt');
    expect(csv.message).not.toContain(KEY);
    expect(csv.message).toContain('[redacted]');
  });
});

describe('app, key and settings', () => {
  it('reports the key state and keeps the key in the key store only', async () => {
    const { call, keys, studio } = await rig({ key: null });
    const before = (await call('app.info')) as {
      hasKey: boolean;
      keyStorage: string;
      version: string;
      dataDir: string;
    };
    expect(before).toMatchObject({
      hasKey: false,
      keyStorage: 'os',
      version: '9.9.9',
      dataDir: studio.dataDir,
      simulator: false,
    });

    const after = await call('key.set', { key: `  ${KEY}  ` });
    expect(after).toMatchObject({ hasKey: true });
    expect(keys.value).toBe(KEY);
    expect(studio.settings.apiKey()).toBe(KEY);
    expect(JSON.stringify(internalsOf(studio).stores.settings.all())).not.toContain(KEY);

    const test = (await call('key.test')) as { ok: boolean; message: string };
    expect(test.ok).toBe(true);

    expect(await call('key.clear')).toMatchObject({ hasKey: false });
    expect(keys.value).toBeNull();
    const noKey = (await call('key.test')) as { ok: boolean; message: string };
    expect(noKey).toMatchObject({ ok: false });
    expect(noKey.message).toMatch(/API key/);
  });

  it('saves settings and returns them merged with the defaults', async () => {
    const { call } = await rig();
    const s = (await call('settings.update', { concurrency: 7, theme: 'dark' })) as {
      concurrency: number;
      theme: string;
      apiBase: string;
    };
    expect(s).toMatchObject({ concurrency: 7, theme: 'dark' });
    expect(await call('settings.get')).toEqual(s);
    expect((await call('queue.status')) as { maxConcurrency: number }).toMatchObject({ maxConcurrency: 7 });
  });

  it('switches to a local simulator on request and back to the real service when a key is saved', async () => {
    const started: string[] = [];
    const { call, studio, keys } = await rig({
      key: null,
      env: {
        startSimulator: async () => {
          started.push(sim.url);
          return sim.url;
        },
      },
    });
    const info = await call('app.useSimulator');
    expect(started).toHaveLength(1);
    expect(info).toMatchObject({ simulator: true, hasKey: true, apiBase: sim.url, keyStorage: 'none' });
    expect(keys.value).toBeNull(); // the simulator's key is never persisted
    expect(((await call('key.test')) as { ok: boolean }).ok).toBe(true);

    const real = await call('key.set', { key: KEY });
    expect(real).toMatchObject({ simulator: false, hasKey: true, keyStorage: 'os' });
    expect(studio.settings.apiKey()).toBe(KEY);

    const { call: call2 } = await rig({ key: null });
    const missing = await callError(call2('app.useSimulator'));
    expect(missing.code).toBe('NOT_AVAILABLE');
    expect(missing.message).toMatch(/API key/);
  });
});

describe('prompt files', () => {
  it('parses CSV and JSONL with the engine reader and names each row’s local reference images', async () => {
    const { call } = await rig();
    const csv = (await call('prompts.parseFile', {
      fileName: 'list.csv',
      text:
        'prompt,aspect_ratio,refs\na red car,16:9,\n' +
        'a blue boat,1:1,photos/boat.png; https://example.com/sea.jpg ;C:\\shots\\deck.webp\n',
    })) as {
      entries: { prompt: string; params?: object; refs?: string[] }[];
      rowRefs: ({ url: string } | { file: string })[][];
      warnings: string[];
    };
    expect(csv.entries.map((e) => e.prompt)).toEqual(['a red car', 'a blue boat']);
    expect(csv.entries[0]!.params).toEqual({ aspect_ratio: '16:9' });
    expect(csv.entries[1]).not.toHaveProperty('refPaths');
    expect(csv.entries[1]).not.toHaveProperty('refSources'); // paths never reach the page
    expect(csv.entries[1]!.refs).toEqual(['https://example.com/sea.jpg']);
    // The page cannot read the disk: it is told each row's references in order, local images by file name.
    expect(csv.rowRefs).toEqual([
      [],
      [{ file: 'boat.png' }, { url: 'https://example.com/sea.jpg' }, { file: 'deck.webp' }],
    ]);
    expect(csv.warnings).toEqual([]);

    // Two different files of the same name: one added image stands for both, which the person is told.
    const twins = (await call('prompts.parseFile', {
      fileName: 'twins.csv',
      text: 'prompt,refs\na,red/mug.png\nb,blue/mug.png\nc,red/mug.png\n',
    })) as { rowRefs: { file: string }[][]; warnings: string[] };
    expect(twins.rowRefs).toEqual([[{ file: 'mug.png' }], [{ file: 'mug.png' }], [{ file: 'mug.png' }]]);
    expect(twins.warnings).toEqual([
      expect.stringMatching(/^twins\.csv:3: .*blue\/mug\.png and .*red\/mug\.png are both called mug\.png/),
    ]);

    const jsonl = (await call('prompts.parseFile', {
      fileName: 'list.jsonl',
      text: '{"prompt":"a {cat|dog}","num_images":2}\n',
    })) as { entries: { prompt: string; params?: object }[]; warnings: string[] };
    expect(jsonl).toEqual({
      entries: [{ prompt: 'a {cat|dog}', params: { num_images: 2 }, origin: 'list.jsonl:1' }],
      rowRefs: [[]],
      warnings: [],
    });

    const wrong = await callError(call('prompts.parseFile', { fileName: 'notes.md', text: 'a' }));
    expect(wrong.message).toMatch(/'\.md' files are not a prompt list/);
  });
});

describe('references', () => {
  it('stores a valid image and refuses other bytes with the engine reason', async () => {
    const { call, studio } = await rig();
    const ref = (await call('refs.add', {
      fileName: 'blue.png',
      dataBase64: png.toString('base64'),
    })) as Record<string, unknown>;
    expect(ref).toMatchObject({
      fileName: 'blue.png',
      mime: 'image/png',
      width: 64,
      height: 48,
      bytes: png.length,
    });
    expect(ref.token).toBe(`sha256:${ref.sha256 as string}`);
    expect(internalsOf(studio).stores.refs.get(ref.sha256 as string)).not.toBeNull();

    const bad = await callError(
      call('refs.add', { fileName: 'notes.txt', dataBase64: Buffer.from('hello').toString('base64') }),
    );
    expect(bad.code).toBe('REFERENCE');
    expect(bad.message).toBe('notes.txt is not a PNG, JPEG, WebP or GIF image — convert it to one of those');
  });
});

describe('batches, jobs and the library', () => {
  it('plans, runs a batch with a reference, reports events, and finds the results', async () => {
    const r = await rig({ start: true });
    const { call, studio } = r;
    const events: { event: EventName; payload: unknown }[] = [];
    const unsubscribe = subscribeEvents(
      studio,
      <E extends EventName>(event: E, payload: EventPayloads[E]) => {
        events.push({ event, payload });
      },
    );
    const ref = (await call('refs.add', { fileName: 'blue.png', dataBase64: png.toString('base64') })) as {
      token: string;
      sha256: string;
    };
    const spec = {
      name: 'vehicles',
      entries: [{ prompt: 'a {red|blue|green} {car|boat}' }],
      refs: [ref.token],
    };

    const plan = (await call('batch.plan', spec)) as {
      jobs: { input: { prompt: string } }[];
      estimateCredits: number;
    };
    expect(plan.jobs.map((j) => j.input.prompt)).toEqual([
      'a red car',
      'a red boat',
      'a blue car',
      'a blue boat',
      'a green car',
      'a green boat',
    ]);
    expect(studio.batches.list()).toHaveLength(0); // planning stores nothing

    const created = (await call('batch.create', spec)) as {
      batchId: number;
      jobs: number;
      estimateCredits: number;
    };
    expect(created).toMatchObject({ jobs: 6, estimateCredits: plan.estimateCredits });
    const done = await waitFor(studio, () => {
      const b = studio.batches.find(created.batchId);
      return b?.status === 'done' ? b : null;
    });
    expect(done.counts.done).toBe(6);
    await waitFor(studio, () => internalsOf(studio).stores.assets.count() === 6);

    const jobEvent = events.find((e) => e.event === 'job')!.payload as Record<string, unknown>;
    expect(jobEvent).toHaveProperty('batchId', created.batchId);
    expect(jobEvent).not.toHaveProperty('result'); // the raw answer holds signed URLs
    expect(events.some((e) => e.event === 'batch')).toBe(true);
    expect(events.some((e) => e.event === 'asset')).toBe(true);
    unsubscribe();
    const seen = events.length;
    await call('batch.create', { name: 'after', entries: [{ prompt: 'quiet' }] });
    await waitFor(studio, () => studio.batches.list().every((b) => b.status === 'done'));
    expect(events.length).toBe(seen);

    const list = (await call('jobs.list', { batchId: created.batchId })) as {
      total: number;
      rows: { state: string }[];
    };
    expect(list.total).toBe(6);
    expect(list.rows.every((j) => j.state === 'done')).toBe(true);

    const all = (await call('library.search', {})) as {
      total: number | null;
      hasMore: boolean;
      rows: { id: number }[];
    };
    expect(all).toMatchObject({ total: 7, hasMore: false });
    const page = (await call('library.search', { text: 'boat', limit: 2 })) as typeof all;
    expect(page).toMatchObject({ total: 3, hasMore: true });
    expect(page.rows).toHaveLength(2);
    const rest = (await call('library.search', { text: 'boat', offset: 2, limit: 2 })) as typeof all;
    expect(rest).toMatchObject({ hasMore: false });
    expect(rest.rows).toHaveLength(1);

    const detail = (await call('library.get', { id: page.rows[0]!.id })) as Record<string, unknown> & {
      job: { prompt: string; refHashes: string[] };
      refs: { sha256: string }[];
    };
    expect(detail).toMatchObject({ batchName: 'vehicles' });
    expect(detail.job.prompt).toMatch(/boat$/);
    expect(detail.refs.map((x) => x.sha256)).toEqual([ref.sha256]);
    expect(await call('library.get', { id: 9999 })).toBeNull();

    const fromAsset = (await call('refs.fromAsset', { id: page.rows[0]!.id })) as {
      token: string;
      mime: string;
    };
    expect(fromAsset.token).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fromAsset.mime).toBe('image/png');
  });

  it('applies job, batch and queue actions, and explains the illegal ones', async () => {
    const { call } = await rig({ start: true });
    expect(await call('queue.pause')).toMatchObject({ paused: true, pauseReason: 'user' });
    const { batchId } = (await call('batch.create', {
      name: 'held',
      entries: [{ prompt: '{one|two|three}' }],
    })) as { batchId: number };
    const jobs = ((await call('jobs.list', { batchId })) as { rows: { id: number; state: string }[] }).rows;
    expect(jobs.map((j) => j.state)).toEqual(['queued', 'queued', 'queued']);

    expect(await call('job.pause', { id: jobs[0]!.id })).toMatchObject({ state: 'paused' });
    const retry = await callError(call('job.retry', { id: jobs[0]!.id }));
    expect(retry.message).toBe(
      `Job ${jobs[0]!.id} is paused; only failed, canceled or uncertain jobs can be retried.`,
    );
    expect(await call('job.resume', { id: jobs[0]!.id })).toMatchObject({ state: 'queued' });
    expect(await call('job.cancel', { id: jobs[1]!.id })).toMatchObject({ state: 'canceled' });
    expect(await call('job.retry', { id: jobs[1]!.id })).toMatchObject({ state: 'queued' });
    expect((await callError(call('job.drop', { id: jobs[1]!.id }))).code).toBe('CONFLICT');

    expect(await call('batch.pause', { id: batchId })).toMatchObject({ status: 'paused' });
    expect(await call('batch.resume', { id: batchId })).toMatchObject({ status: 'active' });
    const canceled = (await call('batch.cancel', { id: batchId })) as {
      status: string;
      counts: Record<string, number>;
    };
    expect(canceled).toMatchObject({ status: 'canceled' });
    expect(canceled.counts.canceled).toBe(3);

    expect((await callError(call('job.cancel', { id: 999 }))).message).toBe(
      'Job 999 does not exist (it may belong to a deleted data folder).',
    );
    expect((await callError(call('batch.pause', { id: 999 }))).message).toMatch(/^Batch 999 does not exist/);
    expect(await call('queue.resume')).toMatchObject({ paused: false, pauseReason: null });
    expect(await call('batch.list')).toEqual([expect.objectContaining({ id: batchId, name: 'held' })]);
  });
});

describe('the library over the contract', () => {
  /** A started rig with four finished images: 'a red boat', 'a blue boat', 'a red car', '一只红色的猫'. */
  async function withImages(env: Partial<HandlerEnv> = {}) {
    const r = await rig({ start: true, env });
    const { batchId } = (await r.call('batch.create', {
      name: 'harbour',
      entries: [{ prompt: '{a red boat|a blue boat|a red car|一只红色的猫}' }],
    })) as { batchId: number };
    await waitFor(r.studio, () => r.studio.batches.find(batchId)?.status === 'done');
    await waitFor(r.studio, () => internalsOf(r.studio).stores.assets.count() === 4);
    const tasks: EventPayloads['task'][] = [];
    const off = subscribeEvents(r.studio, (event, payload) => {
      if (event === 'task') tasks.push(payload as EventPayloads['task']);
    });
    unsubscribers.push(off);
    const ended = (id: number) =>
      new Promise<EventPayloads['task']>((resolve) => {
        const check = () => {
          const t = tasks.find((x) => x.id === id && x.state !== 'running');
          if (t) return resolve(t);
          setTimeout(check, 10);
        };
        check();
      });
    return { ...r, tasks, ended };
  }
  const unsubscribers: (() => void)[] = [];
  afterEach(() => {
    while (unsubscribers.length) unsubscribers.pop()!();
  });

  type Page = {
    total: number;
    hasMore: boolean;
    next: number | null;
    rows: { id: number; prompt: string }[];
  };

  it('searches with the query language and exact totals, pages by keyset, and updates a selection', async () => {
    const { call } = await withImages();
    const all = (await call('library.search', { limit: 3 })) as Page;
    expect(all).toMatchObject({ total: 4, hasMore: true });
    const rest = (await call('library.search', { limit: 3, after: all.next })) as Page;
    expect(rest).toMatchObject({ hasMore: false, next: null });
    expect([...all.rows, ...rest.rows].map((r) => r.id).sort()).toHaveLength(4);
    expect(
      ((await call('library.search', { text: 'boat -blue' })) as Page).rows.map((r) => r.prompt),
    ).toEqual(['a red boat']);
    expect(((await call('library.search', { text: '红色' })) as Page).total).toBe(1);

    // "All N matching": the query is resolved once, so a flag it sets does not change what it covers.
    const upd = (await call('library.update', {
      selection: { query: '-fav boat' },
      favorite: true,
      addTags: ['sea'],
      rating: 4,
    })) as { images: number };
    expect(upd.images).toBe(2);
    expect(((await call('library.search', { text: 'fav tag:sea rating>=4' })) as Page).total).toBe(2);
    const boat = ((await call('library.search', { text: 'red boat' })) as Page).rows[0]!;
    const col = (await call('collections.create', { name: 'Harbour' })) as { id: number };
    await call('collections.add', { id: col.id, selection: { ids: [boat.id] } });
    expect(await call('library.get', { id: boat.id })).toMatchObject({
      tags: ['sea'],
      collections: [{ id: col.id, name: 'Harbour' }],
      favorite: true,
      rating: 4,
      batchName: 'harbour',
    });
    expect(await call('library.tags.suggest', { prefix: 's' })).toEqual([
      expect.objectContaining({ name: 'sea', uses: 2 }),
    ]);
    expect(await call('searches.save', { name: 'Boats', query: 'tag:sea' })).toMatchObject({ name: 'Boats' });
    expect(await call('searches.list')).toEqual([expect.objectContaining({ query: 'tag:sea' })]);

    const nothing = await callError(call('library.update', { selection: { ids: [boat.id] } }));
    expect(nothing.code).toBe('INVALID_INPUT');
    expect(nothing.message).toMatch(/say what to change/);
    expect((await callError(call('library.update', { selection: { ids: [] }, favorite: true }))).code).toBe(
      'INVALID_INPUT',
    );
    const syntax = (await call('library.syntax')) as { entries: { syntax: string }[]; text: string };
    expect(syntax.entries.map((e) => e.syntax)).toContain('rating>=4');
    expect(syntax.text).toContain('tag:portrait');
  });

  it('lists, renames and deletes tags on every image, refusing empty and taken names', async () => {
    const { call } = await withImages();
    await call('library.update', { selection: { query: 'boat' }, addTags: ['sea', 'old town'] });
    await call('library.update', { selection: { query: 'car' }, addTags: ['street'] });
    expect(await call('library.tags.list')).toEqual([
      expect.objectContaining({ name: 'old town', uses: 2 }),
      expect.objectContaining({ name: 'sea', uses: 2 }),
      expect.objectContaining({ name: 'street', uses: 1 }),
    ]);

    const renamed = (await call('library.tags.rename', { from: 'sea', to: ' harbour ' })) as {
      name: string;
    }[];
    expect(renamed.map((t) => t.name)).toEqual(['harbour', 'old town', 'street']);
    expect(((await call('library.search', { text: 'tag:harbour' })) as Page).total).toBe(2);
    expect(((await call('library.search', { text: 'tag:sea' })) as Page).total).toBe(0);

    const taken = await callError(call('library.tags.rename', { from: 'harbour', to: 'street' }));
    expect(taken.code).toBe('ALREADY_EXISTS');
    expect(taken.message).toMatch(/"street" already exists/);
    expect((await callError(call('library.tags.rename', { from: 'harbour', to: '  ' }))).message).toMatch(
      /cannot be empty/,
    );
    expect((await callError(call('library.tags.rename', { from: 'nope', to: 'x' }))).message).toMatch(
      /no tag "nope"/,
    );

    expect(await call('library.tags.delete', { name: 'old town' })).toEqual({ deleted: true });
    expect(await call('library.tags.delete', { name: 'old town' })).toEqual({ deleted: false });
    expect(((await call('library.search', { text: 'tag:"old town"' })) as Page).total).toBe(0);
    // The images stay; only the tag is gone from them.
    expect(((await call('library.search', { text: 'boat' })) as Page).total).toBe(2);
    const boat = ((await call('library.search', { text: 'red boat' })) as Page).rows[0]!;
    expect(await call('library.get', { id: boat.id })).toMatchObject({ tags: ['harbour'] });
    expect((await call('library.tags.list')) as { name: string }[]).toHaveLength(2);
    expect((await callError(call('library.tags.delete', { name: '' }))).code).toBe('INVALID_INPUT');
  });

  it('trashes a selection and undoes it', async () => {
    const { call } = await withImages();
    const boats = (await call('library.search', { text: 'boat' })) as Page;
    const trashed = (await call('library.trash', { selection: { query: 'boat' } })) as {
      token: number;
      count: number;
    };
    expect(trashed.count).toBe(2);
    expect(((await call('library.search', {})) as Page).total).toBe(2);
    expect(await call('library.get', { id: boats.rows[0]!.id })).toBeNull();
    expect(await call('library.undo', { token: trashed.token })).toMatchObject({
      restored: 2,
      filesRestored: 2,
    });
    expect(((await call('library.search', {})) as Page).total).toBe(4);
    expect((await callError(call('library.undo', { token: trashed.token }))).message).toMatch(
      /already undone/,
    );
  });

  it('exports as a background task: asks where when it can, refuses unsafe paths, and cancels cleanly', async () => {
    const picks: string[] = [];
    let answer: string | null = null;
    const { call, ended, studio } = await withImages({
      pickPath: async (kind) => {
        picks.push(kind);
        return answer;
      },
    });
    const out = path.join(studio.dataDir, 'out');
    expect(await call('app.info')).toMatchObject({ canPickPaths: true });
    // Closing the dialog starts nothing.
    expect(await call('library.export', { selection: { query: '' }, format: 'zip' })).toEqual({ task: null });
    answer = path.join(out, 'picked');
    const started = (await call('library.export', { selection: { query: 'red' }, format: 'zip' })) as {
      task: { id: number; state: string; kind: string };
    };
    expect(picks).toEqual(['export-zip', 'export-zip']);
    expect(started.task).toMatchObject({ kind: 'export', state: 'running' });
    const done = await ended(started.task.id);
    expect(done).toMatchObject({ state: 'done', result: { out: `${answer}.zip`, files: 2, missing: 0 } });
    expect(done.message).toMatch(/^Exported 2 images \(.+\) to .*picked\.zip\.$/);

    // In the app a typed destination is refused (the page names no path); where there is no dialog (the
    // bridge) a typed one must be a full path, and an existing zip is never replaced.
    expect(
      (await callError(call('library.export', { selection: { query: '' }, format: 'zip', out: 'x.zip' })))
        .message,
    ).toMatch(/chosen in a dialog/);
    const typed = await withImages();
    expect(
      (
        await callError(
          typed.call('library.export', { selection: { query: '' }, format: 'zip', out: 'x.zip' }),
        )
      ).message,
    ).toMatch(/must be a full path/);
    expect(
      (
        await callError(
          typed.call('library.export', { selection: { query: '' }, format: 'zip', out: `${answer}.zip` }),
        )
      ).message,
    ).toMatch(/already exists/);

    // Canceled before it could write anything: the task says so and no zip is left.
    const target = path.join(out, 'canceled.zip');
    const { task } = (await typed.call('library.export', {
      selection: { query: '' },
      format: 'zip',
      out: target,
    })) as {
      task: { id: number };
    };
    expect(await typed.call('task.cancel', { id: task.id })).toMatchObject({ message: 'Canceling…' });
    expect(await typed.ended(task.id)).toMatchObject({ state: 'canceled' });
    expect(existsSync(target)).toBe(false);
    expect(((await typed.call('tasks.list')) as { id: number }[]).map((t) => t.id)).toContain(task.id);
    expect(await typed.call('task.cancel', { id: 9999 })).toBeNull();
  });

  it('imports a folder as a task, skipping what is already in the library', async () => {
    const { call, ended, studio } = await withImages();
    const folder = path.join(studio.dataDir, '..', `${path.basename(studio.dataDir)}-import`);
    dirs.push(folder);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'a.png'), png);
    writeFileSync(path.join(folder, 'b.png'), png); // the same bytes: a duplicate
    expect((await callError(call('library.import', {}))).message).toMatch(/which folder/);
    const { task } = (await call('library.import', { folder })) as { task: { id: number } };
    const done = await ended(task.id);
    expect(done).toMatchObject({
      state: 'done',
      result: { scanned: 2, imported: 1, duplicates: 1, skipped: [] },
    });
    expect(done.message).toBe(`1 image imported from ${folder}; 1 duplicate skipped.`);
    expect(((await call('library.search', { text: 'source:imported' })) as Page).total).toBe(1);
  });
});
