// Issue 11 item 5 over real HTTP: a 413 for an oversized body reaches the client (the socket used to close
// first), a NUL or other control character in a search is a 400 with a message (it was a 500), and the
// bridge serves the app's own CSP pinned to its port (it allowed inline styles and any local ws: port).
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../main/bridge/server.ts';
import { contentSecurityPolicy } from '../../main/app/security-policy.ts';
import { INPUT_LIMITS } from '../../shared/input-limits.ts';

let bridge: Bridge;
let dataDir: string;
let origin: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'qs-bridge-hard-'));
  bridge = await startBridge({ port: 0, dataDir, apiKey: null });
  origin = new URL(bridge.url).origin;
});
afterAll(async () => {
  await bridge?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function call(method: string, body: unknown) {
  return fetch(`${origin}/api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-studio-token': bridge.token },
    body: JSON.stringify(body),
  });
}

/** POSTs `bytes` zero bytes in chunks; resolves with the status the client actually received. */
function postOversized(bytes: number): Promise<{ status: number; body: string }> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/call/prompts.parseFile',
        headers: {
          'content-type': 'application/json',
          'x-studio-token': bridge.token,
          'content-length': bytes,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n)))
          return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('the bridge, hardened', () => {
  it('answers an oversized body with a 413 the client receives', async () => {
    const r = await postOversized(INPUT_LIMITS.bridgeBodyBytes + 4 * 1024 * 1024);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({
      error: { code: 'TOO_LARGE', message: 'The request is too large (over 72 MB).' },
    });
    // …and keeps serving.
    expect((await call('app.info', {})).status).toBe(200);
  });

  it('answers a control character in a search with a 400 and a message', async () => {
    for (const text of ['cat\u0000', 'a\u001b[2J']) {
      const res = await call('library.search', { text });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/search text may not contain control characters/);
    }
    expect((await call('library.search', { text: 'cat' })).status).toBe(200);
  });

  it("serves the app's policy, with its own port for the event socket and no inline styles", async () => {
    const page = await fetch(bridge.url);
    const csp = page.headers.get('content-security-policy')!;
    const { port } = new URL(origin);
    const directives = Object.fromEntries(
      csp.split(';').map((d) => {
        const [k, ...v] = d.trim().split(/\s+/);
        return [k, v.join(' ')];
      }),
    );
    const app = Object.fromEntries(
      contentSecurityPolicy()
        .split(';')
        .map((d) => {
          const [k, ...v] = d.trim().split(/\s+/);
          return [k, v.join(' ')];
        }),
    );
    expect(Object.keys(directives).sort()).toEqual(Object.keys(app).sort());
    expect(directives['style-src']).toBe("'self'");
    expect(directives['script-src']).toBe("'self'");
    expect(directives['default-src']).toBe("'none'");
    expect(directives['connect-src']).toBe(`'self' ws://127.0.0.1:${port} ws://localhost:${port}`);
    expect(csp).not.toContain('*');
    expect(csp).not.toContain('unsafe');
  });
});
