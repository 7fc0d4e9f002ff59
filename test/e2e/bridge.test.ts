// The browser bridge's guard rails, checked over real HTTP and WebSocket: the token, the Host and Origin
// checks, the content security policy, and media that never leaves the data folder.
import { request } from 'node:http';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startBridge, type Bridge } from '../../main/bridge/server.ts';
import { bridgeCsp } from '../../main/bridge/static.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let sim: Simulator;
let bridge: Bridge;
let dataDir: string;
let outside: string;
let origin: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, faults: { latencyMs: 20, jitterMs: 0 } });
  dataDir = await mkdtemp(path.join(tmpdir(), 'qs-bridge-'));
  outside = await mkdtemp(path.join(tmpdir(), 'qs-outside-'));
  bridge = await startBridge({ port: 0, dataDir, apiBase: sim.url, apiKey: 'bridge-key' });
  origin = new URL(bridge.url).origin;
});
afterAll(async () => {
  await bridge?.close();
  await sim?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

function call(method: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${origin}/api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-studio-token': bridge.token, ...headers },
    body: JSON.stringify(body),
  });
}

/** A GET with a Host header of our choosing (fetch does not allow setting it). */
function getWithHost(pathAndQuery: string, host: string): Promise<number> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathAndQuery, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function wsOutcome(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ opened: boolean; status: number | null; ws: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ opened: true, status: null, ws }));
    ws.once('unexpected-response', (_req, res) =>
      resolve({ opened: false, status: res.statusCode ?? null, ws }),
    );
    ws.once('error', () => resolve({ opened: false, status: null, ws }));
  });
}

describe('the page and the token', () => {
  it('serves the page only with the token, always with the strict CSP', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(401);
    expect((await fetch(`${origin}/?token=${'0'.repeat(48)}`)).status).toBe(403);
    const page = await fetch(bridge.url);
    expect(page.status).toBe(200);
    const { port } = new URL(origin);
    expect(page.headers.get('content-security-policy')).toBe(bridgeCsp(Number(port)));
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<div id="root"></div>');
    expect((await fetch(`${origin}/..%2f..%2fpackage.json?token=${bridge.token}`)).status).toBe(404);
  });

  it('refuses other Host names (DNS rebinding)', async () => {
    const { port } = new URL(origin);
    expect(await getWithHost(`/?token=${bridge.token}`, `localhost:${port}`)).toBe(200);
    expect(await getWithHost(`/?token=${bridge.token}`, `evil.example:${port}`)).toBe(403);
    expect(await getWithHost(`/?token=${bridge.token}`, `127.0.0.1:${Number(port) + 1}`)).toBe(403);
  });
});

describe('calls', () => {
  it('needs the token header and a JSON body, and maps contract errors to 400/500', async () => {
    expect((await call('app.info', {}, { 'x-studio-token': '' })).status).toBe(401);
    expect((await call('app.info', {}, { 'x-studio-token': 'nope' })).status).toBe(403);
    expect((await call('app.info', {}, { 'content-type': 'text/plain' })).status).toBe(415);
    const crossSite = await call('app.info', {}, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);

    const ok = await call('app.info', {});
    expect(ok.status).toBe(200);
    const info = (await ok.json()) as { result: { hasKey: boolean; keyStorage: string; dataDir: string } };
    expect(info.result).toMatchObject({ hasKey: true, keyStorage: 'env', dataDir });
    expect(JSON.stringify(info)).not.toContain('bridge-key');

    const unknown = await call('app.nothing', {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: { code: 'UNKNOWN_METHOD', message: 'There is no operation called "app.nothing".' },
    });
    const invalid = await call('job.cancel', { id: 'x' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
    // A user's mistake is a 4xx with the engine's code and message, never a 500.
    const missing = await call('batch.pause', { id: 999 });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/^Batch 999 does not exist/) as string },
    });
  });
});

describe('the key', () => {
  it('says a key pasted in the page is kept for this session, not read from the environment', async () => {
    const info = async () =>
      ((await (await call('app.info', {})).json()) as { result: { keyStorage: string } }).result.keyStorage;
    expect(await info()).toBe('env');
    expect((await call('key.set', { key: 'sk-pasted-0123456789abcdef' })).status).toBe(200);
    expect(await info()).toBe('session');
    expect((await call('key.set', { key: 'bridge-key-0123456789' })).status).toBe(200);
  });
});

describe('media', () => {
  it('serves stored references and assets from the data folder only', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const added = (await (
      await call('refs.add', { fileName: 'r.png', dataBase64: png.toString('base64') })
    ).json()) as {
      result: { sha256: string };
    };
    const sha = added.result.sha256;
    const ref = await fetch(`${origin}/media/ref/${sha}?token=${bridge.token}`);
    expect(ref.status).toBe(200);
    expect(ref.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await ref.arrayBuffer()).equals(png)).toBe(true);
    expect((await fetch(`${origin}/media/ref/${sha}`)).status).toBe(401);
    expect((await fetch(`${origin}/media/ref/${sha}?token=wrong`)).status).toBe(403);
    expect((await fetch(`${origin}/media/ref/${'a'.repeat(64)}?token=${bridge.token}`)).status).toBe(404);
    expect((await fetch(`${origin}/media/ref/..%2F..%2Fstudio.db?token=${bridge.token}`)).status).toBe(404);

    // Records that point outside the data folder (edited by hand, or a symlink planted inside it) are refused.
    const { studio } = bridge;
    internalsOf(studio).scheduler.pause('user');
    const { batchId } = studio.batches.create({ name: 'probe', entries: [{ prompt: 'probe' }] });
    const jobId = internalsOf(studio).stores.jobs.list({ batchId }).rows[0]!.id;
    const secret = path.join(outside, 'secret.png');
    await writeFile(secret, png);
    const planted = path.join(dataDir, 'library', 'planted.png');
    await symlink(secret, planted);
    const inside = path.join(dataDir, 'library', 'inside.png');
    await writeFile(inside, png);
    const asset = (idx: number, p: string) =>
      internalsOf(studio).stores.assets.add({
        jobId,
        batchId,
        idx,
        sha256: String(idx).repeat(64).slice(0, 64),
        path: p,
        bytes: png.length,
        width: 8,
        height: 8,
        format: 'png',
        prompt: 'probe',
      });
    const direct = asset(0, secret);
    const viaLink = asset(1, planted);
    const fine = asset(2, inside);
    expect((await fetch(`${origin}/media/asset/${direct}?token=${bridge.token}`)).status).toBe(404);
    expect((await fetch(`${origin}/media/asset/${viaLink}?token=${bridge.token}`)).status).toBe(404);
    expect((await fetch(`${origin}/media/asset/${fine}?token=${bridge.token}`)).status).toBe(200);
    expect((await fetch(`${origin}/media/asset/0${fine}?token=${bridge.token}`)).status).toBe(404);
    internalsOf(studio).scheduler.resume();
  });
});

describe('events', () => {
  it('pushes engine events over the WebSocket to a page holding the token', async () => {
    const wsBase = `ws://127.0.0.1:${new URL(origin).port}/api/events`;
    expect((await wsOutcome(wsBase)).status).toBe(401);
    expect((await wsOutcome(`${wsBase}?token=wrong`)).status).toBe(403);
    expect(
      (await wsOutcome(`${wsBase}?token=${bridge.token}`, { origin: 'http://evil.example' })).status,
    ).toBe(403);

    const { opened, ws } = await wsOutcome(`${wsBase}?token=${bridge.token}`, { origin });
    expect(opened).toBe(true);
    const frame = new Promise<{ event: string; payload: { paused: boolean } }>((resolve) => {
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as { event: string; payload: { paused: boolean } };
        if (msg.event === 'queue' && msg.payload.paused) resolve(msg);
      });
    });
    await call('queue.pause', {});
    expect((await frame).payload).toMatchObject({ paused: true, pauseReason: 'user' });
    ws.close();
    await call('queue.resume', {});
  });
});
