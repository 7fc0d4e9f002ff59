import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_NAMES } from '../../shared/contract.ts';
import { callContract, isTrustedSender, untrustedReply } from '../../main/app/ipc-call.ts';
import { isPageEvent } from '../../main/app/page-events.ts';
import { StudioError } from '../../main/engine/errors.ts';
import { createHandlers, dispatch, type Handlers, type KeyStore } from '../../main/engine/handlers.ts';
import { Studio } from '../../main/engine/studio.ts';

describe('isTrustedSender', () => {
  const origin = 'studio-app://app';

  it('trusts only our page in the main frame', () => {
    expect(isTrustedSender('studio-app://app/index.html', origin, true)).toBe(true);
    expect(isTrustedSender('studio-app://app/library#x', origin, true)).toBe(true);
    expect(isTrustedSender('http://localhost:5173/', 'http://localhost:5173', true)).toBe(true);
  });

  it('refuses subframes, even of our own origin', () => {
    expect(isTrustedSender('studio-app://app/index.html', origin, false)).toBe(false);
  });

  it('refuses other origins, look-alikes and missing frames', () => {
    for (const url of [
      'https://evil.example/',
      'studio-app://app.evil/index.html',
      'studio-app://evil/index.html',
      'file:///index.html',
      'about:blank',
      'http://localhost:5173.evil.example/',
      '',
    ]) {
      expect(isTrustedSender(url, origin, true), url).toBe(false);
    }
    expect(isTrustedSender(null, origin, true)).toBe(false);
    expect(isTrustedSender(undefined, origin, true)).toBe(false);
  });

  it('has a refusal that gives nothing away', () => {
    expect(untrustedReply()).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
  });
});

describe('callContract over the real dispatcher', () => {
  let dir: string;
  let studio: Studio;
  let handlers: Handlers;
  const store: KeyStore & { key: string | null } = {
    key: null,
    get() {
      return this.key;
    },
    set(k) {
      this.key = k;
    },
    clear() {
      this.key = null;
    },
    kind() {
      return this.key ? 'os' : 'none';
    },
  };
  const call = (method: unknown, input: unknown, unexpected: unknown[] = []) =>
    callContract((m, i) => dispatch(handlers, m, i), method, input, {
      secrets: () => [studio.settings.apiKey()].filter((k): k is string => !!k),
      onUnexpected: (_m, err) => unexpected.push(err),
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qs-ipc-'));
    studio = new Studio({ dataDir: dir });
    handlers = createHandlers(studio, { keyStore: store, version: '9.9.9' });
  });
  afterAll(async () => {
    await studio.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns { result } with a value that survives structured cloning (what IPC does)', async () => {
    const reply = await call('app.info', {});
    expect(reply).toEqual({
      result: expect.objectContaining({ version: '9.9.9', dataDir: dir, hasKey: false, keyStorage: 'none' }),
    });
    expect(structuredClone(reply)).toEqual(reply);
  });

  it('reports an unknown method as a contract error, not a crash', async () => {
    const unexpected: unknown[] = [];
    const reply = await call('fs.readFile', { path: '/etc/passwd' }, unexpected);
    expect(reply).toEqual({
      error: { code: 'UNKNOWN_METHOD', message: expect.stringContaining('fs.readFile') },
    });
    expect(unexpected).toEqual([]);
  });

  it('reports invalid input with the field at fault', async () => {
    const reply = await call('job.pause', { id: 'one' });
    expect('error' in reply && reply.error.code).toBe('INVALID_INPUT');
    expect('error' in reply && reply.error.message).toMatch(/id/);
    const extra = await call('queue.pause', { sneaky: true });
    expect('error' in extra && extra.error.code).toBe('INVALID_INPUT');
  });

  it('passes engine failures through as messages without stacks', async () => {
    const reply = await call('job.pause', { id: 999 });
    expect(reply).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringContaining('Job 999 does not exist') },
    });
    const text = JSON.stringify(reply);
    expect(text).not.toMatch(/\bat \S+ \(/);
    expect(text).not.toContain('handlers.ts');
  });

  it('refuses a call that names no method', async () => {
    for (const method of [undefined, null, 42, {}, '', 'x'.repeat(101)]) {
      const reply = await call(method, {});
      expect('error' in reply && reply.error.code, String(method)).toBe('INVALID_INPUT');
    }
  });

  it('scrubs the API key from any message that carries it', async () => {
    await call('key.set', { key: 'sk-live-1234567890abcdef' });
    expect(studio.settings.apiKey()).toBe('sk-live-1234567890abcdef');
    const unexpected: unknown[] = [];
    const reply = await callContract(
      async () => {
        throw new Error(
          'upstream said: bad token sk-live-1234567890abcdef (twice: sk-live-1234567890abcdef)',
        );
      },
      'key.test',
      {},
      { secrets: () => [studio.settings.apiKey()!], onUnexpected: (_m, e) => unexpected.push(e) },
    );
    expect(reply).toEqual({
      error: {
        code: 'INTERNAL',
        message: expect.stringContaining('upstream said: bad token [redacted] (twice: [redacted])'),
      },
    });
    expect(JSON.stringify(reply)).not.toContain('sk-live');
    expect(unexpected).toHaveLength(1);
  });

  it('keeps the code of contract errors and does not report them as unexpected', async () => {
    const unexpected: unknown[] = [];
    const reply = await callContract(
      async () => {
        throw new StudioError('INVALID_INPUT', 'prompt: too long');
      },
      'batch.plan',
      {},
      { onUnexpected: (_m, e) => unexpected.push(e) },
    );
    expect(reply).toEqual({ error: { code: 'INVALID_INPUT', message: 'prompt: too long' } });
    expect(unexpected).toEqual([]);
  });

  it('turns a non-Error throw into a message', async () => {
    const reply = await callContract(async () => Promise.reject('boom'), 'app.info', {});
    expect(reply).toEqual({ error: { code: 'INTERNAL', message: expect.stringContaining('boom') } });
  });
});

describe('page events', () => {
  it('forwards every contract event and the menu event', () => {
    for (const name of EVENT_NAMES) expect(isPageEvent(name), name).toBe(true);
    expect(isPageEvent('menu')).toBe(true);
  });

  it('forwards nothing else, including inherited property names', () => {
    for (const name of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'studio:call',
      'JOB',
      '',
      1,
      null,
    ]) {
      expect(isPageEvent(name), String(name)).toBe(false);
    }
  });
});
