// Issue 11 item 4: clean data in, clean data out. A prompt starting with =HYPERLINK(…) landed as a live
// formula in metadata.csv; text from an imported PNG set the terminal title and cleared the screen in
// `search` output; import accepted truncated images (whose thumbnail then failed).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import type { Io } from '../../main/cli/common.ts';
import { exportItems } from '../../main/engine/library/export.ts';
import { Studio } from '../../main/engine/studio.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let root: string;
let png: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qs-clean-'));
  const img = sharp({ create: { width: 64, height: 48, channels: 3, background: '#48c' } });
  png = await img.clone().png().toBuffer();
  jpeg = await img.clone().jpeg().toBuffer();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('metadata.csv', () => {
  it('neutralises every cell a spreadsheet would run as a formula; metadata.jsonl keeps the text as is', async () => {
    const file = join(root, 'a.png');
    writeFileSync(file, png);
    const risky = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];
    const items = risky.map((prompt, i) => ({ path: file, metadata: { id: i + 1, prompt, seed: -1 } }));
    const out = join(root, 'csv-out');
    await exportItems({ items, out });
    const rows = parse(readFileSync(join(out, 'metadata.csv'), 'utf8'), { columns: true, bom: true }) as {
      prompt: string;
      seed: string;
    }[];
    expect(rows.map((r) => r.prompt)).toEqual(risky.map((p) => `'${p}`));
    // Numbers are numbers: a negative seed is not text a spreadsheet runs.
    expect(rows.map((r) => r.seed)).toEqual(risky.map(() => '-1'));
    const jsonl = readFileSync(join(out, 'metadata.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jsonl.map((r: { prompt: string }) => r.prompt)).toEqual(risky);
  });
});

describe('import', () => {
  it('refuses truncated images with a reason, as downloads do', async () => {
    const src = join(root, 'truncated');
    mkdirSync(src);
    writeFileSync(join(src, 'cut.png'), png.subarray(0, png.length - 20));
    writeFileSync(join(src, 'cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.7)));
    writeFileSync(join(src, 'whole.png'), png);
    const studio = new Studio({ dataDir: join(root, 'data-import') });
    try {
      const report = await studio.library.import(src);
      expect(report.imported).toBe(1);
      const reasons = Object.fromEntries(report.skipped.map((s) => [s.path.split('/').pop(), s.reason]));
      expect(Object.keys(reasons).sort()).toEqual(['cut.jpg', 'cut.png']);
      expect(reasons['cut.png']).toMatch(/^the image is cut short: /);
      expect(reasons['cut.jpg']).toMatch(/^the image is cut short: /);
    } finally {
      await studio.close();
    }
  });
});

describe('the terminal', () => {
  it('never receives control characters from stored text (search output)', async () => {
    const dataDir = join(root, 'data-term');
    const src = join(root, 'term-src');
    mkdirSync(src);
    writeFileSync(join(src, 'x.png'), png);
    const studio = new Studio({ dataDir });
    const hostile = 'cat \u001b]0;pwned\u0007\u001b[2J\u001b[1;31mred\u009b2J\u0000 end';
    try {
      await studio.library.import(src);
      internalsOf(studio).stores.db.prepare('UPDATE assets SET prompt = ?').run(hostile);
    } finally {
      await studio.close();
    }
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, env: {} };
    expect(await main(['search', 'cat', '--data-dir', dataDir], io)).toBe(0);
    const printed = [...out, ...err].join('\n');
    expect(printed).toContain('cat ]0;pwned[2J[1;31mred2J end');
    // eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
    expect(printed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
