// Issue 11 item 1: the API key goes only where the person meant. Anything that could change settings (the
// page, a bridge token holder) could point the service address at any host, and the next call carried
// `Authorization: Bearer <key>` there. Now an address must be https (plain http only on this machine, for
// the simulator), and moving the key to another origin needs the person's confirmation (a native dialog in
// the app); until then nothing is sent there. Also item 3's last point: in the app, import and export paths
// come only from native dialogs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../main/engine/errors.ts';
import { createHandlers, dispatch, type HandlerEnv } from '../../main/engine/handlers.ts';
import { Studio } from '../../main/engine/studio.ts';
import { ALLOW_BUTTON, keyDestinationQuestion } from '../../main/app/key-question.ts';
import { apiBaseProblem } from '../../shared/api-base.ts';
import { DEFAULT_API_BASE } from '../../shared/api.ts';
import { contract } from '../../shared/contract.ts';

describe('which service addresses may carry the key', () => {
  it.each([
    'https://open.skills.video/api',
    'https://proxy.example.com:8443/api',
    'http://127.0.0.1:8787/api',
    'http://127.4.5.6/api',
    'http://localhost:8787/api',
    'http://[::1]:8787/api',
  ])('%s is accepted', (url) => {
    expect(apiBaseProblem(url)).toBeNull();
  });

  it.each([
    ['http://example.com/api', /plain http sends the key unencrypted: use https:\/\/example\.com\/api/],
    ['http://127.0.0.1.evil.com/api', /plain http sends the key unencrypted/],
    ['http://10.0.0.5:8787/api', /plain http sends the key unencrypted/],
    ['ftp://example.com/api', /must be an https:\/\/ address/],
    ['not a url', /must be an https:\/\/ address/],
    ['https://user:pass@example.com/api', /without a user name or password/],
  ])('%s is refused', (url, message) => {
    expect(apiBaseProblem(url)).toMatch(message);
  });

  it('the settings schema refuses an insecure address, for every transport', () => {
    const r = contract['settings.update'].input.safeParse({ apiBase: 'http://evil.example/api' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/plain http sends the key unencrypted/);
  });
});

const dirs: string[] = [];
const studios: Studio[] = [];
afterEach(async () => {
  while (studios.length) await studios.pop()!.close();
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function open(env: Partial<HandlerEnv> = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'qs-key-dest-'));
  dirs.push(dataDir);
  const studio = new Studio({ dataDir, apiKey: 'sk-test-0123456789' });
  studios.push(studio);
  const handlers = createHandlers(studio, {
    keyStore: { get: () => null, set: () => {}, clear: () => {}, kind: () => 'os' },
    version: '0',
    ...env,
  });
  return { studio, call: (m: string, input: unknown) => dispatch(handlers, m, input) };
}

async function failure(p: Promise<unknown>): Promise<StudioError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  return err as StudioError;
}

describe('changing the service address', () => {
  const other = 'https://other.example.net/api';

  it('without a way to ask the person (the bridge), a new origin is refused and nothing changes', async () => {
    const { studio, call } = await open();
    const err = await failure(call('settings.update', { apiBase: other }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/other\.example\.net/);
    expect(err.message).toMatch(/--api-base/);
    expect(studio.settings.apiBase()).toBe(DEFAULT_API_BASE);
  });

  it('in the app, the person is asked with the host named; declining changes nothing', async () => {
    const asked: string[] = [];
    const { studio, call } = await open({
      confirmApiBase: async (url) => {
        asked.push(url);
        return false;
      },
    });
    const after = (await call('settings.update', { apiBase: other, concurrency: 3 })) as { apiBase: string };
    expect(asked).toEqual([other]);
    expect(after.apiBase).toBe(DEFAULT_API_BASE);
    expect(studio.settings.apiBase()).toBe(DEFAULT_API_BASE);
    // The rest of the patch is not applied either: the person declined this change as a whole.
    expect(studio.settings.get().concurrency).not.toBe(3);
  });

  it('confirmed, the key moves to the new address; the same origin or the default needs no question', async () => {
    let asked = 0;
    const { studio, call } = await open({
      confirmApiBase: async () => {
        asked++;
        return true;
      },
    });
    await call('settings.update', { apiBase: other });
    expect(asked).toBe(1);
    expect(studio.settings.apiBase()).toBe(other);
    await call('settings.update', { apiBase: 'https://other.example.net/v2/api' });
    await call('settings.update', { apiBase: DEFAULT_API_BASE });
    await call('settings.update', { concurrency: 2 });
    expect(asked).toBe(1);
    expect(studio.settings.apiBase()).toBe(DEFAULT_API_BASE);
  });
});

describe('in the app, import and export paths come only from dialogs', () => {
  it('a path typed by the page is refused when a dialog exists', async () => {
    const picked: string[] = [];
    const { call } = await open({
      pickPath: async (kind) => {
        picked.push(kind);
        return null;
      },
    });
    const exp = await failure(
      call('library.export', { selection: { query: '' }, format: 'zip', out: '/tmp/elsewhere.zip' }),
    );
    expect(exp.code).toBe('INVALID_INPUT');
    expect(exp.message).toMatch(/chosen in a dialog/);
    const imp = await failure(call('library.import', { folder: '/etc' }));
    expect(imp.message).toMatch(/chosen in a dialog/);
    expect(await call('library.import', {})).toEqual({ task: null });
    expect(picked).toEqual(['import-folder']);
  });
});

describe('the app asks natively', () => {
  it('names the host, defaults to Cancel and allows only with the second button', () => {
    const q = keyDestinationQuestion('https://other.example.net:8443/api');
    expect(q.message).toBe('Send your API key to other.example.net:8443?');
    expect(q.buttons).toEqual(['Cancel', 'Use other.example.net:8443']);
    expect([q.defaultId, q.cancelId]).toEqual([0, 0]);
    expect(ALLOW_BUTTON).toBe(1);
  });
});
