// One service, two transports: the same mistake made through the command line and through the browser
// bridge (the app's contract over HTTP) gets the same answer — the same sentence, with the exit code and the
// HTTP status its code maps to (shared/errors.ts), and nothing on disk is touched.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_KINDS, type ErrorCode } from '../../shared/errors.ts';
import { SEARCH_LIMIT_MAX } from '../../shared/library.ts';
import { startBridge, type Bridge } from '../../main/bridge/server.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { tempDir } from '../helpers/tmp.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

const KEY = 'front-door-key-123456';
let sim: Simulator;
let bridge: Bridge;
let dir: string;
let dataDir: string;
let cleanup: () => void;

function cli(args: string[]) {
  return runCliInProcess([...args, '--data-dir', dataDir, '--api-base', sim.url], {
    QWEN_STUDIO_API_KEY: KEY,
  });
}

async function call(method: string, input: unknown) {
  const res = await fetch(new URL(`/api/call/${method}`, bridge.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-studio-token': bridge.token },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { error?: { code: ErrorCode; message: string } };
  return { status: res.status, error: body.error };
}

/** The CLI's answer and the bridge's answer to one mistake agree, and both follow the code's table row. */
async function sameOutcome(args: string[], method: string, input: unknown, code: ErrorCode, says: RegExp) {
  const viaCli = await cli(args);
  const viaBridge = await call(method, input);
  expect(viaBridge.error?.code, method).toBe(code);
  expect(viaBridge.status, method).toBe(ERROR_KINDS[code].status);
  expect(viaCli.code, args.join(' ')).toBe(ERROR_KINDS[code].exit);
  expect(viaCli.err).toBe(viaBridge.error?.message);
  expect(viaCli.err).toMatch(says);
}

beforeAll(async () => {
  sim = await startSimulator({ apiKeys: [KEY], maxImageSide: 64 });
  ({ dir, cleanup } = tempDir('qs-front-doors-'));
  dataDir = join(dir, 'data');
  const prompts = join(dir, 'p.txt');
  writeFileSync(prompts, 'a lighthouse at dawn\na lighthouse at night\n');
  const made = await cli(['run', prompts]);
  expect(made.code, made.err).toBe(0);
  bridge = await startBridge({ dataDir, apiBase: sim.url, apiKey: KEY });
});
afterAll(async () => {
  await bridge?.close();
  await sim?.close();
  cleanup();
});

describe('the same mistake through the CLI and through the bridge', () => {
  it('an export over an existing file is refused, and the file is left alone', async () => {
    const zip = join(dir, 'taken.zip');
    writeFileSync(zip, 'not ours');
    await sameOutcome(
      ['export', 'lighthouse', '--out', zip],
      'library.export',
      { selection: { query: 'lighthouse' }, format: 'zip', out: zip },
      'ALREADY_EXISTS',
      /taken\.zip already exists/,
    );
    expect(readFileSync(zip, 'utf8')).toBe('not ours');
  });

  it('an export into a folder that holds files goes into a new subfolder, replacing nothing', async () => {
    const folder = join(dir, 'exports');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'metadata.csv'), 'mine');
    const r = await cli(['export', 'lighthouse', '--out', folder, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(folder, 'metadata.csv'), 'utf8')).toBe('mine');
    const [sub] = readdirSync(folder).filter((n) => n.startsWith('qwen-studio-export-'));
    expect((JSON.parse(r.out) as { out: string; files: number }).out).toBe(join(folder, sub!));
    expect(readdirSync(join(folder, sub!))).toContain('metadata.csv');
  });

  it('a search over the one documented maximum is refused, not cut short', async () => {
    const over = SEARCH_LIMIT_MAX + 1;
    await sameOutcome(
      ['search', 'lighthouse', '--limit', String(over)],
      'library.search',
      { text: 'lighthouse', limit: over },
      'OVER_LIMIT',
      /at most 10,000 images/,
    );
    // The maximum itself is fine through both doors.
    expect((await cli(['search', 'lighthouse', '--limit', String(SEARCH_LIMIT_MAX)])).code).toBe(0);
    expect((await call('library.search', { text: 'lighthouse', limit: SEARCH_LIMIT_MAX })).status).toBe(200);
  });

  it('a reference that is not an image is refused before anything is sent', async () => {
    const notImage = join(dir, 'notes.png');
    writeFileSync(notImage, 'just some text');
    const before = sim.ledger.totalRequests;
    await sameOutcome(
      ['run', join(dir, 'p.txt'), '--ref', notImage],
      'refs.add',
      { fileName: 'notes.png', dataBase64: Buffer.from('just some text').toString('base64') },
      'REFERENCE',
      /notes\.png is not a PNG, JPEG, WebP or GIF image/,
    );
    expect(sim.ledger.totalRequests).toBe(before);
  });
});
