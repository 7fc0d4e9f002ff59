// `qwen-studio tag` over a query: progress lines on a terminal (none in a pipe), and the counts.
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import type { Io } from '../../main/cli/common.ts';
import { openDatabase } from '../../main/engine/store/db.ts';
import { seedAssets } from '../helpers/db.ts';
import { tempDir } from '../helpers/tmp.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('qs-cli-bulk-'));
  const db = openDatabase(join(dir, 'studio.db'));
  seedAssets(db, 15_000, {
    dir,
    prompt: (i) => (i % 5 ? `a lighthouse ${i}` : `a teapot ${i}`),
    createdAt: (i) => 1_780_000_000_000 + i * 1000,
  });
  db.close();
});
afterEach(() => cleanup());

async function tag(args: string[], isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY, env: {} };
  const code = await main(['tag', ...args, '--data-dir', dir], io);
  return { code, out, err };
}

it('shows how far a tag over a query has got on a terminal, and the counts at the end', async () => {
  const r = await tag(['lighthouse', '--add', 'coast'], true);
  expect(r.code, r.err.join('\n')).toBe(0);
  expect(r.err[0]).toBe('Tagged: 0/12000');
  expect(r.err.at(-1)).toBe('Tagged: 12000/12000');
  expect(r.err.length).toBeGreaterThan(2);
  expect(r.out).toEqual(['12000 image(s) matched; 12000 tag(s) added, 0 removed.']);
});

it('prints no progress into a pipe, and --json gives the counts', async () => {
  const r = await tag(['lighthouse', '--add', 'coast', '--remove', 'none-such', '--json'], false);
  expect(r.code).toBe(0);
  expect(r.err).toEqual([]);
  expect(JSON.parse(r.out[0]!)).toEqual({ matching: 12000, added: 12000, removed: 0, canceled: false });
  const again = await tag(['lighthouse', '--remove', 'coast'], false);
  expect(again.err).toEqual([]);
  expect(again.out).toEqual(['12000 image(s) matched; 0 tag(s) added, 12000 removed.']);
});
