import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, SkillsClient, nextPollDelayMs, type ClientOptions } from '../../main/engine/api/index.ts';
import type { Generation, GenerationInput, RemoteStatus } from '../../shared/api.ts';
import { API_STATUS_TABLE } from '../fixtures/status-table.ts';

const KEY = 'sk-test-SECRET-0123456789abcdef';
const MODEL = 'qwen/qwen-image-2';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void | Promise<void>;

interface TestServer {
  base: string;
  port: number;
  requests: Seen[];
  close(): Promise<void>;
}

// Servers close first (dropping their connections), so a client's close never waits on a hung request.
const serverCleanups: (() => Promise<void>)[] = [];
const clientCleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const list of [serverCleanups, clientCleanups]) {
    while (list.length > 0) await list.pop()!();
  }
});

async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      void handler(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  serverCleanups.push(close);
  return { base: `http://127.0.0.1:${port}/api`, port, requests, close };
}

function client(base: string, extra: Partial<ClientOptions> = {}): SkillsClient {
  const c = new SkillsClient({ baseUrl: base, apiKey: KEY, ...extra });
  clientCleanups.push(() => c.close());
  return c;
}

function json(
  res: http.ServerResponse,
  status: number,
  value: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

const queued = (id = 'gen_123'): Generation => ({
  id,
  status: 'IN_QUEUE',
  input: { prompt: 'a cat' },
  usage: { total: 0, subscription: 0, permanent: 0 },
});

function pick(err: ApiError) {
  const { status, kind, code, maybeSent, offline, message } = err;
  return { status, kind, code, maybeSent, offline, message };
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('create (JSON)', () => {
  it('posts exactly the schema fields, trimmed, with auth, accept and user agent', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    const c = client(`${srv.base}/`); // a trailing slash on the base is tolerated
    const input = {
      prompt: '  a cat on a roof  ',
      negative_prompt: 'blurry',
      aspect_ratio: '16:9',
      enable_prompt_expansion: false,
      seed: 2147483647,
      num_images: 2,
      output_format: 'webp',
      image_urls: ['https://example.com/a.png'],
      image_size: undefined,
    } satisfies GenerationInput;
    const gen = await c.create(MODEL, input);

    expect(gen).toEqual(queued());
    expect(srv.requests).toHaveLength(1);
    const [seen] = srv.requests;
    expect(seen!.method).toBe('POST');
    expect(seen!.url).toBe('/api/v1/generation/qwen/qwen-image-2');
    expect(seen!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen!.headers.accept).toBe('application/json');
    expect(seen!.headers['content-type']).toBe('application/json');
    expect(seen!.headers['user-agent']).toMatch(/^qwen-studio\/\d+\.\d+\.\d+/);
    expect(JSON.parse(seen!.body.toString())).toStrictEqual({
      prompt: 'a cat on a roof',
      negative_prompt: 'blurry',
      aspect_ratio: '16:9',
      enable_prompt_expansion: false,
      seed: 2147483647,
      num_images: 2,
      output_format: 'webp',
      image_urls: ['https://example.com/a.png'],
    });
  });

  it('sends no null or undefined field', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    await client(srv.base).create(MODEL, { prompt: 'x', seed: null, negative_prompt: undefined });
    const raw = srv.requests[0]!.body.toString();
    expect(JSON.parse(raw)).toStrictEqual({ prompt: 'x' });
    expect(raw).not.toMatch(/null|undefined/);
  });

  it('accepts any 2xx answer', async () => {
    const srv = await startServer((_req, res) => json(res, 202, queued('gen_202')));
    expect((await client(srv.base).create(MODEL, { prompt: 'x' })).id).toBe('gen_202');
  });

  it('uses the model of the call in the route', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    await client(srv.base).create('qwen/qwen-image-2-pro', { prompt: 'x' });
    expect(srv.requests[0]!.url).toBe('/api/v1/generation/qwen/qwen-image-2-pro');
  });

  it('an answer that is not a generation is BAD_RESPONSE, retryable, maybe sent', async () => {
    const bodies = ['{"status":"IN_QUEUE"}', '<html>hello</html>', ''];
    let i = 0;
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodies[i++]);
    });
    const c = client(srv.base);
    for (const _ of bodies) {
      const err = await caught(c.create(MODEL, { prompt: 'x' }));
      expect(err).toMatchObject({ code: 'BAD_RESPONSE', kind: 'retryable', maybeSent: true, status: null });
    }
    // The same for a poll, where nothing can have been created.
    const poll = await caught(c.get('gen_1'));
    expect(poll).toMatchObject({ code: 'BAD_RESPONSE', maybeSent: false });
  });
});

describe('validation before sending', () => {
  const refusals: [string, GenerationInput, string][] = [
    [
      'a 501-character negative prompt',
      { prompt: 'x', negative_prompt: 'n'.repeat(501) },
      'negative_prompt: negative prompt is longer than 500 characters',
    ],
    ['seed 2147483648', { prompt: 'x', seed: 2147483648 }, 'seed:'],
    ['seed -1', { prompt: 'x', seed: -1 }, 'seed:'],
    ['a fractional seed', { prompt: 'x', seed: 1.5 }, 'seed:'],
    [
      '5 reference URLs',
      { prompt: 'x', image_urls: [1, 2, 3, 4, 5].map((n) => `https://example.com/${n}.png`) },
      'image_urls:',
    ],
    [
      'both image_size and aspect_ratio',
      { prompt: 'x', image_size: 'square_hd', aspect_ratio: '1:1' },
      'image_size:',
    ],
    ['an empty prompt', { prompt: '   ' }, 'prompt:'],
    ['a field the schema does not define', { prompt: 'x', n: 2 } as unknown as GenerationInput, 'n'],
    ['num_images 5', { prompt: 'x', num_images: 5 }, 'num_images:'],
    ['a non-http reference', { prompt: 'x', image_urls: ['file:///etc/passwd'] }, 'image_urls.0:'],
  ];

  it.each(refusals)('refuses %s without a request', async (_name, input, fragment) => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    const c = client(srv.base);
    for (const attempt of [c.create(MODEL, input), c.createStream(MODEL, input, () => {})]) {
      const err = await caught(attempt);
      expect(err).toMatchObject({
        kind: 'job',
        code: 'INVALID_INPUT',
        maybeSent: false,
        status: null,
        offline: false,
      });
      expect(err.message).toContain(fragment);
    }
    expect(srv.requests).toHaveLength(0);
  });

  it('names the field and limit of a long negative prompt', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    const err = await caught(
      client(srv.base).create(MODEL, { prompt: 'x', negative_prompt: 'n'.repeat(501) }),
    );
    expect(err.message).toBe('negative_prompt: negative prompt is longer than 500 characters');
    expect(srv.requests).toHaveLength(0);
  });

  it('counts local files and URLs together (at most 4)', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    const file = { fileName: 'a.png', contentType: 'image/png', data: new Uint8Array([1, 2, 3]) };
    const input = { prompt: 'x', image_urls: ['https://example.com/1.png', 'https://example.com/2.png'] };
    const err = await caught(client(srv.base).create(MODEL, input, [file, file, file]));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', kind: 'job', maybeSent: false });
    expect(err.message).toMatch(/image_urls: at most 4 reference images/);
    expect(srv.requests).toHaveLength(0);
  });

  it('refuses fields the older model does not define, and unknown models', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    const c = client(srv.base);
    const err = await caught(c.create('qwen/qwen-image', { prompt: 'x', num_images: 2 }));
    expect(err.message).toBe('num_images: not supported by qwen/qwen-image');
    const bad = await caught(c.create('qwen/other' as never, { prompt: 'x' }));
    expect(bad.message).toMatch(/^model:/);
    expect(srv.requests).toHaveLength(0);
  });

  it('refuses to send without an API key, pausing the queue', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    const err = await caught(new SkillsClient({ baseUrl: srv.base, apiKey: '  ' }).get('gen_1'));
    expect(err).toMatchObject({ kind: 'queue', code: 'NO_API_KEY', maybeSent: false });
    expect(srv.requests).toHaveLength(0);
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => new SkillsClient({ baseUrl: 'ftp://example.com', apiKey: KEY })).toThrow(/http/);
    expect(() => new SkillsClient({ baseUrl: 'not a url', apiKey: KEY })).toThrow(/not a valid URL/);
  });
});

describe('create (multipart)', () => {
  it('sends files and URLs as repeated image_urls parts and other fields as text', async () => {
    let form: FormData | undefined;
    const srv = await startServer(async (req, res, body) => {
      form = await new Response(new Uint8Array(body), {
        headers: { 'content-type': req.headers['content-type'] ?? '' },
      }).formData();
      json(res, 200, queued());
    });
    const png = new Uint8Array(100).fill(7);
    // A view into a larger buffer: only the view's bytes may be sent.
    const jpegBacking = new Uint8Array(300).fill(9);
    const jpeg = jpegBacking.subarray(50, 250);
    await client(srv.base).create(
      MODEL,
      {
        prompt: '一只猫 on a roof',
        image_urls: ['https://example.com/ref.webp'],
        num_images: 2,
        enable_prompt_expansion: false,
        seed: 2147483647,
        negative_prompt: undefined,
      },
      [
        { fileName: 'first.png', contentType: 'image/png', data: png },
        { fileName: 'second.jpg', contentType: 'image/jpeg', data: jpeg },
      ],
    );

    expect(srv.requests[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(srv.requests[0]!.url).toBe('/api/v1/generation/qwen/qwen-image-2');
    expect(form).toBeDefined();
    const names = [...new Set([...form!.keys()])].sort();
    expect(names).toEqual(['enable_prompt_expansion', 'image_urls', 'num_images', 'prompt', 'seed']);
    expect(form!.get('prompt')).toBe('一只猫 on a roof');
    expect(form!.get('num_images')).toBe('2');
    expect(form!.get('enable_prompt_expansion')).toBe('false');
    expect(form!.get('seed')).toBe('2147483647');

    const refs = form!.getAll('image_urls');
    expect(refs).toHaveLength(3);
    const files = refs.filter((r): r is File => typeof r !== 'string');
    expect(files.map((f) => [f.name, f.type, f.size])).toEqual([
      ['first.png', 'image/png', 100],
      ['second.jpg', 'image/jpeg', 200],
    ]);
    expect(new Uint8Array(await files[1]!.arrayBuffer())).toEqual(jpeg);
    expect(refs.filter((r) => typeof r === 'string')).toEqual(['https://example.com/ref.webp']);
  });

  it('sends only fields that differ from the model’s documented defaults, references in the user’s order', async () => {
    const forms: FormData[] = [];
    const srv = await startServer(async (req, res, body) => {
      forms.push(
        await new Response(new Uint8Array(body), {
          headers: { 'content-type': req.headers['content-type'] ?? '' },
        }).formData(),
      );
      json(res, 200, queued());
    });
    const c = client(srv.base);
    const defaults = {
      prompt: 'p',
      negative_prompt: '',
      enable_prompt_expansion: true,
      num_images: 1,
      output_format: 'png',
      aspect_ratio: '1:1',
      image_urls: ['https://example.com/b.png', 'https://example.com/d.png'],
    } satisfies GenerationInput;
    const a = { fileName: 'a.png', contentType: 'image/png', data: new Uint8Array([1]), position: 0 };
    const cFile = { fileName: 'c.png', contentType: 'image/png', data: new Uint8Array([3]), position: 2 };
    await c.create(MODEL, { ...defaults, enable_safety_checker: false }, [a, cFile]);
    await c.create('qwen/qwen-image-2-pro', { ...defaults, enable_safety_checker: false }, [a]);
    await c.create('qwen/qwen-image-2-pro', { ...defaults, enable_safety_checker: true, num_images: 3 }, [
      { ...a, position: 2 },
    ]);

    const parts = (form: FormData) =>
      [...form.entries()].map(([name, v]) => `${name}=${typeof v === 'string' ? v : `file:${v.name}`}`);
    // aspect_ratio is a real choice beside reference images (without it the size follows the last image).
    expect(parts(forms[0]!)).toEqual([
      'prompt=p',
      'aspect_ratio=1:1',
      'image_urls=file:a.png',
      'image_urls=https://example.com/b.png',
      'image_urls=file:c.png',
      'image_urls=https://example.com/d.png',
    ]);
    // The pro model checks safety by default: turning it off is sent, keeping it on is not.
    expect(parts(forms[1]!)).toEqual([
      'prompt=p',
      'aspect_ratio=1:1',
      'enable_safety_checker=false',
      'image_urls=file:a.png',
      'image_urls=https://example.com/b.png',
      'image_urls=https://example.com/d.png',
    ]);
    expect(parts(forms[2]!)).toEqual([
      'prompt=p',
      'aspect_ratio=1:1',
      'num_images=3',
      'image_urls=https://example.com/b.png',
      'image_urls=https://example.com/d.png',
      'image_urls=file:a.png',
    ]);
  });

  it('refuses reference positions that clash or fall outside the list, without a request', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    const file = (position: number) => ({
      fileName: `f${position}.png`,
      contentType: 'image/png',
      data: new Uint8Array([1]),
      position,
    });
    const c = client(srv.base);
    for (const files of [[file(0), file(0)], [file(3)], [file(-1)]]) {
      const err = await caught(c.create(MODEL, { prompt: 'x', image_urls: ['https://e.com/u.png'] }, files));
      expect(err).toMatchObject({ kind: 'job', code: 'INVALID_INPUT', maybeSent: false });
      expect(err.message).toMatch(/not a free place/);
    }
    expect(srv.requests).toHaveLength(0);
  });

  it('leaves out a null seed', async () => {
    let form: FormData | undefined;
    const srv = await startServer(async (req, res, body) => {
      form = await new Response(new Uint8Array(body), {
        headers: { 'content-type': req.headers['content-type'] ?? '' },
      }).formData();
      json(res, 200, queued());
    });
    await client(srv.base).create(MODEL, { prompt: 'x', seed: null }, [
      { fileName: 'a.png', contentType: 'image/png', data: new Uint8Array([1]) },
    ]);
    expect(form!.has('seed')).toBe(false);
    expect([...new Set(form!.keys())].sort()).toEqual(['image_urls', 'prompt']);
  });
});

describe('HTTP errors through the client', () => {
  it('maps the status table to kind, code and the service message; a create is maybe sent unless refused', async () => {
    const table = API_STATUS_TABLE;
    let row = 0;
    const srv = await startServer((_req, res) => {
      const [status, code] = table[row]!;
      json(res, status, { code, message: `refused with ${status}`, error: code });
    });
    const c = client(srv.base);
    const png = { fileName: 'a.png', contentType: 'image/png', data: new Uint8Array([1, 2]) };
    const creates: [string, () => Promise<unknown>][] = [
      ['json', () => c.create(MODEL, { prompt: 'x' })],
      ['multipart', () => c.create(MODEL, { prompt: 'x' }, [png])],
      ['sse', () => c.createStream(MODEL, { prompt: 'x' }, () => {})],
    ];
    for (; row < table.length; row++) {
      const [status, code, kind, refused] = table[row]!;
      for (const [how, call] of creates) {
        const err = await caught(call());
        expect({ how, ...pick(err) }).toEqual({
          how,
          status,
          kind,
          code: code ?? `HTTP_${status}`,
          maybeSent: !refused,
          offline: false,
          message: `refused with ${status}`,
        });
      }
      // A poll or a running list makes nothing: never maybe sent.
      expect(await caught(c.get('gen_1'))).toMatchObject({ status, kind, maybeSent: false });
      expect(await caught(c.running())).toMatchObject({ status, maybeSent: false });
    }
  });

  it('a proxy’s HTML 5xx page on a create (JSON, multipart, SSE) is ambiguous; on a poll it is not', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
    });
    const c = client(srv.base);
    const png = { fileName: 'a.png', contentType: 'image/png', data: new Uint8Array([1, 2]) };
    for (const call of [
      () => c.create(MODEL, { prompt: 'x' }),
      () => c.create(MODEL, { prompt: 'x' }, [png]),
      () => c.createStream(MODEL, { prompt: 'x' }, () => {}),
    ]) {
      const err = await caught(call());
      expect(err).toMatchObject({ status: 502, code: 'HTTP_502', kind: 'retryable', maybeSent: true });
      expect(err.message).toMatch(
        /^The service answered 502 Bad Gateway\. The generation may have been accepted/,
      );
    }
    expect(await caught(c.get('gen_1'))).toMatchObject({ status: 502, maybeSent: false });
  });

  it('reads Retry-After as seconds and as a date', async () => {
    const date = new Date(Date.now() + 120_000).toUTCString();
    const answers = [{ 'retry-after': '7' }, { 'retry-after': date }, {}];
    let i = 0;
    const srv = await startServer((_req, res) =>
      json(res, 429, { code: 'IMAGE_GENERATION_RATE_LIMITED' }, answers[i++]),
    );
    const c = client(srv.base);
    expect((await caught(c.create(MODEL, { prompt: 'x' }))).retryAfterMs).toBe(7000);
    const fromDate = (await caught(c.create(MODEL, { prompt: 'x' }))).retryAfterMs;
    expect(fromDate).toBeGreaterThan(60_000);
    expect(fromDate).toBeLessThanOrEqual(120_000);
    expect((await caught(c.create(MODEL, { prompt: 'x' }))).retryAfterMs).toBeNull();
  });

  it('classifies an HTML error page by its status', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    });
    const err = await caught(client(srv.base).get('gen_1'));
    expect(err).toMatchObject({ kind: 'retryable', status: 503, code: 'HTTP_503' });
    expect(err.message).toMatch(/^The service answered 503 Service Unavailable/);
  });

  it('a 404 on a poll fails that job', async () => {
    const srv = await startServer((_req, res) => json(res, 404, { message: 'Generation not found' }));
    const err = await caught(client(srv.base).get('gen/odd id'));
    expect(err).toMatchObject({ kind: 'job', status: 404, message: 'Generation not found' });
    expect(srv.requests[0]!.url).toBe('/api/v1/generation/gen%2Fodd%20id');
  });
});

describe('network failures', () => {
  it('connection refused: offline, not sent', async () => {
    const srv = await startServer(() => {});
    await srv.close();
    const err = await caught(client(srv.base).create(MODEL, { prompt: 'x' }));
    expect(err).toMatchObject({
      kind: 'retryable',
      code: 'NETWORK',
      offline: true,
      maybeSent: false,
      status: null,
    });
    expect(err.message).toMatch(/connection refused/);
  });

  it('a socket destroyed after the body was read: maybe sent, not offline', async () => {
    const srv = await startServer((req) => {
      req.socket.destroy();
    });
    const err = await caught(client(srv.base).create(MODEL, { prompt: 'x' }));
    expect(srv.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: 'retryable', code: 'NETWORK', offline: false, maybeSent: true });
  });

  it('no answer headers in time: TIMEOUT, maybe sent', async () => {
    const srv = await startServer(() => {
      /* never answers */
    });
    const c = client(srv.base, { timeouts: { headersMs: 200 } });
    const err = await caught(c.create(MODEL, { prompt: 'x' }));
    expect(err).toMatchObject({ kind: 'retryable', code: 'TIMEOUT', offline: false, maybeSent: true });
  });

  it('a body that stalls: TIMEOUT while reading', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"gen_1",');
    });
    const err = await caught(client(srv.base, { timeouts: { bodyMs: 200 } }).get('gen_1'));
    expect(err).toMatchObject({ kind: 'retryable', code: 'TIMEOUT', maybeSent: true });
    expect(err.message).toMatch(/while reading its answer/);
  });

  it('an abort before sending is not sent; an abort in flight may be', async () => {
    const srv = await startServer(() => {});
    const c = client(srv.base);
    const early = await caught(c.create(MODEL, { prompt: 'x' }, [], AbortSignal.abort()));
    expect(early).toMatchObject({ code: 'ABORTED', maybeSent: false });
    expect(srv.requests).toHaveLength(0);

    const controller = new AbortController();
    const pending = caught(c.create(MODEL, { prompt: 'x' }, [], controller.signal));
    while (srv.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    expect(await pending).toMatchObject({ code: 'ABORTED', maybeSent: true });
  });
});

function sse(res: http.ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

const frame = (gen: Generation) => `data: ${JSON.stringify(gen)}\n\n`;
const completed: Generation = {
  id: 'gen_sse',
  status: 'COMPLETED',
  input: { prompt: 'a cat' },
  data: { type: 'image', images: [{ url: 'https://cdn.example/x.png', width: 1024, height: 1024 }] },
  usage: { total: 20, subscription: 20, permanent: 0 },
};

describe('onWrite: called just before a create is written to the network, never when nothing was', () => {
  it('JSON, multipart and event-stream creates: once each, before the service has the request', async () => {
    const marks: number[] = [];
    const arrivals: number[] = [];
    const srv = await startServer((req, res) => {
      arrivals.push(marks.length);
      if (req.url?.includes('/sse/')) {
        sse(res);
        res.end(frame(completed));
      } else json(res, 200, queued());
    });
    const c = client(srv.base);
    const mark = () => marks.push(Date.now());
    await c.create(MODEL, { prompt: 'json' }, [], undefined, mark);
    const file = { fileName: 'r.png', contentType: 'image/png', data: new Uint8Array([1, 2, 3]) };
    await c.create(MODEL, { prompt: 'multipart' }, [file], undefined, mark);
    await c.createStream(MODEL, { prompt: 'stream' }, () => {}, undefined, mark);
    expect(marks).toHaveLength(3);
    // When each request reached the server, its mark had already been made.
    expect(arrivals).toEqual([1, 2, 3]);
  });

  it('connection refused: never called', async () => {
    const srv = await startServer(() => {});
    await srv.close();
    let marked = 0;
    const err = await caught(client(srv.base).create(MODEL, { prompt: 'x' }, [], undefined, () => marked++));
    expect(err).toMatchObject({ offline: true, maybeSent: false });
    expect(marked).toBe(0);
  });

  it('a TLS handshake that never completes: never called (nothing was written)', async () => {
    const silent = net.createServer(() => {}); // accepts the connection, never answers the ClientHello
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const sockets = new Set<net.Socket>();
    silent.on('connection', (s) => sockets.add(s));
    serverCleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });
    const { port } = silent.address() as AddressInfo;
    let marked = 0;
    const c = client(`https://127.0.0.1:${port}/api`, { timeouts: { connectMs: 300 } });
    const err = await caught(c.create(MODEL, { prompt: 'x' }, [], undefined, () => marked++));
    expect(err).toMatchObject({ maybeSent: false });
    expect(marked).toBe(0);
  });

  it('a hook that throws stops the request unsent, and its error is the one the call fails with', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued()));
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const outcome = await client(srv.base)
      .create(MODEL, { prompt: 'x' }, [], undefined, () => {
        throw full;
      })
      .then(
        () => 'resolved',
        (err: unknown) => err,
      );
    expect(outcome).toBe(full);
    expect(srv.requests).toEqual([]);
  });
});

describe('createStream', () => {
  it('delivers frames as they come, tolerating comments and unknown events, and resolves on the terminal one', async () => {
    let idSeen!: () => void;
    const firstFrameHandled = new Promise<void>((r) => (idSeen = r));
    const srv = await startServer(async (_req, res) => {
      sse(res);
      res.write(': keep-alive\n\n');
      res.write(`event: progress\n${frame({ id: 'gen_sse', status: 'IN_QUEUE' })}`);
      // The rest waits until the client has handed the first frame over: proves it is not buffered.
      await firstFrameHandled;
      res.write('event: something-new\ndata: {"hello":"world"}\n\n');
      res.write('event: ping\ndata:\n\n');
      const running = frame({ id: 'gen_sse', status: 'IN_PROGRESS' });
      res.write(running.slice(0, 20));
      res.write(running.slice(20));
      res.write(': still working\n\n');
      res.write(frame(completed));
      // The connection stays open: the client must not wait for its end.
    });
    const seen: string[] = [];
    const gen = await client(srv.base).createStream(MODEL, { prompt: 'a cat' }, (g) => {
      seen.push(`${g.id}:${g.status}`);
      if (seen.length === 1) idSeen();
    });
    expect(gen).toEqual(completed);
    expect(seen).toEqual(['gen_sse:IN_QUEUE', 'gen_sse:IN_PROGRESS', 'gen_sse:COMPLETED']);
    const req = srv.requests[0]!;
    expect(req.url).toBe('/api/v1/generation/sse/qwen/qwen-image-2');
    expect(req.headers.accept).toBe('text/event-stream');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(JSON.parse(req.body.toString())).toStrictEqual({ prompt: 'a cat' });
  }, 15_000); // bounded: a client waiting for the stream's end instead of the terminal frame hangs here

  it('accepts older status names as terminal (succeeded) and a last frame without a blank line', async () => {
    const srv = await startServer((_req, res) => {
      sse(res);
      res.write(frame({ id: 'gen_old', status: 'processing' }));
      res.end(`data: ${JSON.stringify({ id: 'gen_old', status: 'succeeded' })}\n`);
    });
    const gen = await client(srv.base).createStream(MODEL, { prompt: 'x' }, () => {});
    expect(gen.status).toBe('succeeded');
  });

  it('a stream cut before the terminal frame is STREAM_DROPPED with the last frame', async () => {
    const srv = await startServer((req, res) => {
      sse(res);
      res.write(frame({ id: 'gen_drop', status: 'IN_QUEUE' }));
      res.write(frame({ id: 'gen_drop', status: 'IN_PROGRESS' }), () => req.socket.destroy());
    });
    const ids: string[] = [];
    const err = await caught(client(srv.base).createStream(MODEL, { prompt: 'x' }, (g) => ids.push(g.id)));
    expect(err).toMatchObject({ code: 'STREAM_DROPPED', kind: 'retryable', maybeSent: true });
    expect(err.lastFrame).toMatchObject({ id: 'gen_drop', status: 'IN_PROGRESS' });
    expect(ids[0]).toBe('gen_drop');
    expect(err.message).toMatch(/gen_drop/);
  });

  it('a stream closed cleanly before the terminal frame is dropped too', async () => {
    const srv = await startServer((_req, res) => {
      sse(res);
      res.end(frame({ id: 'gen_end', status: 'IN_QUEUE' }));
    });
    const err = await caught(client(srv.base).createStream(MODEL, { prompt: 'x' }, () => {}));
    expect(err).toMatchObject({ code: 'STREAM_DROPPED', maybeSent: true });
    expect(err.lastFrame?.id).toBe('gen_end');
  });

  it('a stream cut before any frame has no last frame', async () => {
    const srv = await startServer((req, res) => {
      sse(res);
      res.write(': hello\n\n', () => req.socket.destroy());
    });
    const err = await caught(client(srv.base).createStream(MODEL, { prompt: 'x' }, () => {}));
    expect(err).toMatchObject({ code: 'STREAM_DROPPED', maybeSent: true, lastFrame: null });
  });

  it('a stream that goes silent past the idle timeout is dropped', async () => {
    const srv = await startServer((_req, res) => {
      sse(res);
      res.write(frame({ id: 'gen_idle', status: 'IN_PROGRESS' }));
    });
    const c = client(srv.base, { timeouts: { sseIdleMs: 200 } });
    const err = await caught(c.createStream(MODEL, { prompt: 'x' }, () => {}));
    expect(err).toMatchObject({ code: 'STREAM_DROPPED', maybeSent: true });
    expect(err.lastFrame?.id).toBe('gen_idle');
  });

  it('an error status before the stream opens is classified like any answer', async () => {
    const srv = await startServer((_req, res) =>
      json(res, 402, { code: 'IMAGE_GENERATION_INSUFFICIENT_CREDITS', message: 'Not enough credits' }),
    );
    const err = await caught(client(srv.base).createStream(MODEL, { prompt: 'x' }, () => {}));
    expect(err).toMatchObject({
      kind: 'queue',
      status: 402,
      message: 'Not enough credits',
      maybeSent: false,
    });
  });

  it('a plain JSON answer on the stream route counts as one frame', async () => {
    const srv = await startServer((_req, res) => json(res, 200, queued('gen_plain')));
    const frames: Generation[] = [];
    const err = await caught(client(srv.base).createStream(MODEL, { prompt: 'x' }, (g) => frames.push(g)));
    expect(frames.map((f) => f.id)).toEqual(['gen_plain']);
    expect(err).toMatchObject({ code: 'STREAM_DROPPED', lastFrame: { id: 'gen_plain' } });
  });

  it('a failure inside onFrame is the caller’s and passes through unchanged', async () => {
    const srv = await startServer((_req, res) => {
      sse(res);
      res.write(frame({ id: 'gen_cb', status: 'IN_QUEUE' }));
    });
    const boom = new Error('database is locked');
    await expect(
      client(srv.base).createStream(MODEL, { prompt: 'x' }, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('running and get', () => {
  it('lists running generations and clamps the limit to 1..100', async () => {
    const list = [
      { id: 'gen_a', status: 'IN_QUEUE', usage: null, input: { prompt: 'a' } },
      { id: 'gen_b', status: 'IN_PROGRESS', input: { prompt: 'b' } },
    ];
    const srv = await startServer((_req, res) => json(res, 200, list));
    const c = client(srv.base);
    expect(await c.running(10)).toEqual(list);
    await c.running(500);
    await c.running(0);
    await c.running(-3);
    await c.running(2.9);
    await c.running(Number.NaN);
    expect(srv.requests.map((r) => r.url)).toEqual([
      '/api/v1/generations/running?limit=10',
      '/api/v1/generations/running?limit=100',
      '/api/v1/generations/running?limit=1',
      '/api/v1/generations/running?limit=1',
      '/api/v1/generations/running?limit=2',
      '/api/v1/generations/running?limit=100',
    ]);
    expect(srv.requests.every((r) => r.method === 'GET' && r.headers.accept === 'application/json')).toBe(
      true,
    );
  });

  it('reads another workspace’s running list when one is set', async () => {
    const srv = await startServer((_req, res) => json(res, 200, []));
    await client(srv.base, { workspace: ' team b/2 ' }).running(5);
    await client(srv.base, { workspace: '' }).running(5);
    expect(srv.requests.map((r) => r.url)).toEqual([
      '/api/v1/generations/running?limit=5&workspace=team%20b%2F2',
      '/api/v1/generations/running?limit=5',
    ]);
  });

  it('a running answer that is not a list is BAD_RESPONSE', async () => {
    const srv = await startServer((_req, res) => json(res, 200, { items: [] }));
    expect(await caught(client(srv.base).running())).toMatchObject({
      code: 'BAD_RESPONSE',
      maybeSent: false,
    });
  });

  it('get returns the completed generation', async () => {
    const srv = await startServer((_req, res) => json(res, 200, completed));
    expect(await client(srv.base).get('gen_sse')).toEqual(completed);
    expect(srv.requests[0]).toMatchObject({ method: 'GET', url: '/api/v1/generation/gen_sse' });
  });
});

describe('shutting down', () => {
  it('destroy() fails requests in flight at once', async () => {
    const srv = await startServer(() => {});
    const c = client(srv.base);
    const pending = caught(c.get('gen_1'));
    while (srv.requests.length === 0) await new Promise((r) => setImmediate(r));
    await c.destroy();
    expect(await pending).toMatchObject({ kind: 'retryable', status: null });
    // Afterwards nothing more is sent.
    expect(await caught(c.get('gen_2'))).toMatchObject({ code: 'ABORTED', maybeSent: false });
    expect(srv.requests).toHaveLength(1);
  });
});

describe('the API key stays out of errors', () => {
  it('no error text, serialization or inspection contains the key', async () => {
    const echo = await startServer((req, res) =>
      json(res, 401, { code: 'UNAUTHORIZED', message: `Invalid key: ${req.headers.authorization}` }),
    );
    const dropper = await startServer((req) => {
      req.socket.destroy();
    });
    const silent = await startServer(() => {});
    const dead = await startServer(() => {});
    await dead.close();
    const streamer = await startServer((req, res) => {
      sse(res);
      res.write(frame({ id: 'gen_k', status: 'IN_QUEUE' }), () => req.socket.destroy());
    });

    const errors = [
      await caught(client(echo.base).create(MODEL, { prompt: 'x' })),
      await caught(client(dropper.base).create(MODEL, { prompt: 'x' })),
      await caught(client(silent.base, { timeouts: { headersMs: 150 } }).get('gen_1')),
      await caught(client(dead.base).running()),
      await caught(client(streamer.base).createStream(MODEL, { prompt: 'x' }, () => {})),
      await caught(client(echo.base).create(MODEL, { prompt: 'x', seed: -1 })),
    ];
    expect(errors[0]!.message).toBe('Invalid key: Bearer [redacted]');
    for (const err of errors) {
      const views = [
        err.message,
        String(err),
        err.stack ?? '',
        JSON.stringify(err),
        inspect(err, { depth: 10, showHidden: true }),
      ];
      for (const view of views) expect(view).not.toContain(KEY);
    }
  });
});

describe('the API key stays out of every answer', () => {
  it('scrubs messages, codes, actual prompts, URLs and inputs of creates, frames, polls and the running list', async () => {
    const echoed = (id: string, status: string) => ({
      id,
      status,
      input: { prompt: `draw ${KEY}`, [KEY]: 1 },
      data: {
        actual_prompt: `expanded with key ${KEY}`,
        images: [{ url: `https://cdn.example/${KEY}/x.png` }],
      },
      code: `CODE_${KEY}`,
      message: `failed for Bearer ${KEY}`,
    });
    const srv = await startServer((req, res) => {
      if (req.url?.includes('/sse/')) {
        sse(res);
        res.write(frame(echoed('gen_s', 'IN_QUEUE')));
        res.end(frame(echoed('gen_s', 'FAILED')));
      } else if (req.url?.includes('/running')) json(res, 200, [echoed('gen_r', 'IN_PROGRESS')]);
      else if (req.method === 'GET') json(res, 200, echoed('gen_g', 'FAILED'));
      else json(res, 200, echoed('gen_c', 'IN_QUEUE'));
    });
    const c = client(srv.base);
    const frames: Generation[] = [];
    const answers: Record<string, unknown>[] = [
      await c.create(MODEL, { prompt: 'x' }),
      await c.createStream(MODEL, { prompt: 'x' }, (g) => frames.push(g)),
      await c.get('gen_g'),
      ...(await c.running()),
      ...frames,
    ];
    expect(answers).toHaveLength(6);
    for (const answer of answers) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain(KEY);
      expect(answer.message).toBe('failed for Bearer [redacted]');
      expect(answer.data).toMatchObject({ actual_prompt: 'expanded with key [redacted]' });
    }
  });

  it('scrubs the code and last frame of errors too', async () => {
    const srv = await startServer((req, res) => {
      if (req.url?.includes('/sse/')) {
        sse(res);
        res.write(frame({ id: 'gen_x', status: 'IN_QUEUE', message: KEY }), () => req.socket.destroy());
      } else json(res, 422, { code: `IMAGE_GENERATION_${KEY}`, message: `no ${KEY}` });
    });
    const c = client(srv.base);
    const errs = [
      await caught(c.create(MODEL, { prompt: 'x' })),
      await caught(c.createStream(MODEL, { prompt: 'x' }, () => {})),
    ];
    expect(errs[0]).toMatchObject({ code: 'IMAGE_GENERATION_[redacted]', message: 'no [redacted]' });
    expect(errs[1]!.lastFrame).toMatchObject({ id: 'gen_x', message: '[redacted]' });
    for (const err of errs) expect(inspect(err, { depth: 10 })).not.toContain(KEY);
  });
});

describe('nextPollDelayMs', () => {
  const statuses: RemoteStatus[] = ['queued', 'running'];
  const times = [
    0, 1_000, 4_999, 5_000, 10_000, 29_999, 30_000, 60_000, 119_999, 120_000, 600_000, 3_600_000,
  ];

  it('polls fast at first and never faster as time passes', () => {
    for (const status of statuses) {
      const delays = times.map((elapsedMs) => nextPollDelayMs({ elapsedMs, status, consecutiveErrors: 0 }));
      for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    }
    expect(
      nextPollDelayMs({ elapsedMs: 1_000, status: 'running', consecutiveErrors: 0 }),
    ).toBeLessThanOrEqual(600);
    expect(
      nextPollDelayMs({ elapsedMs: 20_000, status: 'running', consecutiveErrors: 0 }),
    ).toBeLessThanOrEqual(1_000);
    const late = nextPollDelayMs({ elapsedMs: 600_000, status: 'running', consecutiveErrors: 0 });
    expect(late).toBeGreaterThanOrEqual(3_000);
    expect(late).toBeLessThanOrEqual(6_000);
  });

  it('polls a queued generation no faster than a running one', () => {
    for (const elapsedMs of times) {
      const q = nextPollDelayMs({ elapsedMs, status: 'queued', consecutiveErrors: 0 });
      const r = nextPollDelayMs({ elapsedMs, status: 'running', consecutiveErrors: 0 });
      expect(q).toBeGreaterThanOrEqual(r);
    }
    expect(nextPollDelayMs({ elapsedMs: 10_000, status: 'queued', consecutiveErrors: 0 })).toBeGreaterThan(
      nextPollDelayMs({ elapsedMs: 10_000, status: 'running', consecutiveErrors: 0 }),
    );
  });

  it('backs off exponentially on errors, capped at 60 s, never below the normal interval', () => {
    const top = () => 1; // the jitter's upper bound
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((n) =>
      nextPollDelayMs({ elapsedMs: 1_000, status: 'running', consecutiveErrors: n }, top),
    );
    for (let i = 1; i < ceilings.length; i++) expect(ceilings[i]!).toBeGreaterThanOrEqual(ceilings[i - 1]!);
    expect(ceilings[0]).toBe(2_000);
    expect(ceilings[1]).toBe(4_000);
    expect(ceilings.at(-1)).toBe(60_000);
    for (const elapsedMs of times) {
      for (const n of [1, 3, 10, 50]) {
        for (const r of [0, 0.3, 0.999, 1]) {
          const d = nextPollDelayMs({ elapsedMs, status: 'queued', consecutiveErrors: n }, () => r);
          expect(d).toBeLessThanOrEqual(60_000);
          expect(d).toBeGreaterThanOrEqual(
            nextPollDelayMs({ elapsedMs, status: 'queued', consecutiveErrors: 0 }),
          );
        }
      }
    }
  });

  it('spreads retries with jitter', () => {
    const draws = new Set(
      [0.1, 0.4, 0.7, 0.95].map((r) =>
        nextPollDelayMs({ elapsedMs: 0, status: 'running', consecutiveErrors: 5 }, () => r),
      ),
    );
    expect(draws.size).toBe(4);
  });
});
