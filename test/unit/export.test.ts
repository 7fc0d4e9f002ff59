import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../main/engine/errors.ts';
import { exportItems, type ExportItem } from '../../main/engine/library/export.ts';
import { tempDir } from '../helpers/tmp.ts';

let dir: string;
let cleanup: () => void;
let items: ExportItem[];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeEach(async () => {
  ({ dir, cleanup } = tempDir('qs-export-'));
  items = [];
  for (let i = 0; i < 5; i++) {
    const buf = await sharp({
      create: { width: 16, height: 16, channels: 3, background: { r: i * 40, g: 10, b: 200 } },
    })
      .png()
      .toBuffer();
    // Two files share a name in different folders: the export must keep both.
    const sub = join(dir, i === 4 ? 'b' : 'a');
    const path = join(sub, i === 4 ? 'img-0.png' : `img-${i}.png`);
    (await import('node:fs')).mkdirSync(sub, { recursive: true });
    writeFileSync(path, buf);
    items.push({
      path,
      metadata: {
        id: i + 1,
        prompt: i === 2 ? 'a "quoted", comma prompt\nwith newline' : `红色 car ${i}`,
        seed: i,
        tags: ['x', 'y'],
      },
    });
  }
});
afterEach(() => cleanup());

function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, Buffer>();
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.readEntry();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
    });
  });
}

describe('export', () => {
  it('writes a zip of the original bytes plus metadata.csv and metadata.jsonl, with progress', async () => {
    const out = join(dir, 'out', 'export.zip');
    const progress: number[] = [];
    const res = await exportItems({ items, out, onProgress: (p) => progress.push(p.done) });
    expect(res.files).toBe(5);
    expect(progress.at(-1)).toBe(5);
    const entries = await readZip(out);
    expect([...entries.keys()].sort()).toEqual([
      'img-0-2.png',
      'img-0.png',
      'img-1.png',
      'img-2.png',
      'img-3.png',
      'metadata.csv',
      'metadata.jsonl',
    ]);
    expect(sha(entries.get('img-3.png')!)).toBe(sha(readFileSync(items[3]!.path)));
    expect(sha(entries.get('img-0-2.png')!)).toBe(sha(readFileSync(items[4]!.path)));
    const rows = parse(entries.get('metadata.csv')!, { columns: true, bom: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(5);
    expect(rows[2]).toMatchObject({
      file: 'img-2.png',
      prompt: 'a "quoted", comma prompt\nwith newline',
      seed: '2',
      tags: '["x","y"]',
    });
    const lines = entries
      .get('metadata.jsonl')!
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ file: 'img-0.png', id: 1, prompt: '红色 car 0', seed: 0, tags: ['x', 'y'] });
    expect(readdirSync(join(dir, 'out'))).toEqual(['export.zip']);
  });

  it('writes a folder, reports missing files and still exports the rest', async () => {
    const out = join(dir, 'folder');
    const res = await exportItems({
      items: [...items, { path: join(dir, 'gone.png'), metadata: { id: 99 } }],
      out,
    });
    expect(res.missing).toEqual([join(dir, 'gone.png')]);
    expect(readdirSync(out).sort()).toEqual([
      'img-0-2.png',
      'img-0.png',
      'img-1.png',
      'img-2.png',
      'img-3.png',
      'metadata.csv',
      'metadata.jsonl',
    ]);
    expect(readFileSync(join(out, 'metadata.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('an export canceled before it starts leaves no file and no open handle', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const out = join(dir, 'early', 'x.zip');
    await expect(exportItems({ items, out, signal: ctl.signal })).rejects.toThrow(/canceled/);
    expect(readdirSync(join(dir, 'early'))).toEqual([]);
  });

  it('canceling leaves nothing behind, for a folder and for a zip', async () => {
    for (const out of [join(dir, 'c-folder'), join(dir, 'c', 'x.zip')]) {
      const ctl = new AbortController();
      const p = exportItems({
        items,
        out,
        signal: ctl.signal,
        onProgress: (pr) => pr.done === 2 && ctl.abort(),
      });
      await expect(p).rejects.toThrow(StudioError);
      await expect(p).rejects.toMatchObject({ code: 'CANCELED' });
      await expect(p).rejects.toThrow(/canceled/);
      const left = existsSync(out) ? readdirSync(out) : [];
      expect(left.filter((n) => !n.startsWith('.'))).toEqual([]);
      if (out.endsWith('.zip')) expect(readdirSync(join(dir, 'c'))).toEqual([]);
    }
  });
});
