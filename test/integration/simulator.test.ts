// The simulator against a real HTTP client: the contract of API.md (create, poll, SSE, running list,
// downloads), every fault it can inject, and its command line.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Agent, FormData, request } from 'undici';
import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { generationSchema, isTerminal, normalizeStatus, type Generation } from '../../shared/api.ts';
import {
  CHAOS_FAULTS,
  parseSimulatorArgs,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../main/simulator/index.ts';

const KEY = 'sk-test-key';
const MODEL_ROUTE = 'POST /v1/generation/{model}';

/** A fresh connection pool per test, so one test's cut sockets never meet another's requests. */
let dispatcher = new Agent();
const running: Simulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
  await dispatcher.close();
  dispatcher = new Agent();
});

async function sim(opts: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator({
    seed: 7,
    maxImageSide: 256,
    ...opts,
    faults: { latencyMs: 120, jitterMs: 0, ...opts.faults },
  });
  running.push(simulator);
  return simulator;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(
  url: string,
  opts: {
    method?: 'GET' | 'POST';
    key?: string | null;
    json?: unknown;
    form?: FormData;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? KEY}`;
  let body: string | FormData | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) body = opts.form;
  const res = await request(url, {
    method: opts.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
    dispatcher,
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return {
    status: res.statusCode,
    headers: res.headers,
    body: bytes,
    json: () => JSON.parse(bytes.toString('utf8')),
  };
}

const create = (s: Simulator, json: unknown, opts: { key?: string | null; model?: string } = {}) =>
  call(`${s.url}/v1/generation/${opts.model ?? 'qwen/qwen-image-2'}`, { json, key: opts.key });
const poll = (s: Simulator, id: string, key?: string) => call(`${s.url}/v1/generation/${id}`, { key });

/** Polls until the generation is terminal (the simulator's latency is ~120 ms in these tests). */
async function settle(s: Simulator, id: string, key?: string): Promise<Generation> {
  for (let i = 0; i < 500; i++) {
    const res = await poll(s, id, key);
    if (res.status === 200) {
      const gen = generationSchema.parse(res.json());
      if (isTerminal(normalizeStatus(gen.status))) return gen;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`generation ${id} never reached a terminal status`);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function pngFixture(width: number, height: number, r: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g: 80, b: 120 } } })
    .png()
    .toBuffer();
}

/** API.md's image-route codes; 401, 403 and 404 carry none (code null). */
const DOCUMENTED_CODES = [
  'INVALID_INPUT',
  'UNSUPPORTED_MODEL',
  'INSUFFICIENT_CREDITS',
  'CONTENT_REJECTED',
  'RATE_LIMITED',
  'FAILED',
  'PROVIDER_UNAVAILABLE',
  'TIMEOUT',
].map((suffix) => `IMAGE_GENERATION_${suffix}`);

function expectErrorBody(res: Answer, status: number, code: string | null): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message']);
  expect(body.code).toBe(code);
  if (code !== null) expect(DOCUMENTED_CODES).toContain(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(10);
  expect(typeof body.error).toBe('string');
}

describe('create, poll, download', () => {
  it('runs a JSON create to COMPLETED and serves real images of the reported size and format', async () => {
    const s = await sim();
    const res = await create(s, {
      prompt: '  A red fox in the snow  ',
      image_size: 'landscape_4_3',
      num_images: 2,
      output_format: 'webp',
    });
    expect(res.status).toBe(200);
    const created = res.json();
    expect(created).toMatchObject({
      status: 'IN_QUEUE',
      usage: { total: 0, subscription: 0, permanent: 0 },
      input: {
        prompt: 'A red fox in the snow',
        negative_prompt: '',
        image_size: 'landscape_4_3',
        num_images: 2,
        enable_prompt_expansion: true,
        output_format: 'webp',
      },
    });
    expect(created.id).toMatch(/^gen_[0-9a-f]+$/);

    const done = await settle(s, created.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.usage).toEqual({ total: 40, subscription: 40, permanent: 0 });
    expect(done.data?.type).toBe('image');
    expect(done.data?.n).toBe(2);
    expect(done.data?.actual_prompt).toBe('A red fox in the snow — expanded by simulator');
    const images = done.data?.images ?? [];
    expect(images).toHaveLength(2);
    expect(done.data?.image).toEqual(images[0]);

    const served: string[] = [];
    for (const image of images) {
      // landscape_4_3 is 1024×768, scaled so the longest side is maxImageSide (256).
      expect(image).toMatchObject({ content_type: 'image/webp', width: 256, height: 192 });
      expect(image.url).toContain(`/api/files/`);
      expect(image.url.endsWith(`/${image.file_name}`)).toBe(true);
      const file = await call(image.url, { key: null });
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('image/webp');
      expect(file.body.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(file.body.subarray(8, 12).toString('latin1')).toBe('WEBP');
      const meta = await sharp(file.body).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', image.width, image.height]);
      served.push(sha256(file.body));
      const again = await call(image.url, { key: null });
      expect(sha256(again.body)).toBe(sha256(file.body));
    }
    expect(served[0]).not.toBe(served[1]);
    expect(s.ledger.servedSha256(created.id)).toEqual(served);

    const entry = s.ledger.generation(created.id)!;
    expect(entry.status).toBe('COMPLETED');
    expect(entry.completedAt).toBeGreaterThanOrEqual(entry.createdAt);
    expect(entry.usage.total).toBe(40);
    expect(entry.images.map((i) => [i.index, i.format, i.width, i.height])).toEqual([
      [0, 'webp', 256, 192],
      [1, 'webp', 256, 192],
    ]);
    expect(s.ledger.acceptedByPrompt()).toEqual({ 'A red fox in the snow': 1 });
  });

  it('renders PNG by default and JPEG on request, at the aspect ratio asked, without expansion when off', async () => {
    const s = await sim({ maxImageSide: 200 });
    const png = await settle(
      s,
      (await create(s, { prompt: 'plain', enable_prompt_expansion: false })).json().id,
    );
    expect(png.data?.actual_prompt).toBe('plain');
    const pngImage = png.data!.images![0]!;
    expect([pngImage.width, pngImage.height]).toEqual([200, 200]);
    const pngBytes = (await call(pngImage.url, { key: null })).body;
    expect(pngBytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    const jpeg = await settle(
      s,
      (await create(s, { prompt: 'tall', aspect_ratio: '9:16', output_format: 'jpeg' })).json().id,
    );
    const jpegImage = jpeg.data!.images![0]!;
    expect(jpegImage.content_type).toBe('image/jpeg');
    expect(jpegImage.height).toBe(200);
    expect(jpegImage.width).toBeLessThan(120);
    const jpegBytes = (await call(jpegImage.url, { key: null })).body;
    expect(jpegBytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const meta = await sharp(jpegBytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', jpegImage.width, jpegImage.height]);
  });

  it('takes multipart with file parts and a URL, in order, coercing text fields', async () => {
    const s = await sim();
    const first = await pngFixture(300, 200, 10);
    const second = await pngFixture(120, 240, 200);
    const form = new FormData();
    form.append('prompt', 'a cat like these');
    form.append('image_urls', new Blob([first], { type: 'image/png' }), 'first ref.png');
    form.append('image_urls', 'https://example.com/ref.jpg');
    form.append('image_urls', new Blob([second], { type: 'image/png' }), 'second.png');
    form.append('num_images', '2');
    form.append('enable_prompt_expansion', 'false');
    form.append('seed', '5');
    const res = await call(`${s.url}/v1/generation/qwen/qwen-image-2`, { form });
    expect(res.status).toBe(200);
    const input = res.json().input;
    expect(input).toMatchObject({
      prompt: 'a cat like these',
      num_images: 2,
      enable_prompt_expansion: false,
      seed: 5,
    });
    expect(input.image_urls).toHaveLength(3);
    expect(input.image_urls[0]).toBe(`${s.url}/files/refs/${sha256(first)}/first%20ref.png`);
    expect(input.image_urls[1]).toBe('https://example.com/ref.jpg');
    expect(input.image_urls[2]).toBe(`${s.url}/files/refs/${sha256(second)}/second.png`);

    const refBack = await call(input.image_urls[0], { key: null });
    expect(sha256(refBack.body)).toBe(sha256(first));

    const uploads = s.ledger.generation(res.json().id)!.uploads;
    expect(uploads).toEqual([
      { fileName: 'first ref.png', contentType: 'image/png', size: first.length, sha256: sha256(first) },
      { fileName: 'second.png', contentType: 'image/png', size: second.length, sha256: sha256(second) },
    ]);
    // No size asked and the last reference is a file: its 1:2 shape is kept.
    const done = await settle(s, res.json().id);
    expect(done.data!.images!.map((i) => [i.width, i.height])).toEqual([
      [128, 256],
      [128, 256],
    ]);
  });

  it('refuses multipart files that are not images, more than four references, and files on other fields', async () => {
    const s = await sim();
    const notImage = new FormData();
    notImage.append('prompt', 'x');
    notImage.append('image_urls', new Blob(['hello'], { type: 'image/png' }), 'fake.png');
    const a = await call(`${s.url}/v1/generation/qwen/qwen-image-2`, { form: notImage });
    expectErrorBody(a, 400, 'IMAGE_GENERATION_INVALID_INPUT');
    expect(a.json().message).toContain('fake.png');

    const tooMany = new FormData();
    tooMany.append('prompt', 'x');
    const png = await pngFixture(16, 16, 1);
    for (let i = 0; i < 3; i++)
      tooMany.append('image_urls', new Blob([png], { type: 'image/png' }), `r${i}.png`);
    tooMany.append('image_urls', 'https://example.com/a.png');
    tooMany.append('image_urls', 'https://example.com/b.png');
    const b = await call(`${s.url}/v1/generation/qwen/qwen-image-2`, { form: tooMany });
    expectErrorBody(b, 400, 'IMAGE_GENERATION_INVALID_INPUT');
    expect(b.json().message).toContain('at most 4');

    const wrongField = new FormData();
    wrongField.append('prompt', new Blob([png], { type: 'image/png' }), 'p.png');
    expectErrorBody(
      await call(`${s.url}/v1/generation/qwen/qwen-image-2`, { form: wrongField }),
      400,
      'IMAGE_GENERATION_INVALID_INPUT',
    );
    expect(s.ledger.generations).toHaveLength(0);
  });

  it('lists the key’s queued and running generations, newest first, within the limit', async () => {
    const s = await sim({ faults: { latencyMs: 60_000 } });
    const ids: string[] = [];
    for (const prompt of ['one', 'two', 'three']) ids.push((await create(s, { prompt })).json().id);
    await create(s, { prompt: 'other workspace' }, { key: 'sk-other' });

    const all = await call(`${s.url}/v1/generations/running`);
    expect(all.status).toBe(200);
    const list = all.json();
    expect(list.map((item: { id: string }) => item.id)).toEqual([...ids].reverse());
    expect(Object.keys(list[0]).sort()).toEqual(['id', 'input', 'status', 'usage']);
    expect(list[0]).toMatchObject({ status: 'IN_QUEUE', usage: { total: 0 }, input: { prompt: 'three' } });

    const limited = await call(`${s.url}/v1/generations/running?limit=2`);
    expect(limited.json()).toHaveLength(2);
    expect((await call(`${s.url}/v1/generations/running`, { key: 'sk-other' })).json()).toHaveLength(1);
    expectErrorBody(
      await call(`${s.url}/v1/generations/running?limit=0`),
      400,
      'IMAGE_GENERATION_INVALID_INPUT',
    );
    expectErrorBody(
      await call(`${s.url}/v1/generations/running?limit=101`),
      400,
      'IMAGE_GENERATION_INVALID_INPUT',
    );

    s.setFaults({ latencyMs: 0 });
    const instant = (await create(s, { prompt: 'instant' })).json().id;
    expect((await settle(s, instant)).status).toBe('COMPLETED');
    const after = (await call(`${s.url}/v1/generations/running?limit=100`)).json();
    expect(after.map((item: { id: string }) => item.id)).not.toContain(instant);
    expect(after).toHaveLength(3);
  });

  it('keeps other keys’ generations invisible and answers 404 for unknown ids and routes', async () => {
    const s = await sim();
    const id = (await create(s, { prompt: 'mine' })).json().id;
    expectErrorBody(await poll(s, id, 'sk-someone-else'), 404, null);
    expectErrorBody(await poll(s, 'gen_does_not_exist'), 404, null);
    expect((await call(`${s.url}/v1/nothing/here`)).status).toBe(404);
    expect((await call(`${s.url}/files/0000/none.png`, { key: null })).status).toBe(404);
  });
});

describe('validation and auth', () => {
  it('answers 400 INVALID_INPUT with the schema’s message', async () => {
    const s = await sim();
    const long = await create(s, { prompt: 'p', negative_prompt: 'n'.repeat(501) });
    expectErrorBody(long, 400, 'IMAGE_GENERATION_INVALID_INPUT');
    expect(long.json().message).toContain('negative prompt is longer than 500 characters');

    const unknown = await create(s, { prompt: 'p', count: 2 });
    expectErrorBody(unknown, 400, 'IMAGE_GENERATION_INVALID_INPUT');
    expect(unknown.json().message).toMatch(/unrecognized key.*"count"/i);

    expectErrorBody(await create(s, { prompt: '   ' }), 400, 'IMAGE_GENERATION_INVALID_INPUT');
    expectErrorBody(
      await create(s, { prompt: 'p', image_size: 'square', aspect_ratio: '1:1' }),
      400,
      'IMAGE_GENERATION_INVALID_INPUT',
    );
    expectErrorBody(
      await create(s, { prompt: 'p', num_images: 2 }, { model: 'qwen/qwen-image' }),
      400,
      'IMAGE_GENERATION_INVALID_INPUT',
    );
    const bad = await call(`${s.url}/v1/generation/qwen/qwen-image-2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expectErrorBody(bad, 400, 'IMAGE_GENERATION_INVALID_INPUT');
    expectErrorBody(
      await create(s, { prompt: 'p' }, { model: 'qwen/qwen-image-9' }),
      400,
      'IMAGE_GENERATION_UNSUPPORTED_MODEL',
    );
    expect(s.ledger.generations).toHaveLength(0);
    expect(s.ledger.requestCount(MODEL_ROUTE, 400)).toBe(7);
  });

  it('prices by model and defaults qwen-image to 16:9', async () => {
    const s = await sim();
    const pro = await create(s, { prompt: 'pro', num_images: 2 }, { model: 'qwen/qwen-image-2-pro' });
    expect(pro.json().input.sync_mode).toBe(false);
    expect((await settle(s, pro.json().id)).usage?.total).toBe(80);
    const old = await create(s, { prompt: 'old' }, { model: 'qwen/qwen-image' });
    expect(old.json().input).not.toHaveProperty('num_images');
    const oldDone = await settle(s, old.json().id);
    expect(oldDone.usage?.total).toBe(20);
    expect(oldDone.data?.actual_prompt).toBe('old');
    expect([oldDone.data!.image!.width, oldDone.data!.image!.height]).toEqual([256, 145]);
  });

  it('answers 401 without or with a wrong key and 403 for a forbidden one', async () => {
    const s = await sim({ apiKeys: [KEY, 'sk-banned'], forbiddenKeys: ['sk-banned'] });
    expectErrorBody(await create(s, { prompt: 'p' }, { key: null }), 401, null);
    expectErrorBody(await create(s, { prompt: 'p' }, { key: 'sk-wrong' }), 401, null);
    expectErrorBody(
      await call(`${s.url}/v1/generations/running`, { headers: { authorization: 'Basic abc' }, key: null }),
      401,
      null,
    );
    expectErrorBody(await create(s, { prompt: 'p' }, { key: 'sk-banned' }), 403, null);
    const wrong = await create(s, { prompt: 'p' }, { key: 'sk-wrong' });
    expect(wrong.body.toString()).not.toContain('sk-wrong');
    expect((await create(s, { prompt: 'p' })).status).toBe(200);
    expect(s.ledger.generations).toHaveLength(1);
  });
});

interface StreamResult {
  status: number;
  contentType: string | undefined;
  frames: Generation[];
  comments: string[];
  ended: 'complete' | 'cut';
}

async function openStream(s: Simulator, json: unknown, key = KEY): Promise<StreamResult> {
  const res = await request(`${s.url}/v1/generation/sse/qwen/qwen-image-2`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify(json),
    dispatcher,
  });
  const frames: Generation[] = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (event) => frames.push(generationSchema.parse(JSON.parse(event.data))),
    onComment: (comment) => comments.push(comment.trim()),
  });
  let ended: StreamResult['ended'] = 'complete';
  try {
    for await (const chunk of res.body) parser.feed(Buffer.from(chunk as Buffer).toString('utf8'));
  } catch {
    ended = 'cut';
  }
  const contentType = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: typeof contentType === 'string' ? contentType : undefined,
    frames,
    comments,
    ended,
  };
}

describe('SSE', () => {
  it('sends a frame per status, keep-alive comments between, and ends after the terminal frame', async () => {
    const s = await sim({ sseKeepAliveMs: 30, faults: { latencyMs: 400 } });
    const stream = await openStream(s, { prompt: 'streamed' });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    expect(stream.ended).toBe('complete');
    expect(stream.frames.map((f) => f.status)).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    expect(new Set(stream.frames.map((f) => f.id)).size).toBe(1);
    expect(stream.frames[0]!.usage?.total).toBe(0);
    const last = stream.frames[2]!;
    expect(last.usage?.total).toBe(20);
    expect(last.data?.images).toHaveLength(1);
    expect(stream.comments).toContain('keep-alive');
    const file = await call(last.data!.images![0]!.url, { key: null });
    expect(file.status).toBe(200);
  });

  it('answers errors before the stream as JSON and refuses multipart', async () => {
    const s = await sim();
    const unauthorized = await request(`${s.url}/v1/generation/sse/qwen/qwen-image-2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":"x"}',
      dispatcher,
    });
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.headers['content-type']).toMatch(/^application\/json/);
    expect(((await unauthorized.body.json()) as { code: string | null }).code).toBeNull();

    const form = new FormData();
    form.append('prompt', 'x');
    const multipart = await call(`${s.url}/v1/generation/sse/qwen/qwen-image-2`, { form });
    expectErrorBody(multipart, 400, 'IMAGE_GENERATION_INVALID_INPUT');
    expect(multipart.json().message).toMatch(/JSON/);
  });

  it('cuts the stream before the terminal frame under sseDrop, while the generation carries on', async () => {
    const s = await sim({ faults: { sseDrop: 1, latencyMs: 300 } });
    const stream = await openStream(s, { prompt: 'cut me' });
    expect(stream.ended).toBe('cut');
    expect(stream.frames.length).toBeGreaterThanOrEqual(1);
    expect(stream.frames[0]!.status).toBe('IN_QUEUE');
    expect(stream.frames.map((f) => f.status)).not.toContain('COMPLETED');
    expect((await settle(s, stream.frames[0]!.id)).status).toBe('COMPLETED');
    expect(s.ledger.faults.sseDrop).toBe(1);
  });
});

describe('faults', () => {
  it('answers 429 RATE_LIMITED with Retry-After, and without it when retryAfterSeconds is null', async () => {
    const s = await sim({ faults: { rateLimit429: 1, retryAfterSeconds: 2 } });
    const limited = await create(s, { prompt: 'p' });
    expectErrorBody(limited, 429, 'IMAGE_GENERATION_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('2');
    s.setFaults({ retryAfterSeconds: null });
    const bare = await create(s, { prompt: 'p' });
    expectErrorBody(bare, 429, 'IMAGE_GENERATION_RATE_LIMITED');
    expect(bare.headers['retry-after']).toBeUndefined();
    expect(s.ledger.generations).toHaveLength(0);
    expect(s.ledger.requestCount(MODEL_ROUTE, 429)).toBe(2);
  });

  it('answers create 5xx alternating 500 FAILED and 503 PROVIDER_UNAVAILABLE, accepting nothing', async () => {
    const s = await sim({ faults: { create5xx: 1 } });
    expectErrorBody(await create(s, { prompt: 'p' }), 500, 'IMAGE_GENERATION_FAILED');
    expectErrorBody(await create(s, { prompt: 'p' }), 503, 'IMAGE_GENERATION_PROVIDER_UNAVAILABLE');
    expect(s.ledger.generations).toHaveLength(0);
  });

  it('answers polls with 502, 503, 504 under poll5xx', async () => {
    const s = await sim({ faults: { poll5xx: 1 } });
    const id = (await create(s, { prompt: 'p' })).json().id;
    expectErrorBody(await poll(s, id), 502, 'IMAGE_GENERATION_FAILED');
    expectErrorBody(await poll(s, id), 503, 'IMAGE_GENERATION_PROVIDER_UNAVAILABLE');
    expectErrorBody(await poll(s, id), 504, 'IMAGE_GENERATION_TIMEOUT');
    s.setFaults({ poll5xx: 0 });
    expect((await poll(s, id)).status).toBe(200);
  });

  it('rejects prompts matching rejectPattern with 422 and fails those matching failPattern at no cost', async () => {
    const s = await sim({ faults: { rejectPattern: 'forbidden', failPattern: '^doomed' } });
    expectErrorBody(
      await create(s, { prompt: 'something forbidden here' }),
      422,
      'IMAGE_GENERATION_CONTENT_REJECTED',
    );
    expect((await create(s, { prompt: 'fine' })).status).toBe(200);

    const doomed = await create(s, { prompt: 'doomed to fail' });
    expect(doomed.status).toBe(200);
    const failed = await settle(s, doomed.json().id);
    expect(failed.status).toBe('FAILED');
    expect(failed.code).toBe('IMAGE_GENERATION_FAILED');
    expect(failed.message).toBeTruthy();
    expect(failed.data).toBeNull();
    expect(failed.usage).toEqual({ total: 0, subscription: 0, permanent: 0 });
    expect(s.ledger.generation(doomed.json().id)!.status).toBe('FAILED');
    expect(s.ledger.faults).toMatchObject({ rejectPattern: 1, failPattern: 1 });
  });

  it('rejects or fails at random under rejectRate and failRate', async () => {
    const s = await sim({ faults: { rejectRate: 1 } });
    expectErrorBody(await create(s, { prompt: 'unlucky' }), 422, 'IMAGE_GENERATION_CONTENT_REJECTED');
    s.setFaults({ rejectRate: 0, failRate: 1 });
    const failed = await settle(s, (await create(s, { prompt: 'unlucky too' })).json().id);
    expect([failed.status, failed.code, failed.usage?.total]).toEqual([
      'FAILED',
      'IMAGE_GENERATION_FAILED',
      0,
    ]);
    expect(s.ledger.faults).toMatchObject({ rejectRate: 1, failRate: 1 });
  });

  it('accepts a create under dropResponse but closes the socket before answering', async () => {
    const s = await sim({ faults: { dropResponse: 1, latencyMs: 60_000 } });
    await expect(create(s, { prompt: 'lost answer' })).rejects.toThrow();
    expect(s.ledger.acceptedByPrompt()).toEqual({ 'lost answer': 1 });
    expect(s.ledger.requestCount(MODEL_ROUTE, 'dropped')).toBe(1);
    // The way back after a lost answer: the running list shows it.
    const listed = (await call(`${s.url}/v1/generations/running`)).json();
    expect(listed.map((item: { input: { prompt: string } }) => item.input.prompt)).toEqual(['lost answer']);
  });

  it('expires result links after linkTtlMs and reissues fresh ones for the same bytes on the next poll', async () => {
    const s = await sim();
    const id = (await create(s, { prompt: 'expiring' })).json().id;
    const done = await settle(s, id);
    const stableUrl = done.data!.images![0]!.url;
    expect((await settle(s, id)).data!.images![0]!.url).toBe(stableUrl);
    const original = sha256((await call(stableUrl, { key: null })).body);

    s.setFaults({ linkTtlMs: 1 });
    const shortLived = (await settle(s, id)).data!.images![0]!.url;
    expect(shortLived).not.toBe(stableUrl);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const expired = await call(shortLived, { key: null });
    expect(expired.status).toBe(403);
    expect(expired.body.toString()).toMatch(/expired/i);

    s.setFaults({ linkTtlMs: 60_000 });
    const fresh = (await settle(s, id)).data!.images![0]!.url;
    expect(fresh).not.toBe(shortLived);
    const again = await call(fresh, { key: null });
    expect(again.status).toBe(200);
    expect(sha256(again.body)).toBe(original);
    expect(s.ledger.servedSha256(id)).toEqual([original]);
    expect(s.ledger.faults.linkExpired).toBe(1);
  });

  it('fails the first fetch of a result URL once under downloadFailOnce', async () => {
    const s = await sim({ faults: { downloadFailOnce: 1 } });
    const url = (await settle(s, (await create(s, { prompt: 'flaky cdn' })).json().id)).data!.images![0]!.url;
    expect((await call(url, { key: null })).status).toBe(500);
    const second = await call(url, { key: null });
    expect(second.status).toBe(200);
    expect((await sharp(second.body).metadata()).format).toBe('png');
  });

  it('truncates a download under truncate: full Content-Length, part of the body, then a cut', async () => {
    const s = await sim({ faults: { truncate: 1 } });
    const url = (await settle(s, (await create(s, { prompt: 'cut short' })).json().id)).data!.images![0]!.url;
    const res = await request(url, { dispatcher });
    expect(res.statusCode).toBe(200);
    const declared = Number(res.headers['content-length']);
    expect(declared).toBeGreaterThan(0);
    await expect(res.body.arrayBuffer()).rejects.toThrow();
    s.setFaults({ truncate: 0 });
    const whole = await call(url, { key: null });
    expect(whole.body.length).toBe(declared);
    expect(s.ledger.requestCount('GET /files', '200-cut')).toBe(1);
  });

  it('caps unfinished generations per key with 429 under concurrencyCap', async () => {
    const s = await sim({ faults: { concurrencyCap: 2, latencyMs: 60_000, retryAfterSeconds: 3 } });
    expect((await create(s, { prompt: 'a' })).status).toBe(200);
    expect((await create(s, { prompt: 'b' })).status).toBe(200);
    const third = await create(s, { prompt: 'c' });
    expectErrorBody(third, 429, 'IMAGE_GENERATION_RATE_LIMITED');
    expect(third.headers['retry-after']).toBe('3');
    expect((await create(s, { prompt: 'other key' }, { key: 'sk-other' })).status).toBe(200);
    expect(s.ledger.generations).toHaveLength(3);

    const burst = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => create(s, { prompt: `burst ${i}` }, { key: 'sk-burst' })),
    );
    expect(burst.map((res) => res.status).sort()).toEqual([200, 200, 429, 429, 429]);
  });

  it('answers 402 when a create would exceed the credits, and refunds failed generations', async () => {
    const s = await sim({ faults: { credits: 60, failPattern: 'fails' } });
    const failing = await create(s, { prompt: 'this fails', num_images: 2 });
    expect(failing.status).toBe(200);
    expect((await create(s, { prompt: 'paid' })).status).toBe(200);
    expectErrorBody(
      await create(s, { prompt: 'too much', num_images: 2 }),
      402,
      'IMAGE_GENERATION_INSUFFICIENT_CREDITS',
    );
    await settle(s, failing.json().id);
    expect((await create(s, { prompt: 'after refund', num_images: 2 })).status).toBe(200);
  });

  it('repeats the same fault sequence for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const s = await sim({ seed, faults: { rateLimit429: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await create(s, { prompt: `p${i}` })).status);
      return statuses;
    };
    const first = await outcomes(42);
    expect(first).toContain(429);
    expect(first).toContain(200);
    expect(await outcomes(42)).toEqual(first);
  });

  it('changes faults at runtime through POST /__sim/faults and serves the ledger as JSON', async () => {
    const s = await sim();
    const root = s.url.replace(/\/api$/, '');
    expect((await create(s, { prompt: 'before' })).status).toBe(200);
    const changed = await call(`${root}/__sim/faults`, {
      key: null,
      json: { rateLimit429: 1, retryAfterSeconds: null },
    });
    expect(changed.status).toBe(200);
    expect(changed.json()).toMatchObject({ rateLimit429: 1, retryAfterSeconds: null });
    expect((await create(s, { prompt: 'after' })).status).toBe(429);
    expect((await call(`${root}/__sim/faults`, { key: null, json: { rateLimit429: 2 } })).status).toBe(400);
    expect((await call(`${root}/__sim/faults`, { key: null, json: { bogus: 1 } })).status).toBe(400);

    const ledger = (await call(`${root}/__sim/ledger`, { key: null })).json();
    expect(ledger.totalRequests).toBe(2);
    expect(ledger.requests[MODEL_ROUTE]).toEqual({ '200': 1, '429': 1 });
    expect(ledger.generations).toHaveLength(1);
    expect(ledger.generations[0]).toMatchObject({
      prompt: 'before',
      model: 'qwen/qwen-image-2',
      uploads: [],
    });
    expect(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']).toContain(ledger.generations[0].status);
    expect(JSON.stringify(ledger)).not.toContain(KEY);
  });
});

describe('what the docs allow: ambiguous gateways, older names, remote cancels, usage in creates', () => {
  const running = async (s: Simulator) =>
    (await call(`${s.url}/v1/generations/running`)).json() as { id: string; status: string }[];

  it('accepts and bills a create, then answers a proxy’s HTML 502 or a 504 TIMEOUT (acceptThen5xx)', async () => {
    const s = await sim({ faults: { acceptThen5xx: 1, latencyMs: 400 } });
    const proxied = await create(s, { prompt: 'behind a proxy' });
    expect(proxied.status).toBe(502);
    expect(proxied.headers['content-type']).toMatch(/^text\/html/);
    expect(proxied.body.toString()).toMatch(/<title>502 Bad Gateway<\/title>/);
    const timedOut = await create(s, { prompt: 'timed out' });
    expectErrorBody(timedOut, 504, 'IMAGE_GENERATION_TIMEOUT');
    const streamed = await call(`${s.url}/v1/generation/sse/qwen/qwen-image-2`, {
      json: { prompt: 'streamed' },
      headers: { accept: 'text/event-stream' },
    });
    expect(streamed.status).toBe(502);

    // Each generation exists, is billed, and shows in the running list until it completes.
    expect(s.ledger.acceptedByPrompt()).toEqual({ 'behind a proxy': 1, 'timed out': 1, streamed: 1 });
    expect(s.ledger.faults.acceptThen5xx).toBe(3);
    const listed = await running(s);
    expect(listed.map((item) => item.id).sort()).toEqual(s.ledger.generations.map((g) => g.id).sort());
    s.setFaults({ acceptThen5xx: 0 });
    for (const g of s.ledger.generations) {
      const done = await settle(s, g.id);
      expect(done).toMatchObject({ status: 'COMPLETED', usage: { total: 20 } });
    }
  });

  it('speaks the older status names, without input in the create answer (legacyStatuses)', async () => {
    const s = await sim({ faults: { legacyStatuses: true, latencyMs: 400 } });
    const created = await create(s, { prompt: 'old api', num_images: 2 });
    expect(created.status).toBe(200);
    expect(created.json().status).toBe('starting');
    expect(created.json()).not.toHaveProperty('input');
    const [item] = await running(s);
    expect(item).toMatchObject({ status: 'starting', input: { prompt: 'old api', num_images: 2 } });
    const seen = new Set<string>();
    let done: Generation | undefined;
    for (let i = 0; i < 200 && !done; i++) {
      const gen = generationSchema.parse((await poll(s, created.json().id)).json());
      seen.add(gen.status);
      if (isTerminal(normalizeStatus(gen.status))) done = gen;
      else await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(done?.status).toBe('succeeded');
    expect([...seen].every((name) => ['starting', 'processing', 'succeeded'].includes(name))).toBe(true);
    const stream = await openStream(s, { prompt: 'old stream' });
    expect(stream.frames.map((f) => f.status)).toEqual(['starting', 'processing', 'succeeded']);

    s.setFaults({ failPattern: 'boom' });
    expect((await settle(s, (await create(s, { prompt: 'boom' })).json().id)).status).toBe('failed');
    expect(s.ledger.generations.every((g) => ['COMPLETED', 'FAILED'].includes(g.status))).toBe(true);
  });

  it('cancels generations half way on the service side (remoteCancel), refunding them', async () => {
    const s = await sim({ faults: { remoteCancel: 1, latencyMs: 400 } });
    const id = (await create(s, { prompt: 'canceled from the dashboard' })).json().id;
    expect((await running(s)).map((item) => item.id)).toEqual([id]);
    const done = await settle(s, id);
    expect(done).toMatchObject({ status: 'CANCELED', data: null, usage: { total: 0 } });
    expect(await running(s)).toEqual([]);
    expect(s.ledger.generation(id)!.status).toBe('CANCELED');
    expect(s.ledger.faults.remoteCancel).toBe(1);
    const stream = await openStream(s, { prompt: 'canceled while streaming' });
    expect(stream.ended).toBe('complete');
    expect(stream.frames.at(-1)!.status).toBe('CANCELED');
    s.setFaults({ legacyStatuses: true });
    expect((await settle(s, (await create(s, { prompt: 'old cancel' })).json().id)).status).toBe('canceled');
  });

  it('shows usage in the create answer (usageInCreate) while the terminal usage stays the truth', async () => {
    const s = await sim({ faults: { usageInCreate: true, failPattern: 'boom' } });
    const ok = await create(s, { prompt: 'paid', num_images: 2 });
    expect(ok.json()).toMatchObject({ status: 'IN_QUEUE', usage: { total: 40, subscription: 40 } });
    expect((await settle(s, ok.json().id)).usage?.total).toBe(40);
    const failing = await create(s, { prompt: 'boom' });
    expect(failing.json().usage.total).toBe(20);
    expect((await settle(s, failing.json().id)).usage?.total).toBe(0);
    // The stream's frames are not create answers: zeros until the end, as the SSE docs show.
    expect((await openStream(s, { prompt: 'streamed' })).frames[0]!.usage?.total).toBe(0);
  });

  it('sends no keep-alive comments when they are off', async () => {
    const s = await sim({ sseKeepAliveMs: 20, faults: { sseKeepAlive: false, latencyMs: 300 } });
    const stream = await openStream(s, { prompt: 'quiet' });
    expect(stream.frames.map((f) => f.status)).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    expect(stream.comments).toEqual([]);
  });

  it('accepts n and enable_safety_checker, in JSON and as multipart text', async () => {
    const s = await sim();
    const json = await create(s, { prompt: 'two by n', n: 2, enable_safety_checker: true });
    expect(json.status).toBe(200);
    expect(json.json().input).toMatchObject({ n: 2, num_images: 2, enable_safety_checker: true });
    // The ledger keeps what was sent apart from the defaults the service filled in.
    expect(s.ledger.generation(json.json().id)!.sent).toEqual({
      prompt: 'two by n',
      n: 2,
      enable_safety_checker: true,
    });
    expect((await settle(s, json.json().id)).data?.images).toHaveLength(2);
    const pro = await create(s, { prompt: 'pro default' }, { model: 'qwen/qwen-image-2-pro' });
    expect(pro.json().input.enable_safety_checker).toBe(true);
    const form = new FormData();
    form.append('prompt', 'multipart');
    form.append('n', '3');
    form.append('enable_safety_checker', 'false');
    form.append('image_urls', new Blob([await pngFixture(16, 16, 3)], { type: 'image/png' }), 'r.png');
    const multipart = await call(`${s.url}/v1/generation/qwen/qwen-image-2-pro`, { form });
    expect(multipart.status).toBe(200);
    expect(multipart.json().input).toMatchObject({ n: 3, num_images: 3, enable_safety_checker: false });
    expectErrorBody(await create(s, { prompt: 'x', n: 9 }), 400, 'IMAGE_GENERATION_INVALID_INPUT');
    expectErrorBody(
      await create(s, { prompt: 'x', enable_safety_checker: 'no' }),
      400,
      'IMAGE_GENERATION_INVALID_INPUT',
    );
  });

  it('switches all of these at runtime through POST /__sim/faults', async () => {
    const s = await sim();
    const root = s.url.replace(/\/api$/, '');
    const patch = {
      acceptThen5xx: 0.5,
      legacyStatuses: true,
      remoteCancel: 0.25,
      usageInCreate: true,
      sseKeepAlive: false,
    };
    const changed = await call(`${root}/__sim/faults`, { key: null, json: patch });
    expect(changed.status).toBe(200);
    expect(changed.json()).toMatchObject(patch);
    expect((await call(`${root}/__sim/faults`, { key: null, json: { legacyStatuses: 1 } })).status).toBe(400);
  });
});

describe('command line', () => {
  it('parses every flag into options and faults', () => {
    const argv = `--port 8787 --host 0.0.0.0 --key a --key=b --forbidden-key c --seed 9 --max-image-side 512
      --rate-limit 0.1 --retry-after none --create-5xx 0.2 --poll-5xx 0.3 --fail-rate 0.05 --reject-rate 0.04
      --reject-pattern nsfw|gore --fail-pattern ^boom --drop-response 0.01 --sse-drop 0.2 --link-ttl-ms 5000
      --download-fail-once 0.2 --truncate 0.1 --concurrency-cap 8 --latency-ms 500 --jitter-ms 150
      --http-delay-ms 5 --credits 10000 --accept-then-5xx 0.3 --remote-cancel 0.1 --legacy-statuses
      --usage-in-create --no-keep-alive`.split(/\s+/);
    const options = parseSimulatorArgs(argv);
    expect(options).toMatchObject({
      port: 8787,
      host: '0.0.0.0',
      apiKeys: ['a', 'b'],
      forbiddenKeys: ['c'],
      seed: 9,
      maxImageSide: 512,
    });
    expect(options.faults).toEqual({
      rateLimit429: 0.1,
      retryAfterSeconds: null,
      create5xx: 0.2,
      poll5xx: 0.3,
      failRate: 0.05,
      rejectRate: 0.04,
      rejectPattern: 'nsfw|gore',
      failPattern: '^boom',
      dropResponse: 0.01,
      sseDrop: 0.2,
      linkTtlMs: 5000,
      downloadFailOnce: 0.2,
      truncate: 0.1,
      concurrencyCap: 8,
      latencyMs: 500,
      jitterMs: 150,
      httpDelayMs: 5,
      credits: 10000,
      acceptThen5xx: 0.3,
      remoteCancel: 0.1,
      legacyStatuses: true,
      usageInCreate: true,
      sseKeepAlive: false,
    });
    expect(() => parseSimulatorArgs(['--legacy-statuses=no'])).toThrow(/takes no value/);
  });

  it('applies --chaos with explicit flags winning, and rejects unknown or bad flags with the usage', () => {
    expect(parseSimulatorArgs([]).faults).toBeUndefined();
    const chaos = parseSimulatorArgs(['--rate-limit', '0', '--chaos']).faults!;
    expect(chaos).toEqual({ ...CHAOS_FAULTS, rateLimit429: 0 });
    expect(Object.values(chaos).filter((v) => typeof v === 'number' && v > 0).length).toBeGreaterThan(8);
    expect(() => parseSimulatorArgs(['--frobnicate'])).toThrow(/unknown option "--frobnicate"[\s\S]*Usage:/);
    expect(() => parseSimulatorArgs(['--rate-limit', '1.5'])).toThrow(/rateLimit429/);
    expect(() => parseSimulatorArgs(['--port', 'abc'])).toThrow(/--port/);
    expect(() => parseSimulatorArgs(['--reject-pattern', '(unclosed'])).toThrow(/regular expression/);
    expect(() => parseSimulatorArgs(['--seed'])).toThrow(/--seed needs a value/);
  });

  it('runs as a command until SIGTERM, printing its URL and faults', async () => {
    const entry = fileURLToPath(new URL('../../main/simulator/index.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { runSimulatorCommand } from ${JSON.stringify(entry)}; await runSimulatorCommand(process.argv.slice(1));`,
        '--',
        '--rate-limit',
        '0.25',
        '--latency-ms',
        '10',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('../..', import.meta.url)) },
    );
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (output += text));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (text: string) => {
        output += text;
        const match = /Simulator listening on (\S+)\n.*faults: .*rateLimit429=0\.25/s.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`simulator command exited early:\n${output}`)));
    });
    const res = await create({ url } as Simulator, { prompt: 'via the command' });
    expect([200, 429]).toContain(res.status);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output).toContain('Simulator stopping (SIGTERM)');
  });
});
