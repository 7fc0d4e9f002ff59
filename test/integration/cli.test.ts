import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import type { Io } from '../../main/cli/common.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { tempDir } from '../helpers/tmp.ts';

const KEY = 'cli-secret-key-987654';
let sim: Simulator;
let dir: string;
let cleanup: () => void;
let n = 0;

beforeAll(async () => {
  sim = await startSimulator({
    apiKeys: [KEY],
    maxImageSide: 64,
    faults: { latencyMs: 60, jitterMs: 20, rejectPattern: 'nope' },
  });
  ({ dir, cleanup } = tempDir('qs-cli-'));
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function cli(
  args: string[],
  env: Record<string, string> = { QWEN_STUDIO_API_KEY: KEY },
  dataDir = join(dir, `data-${++n}`),
) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, env };
  const needsData = !['--help', 'help', '--version'].includes(args[0] ?? '');
  const code = await main(needsData ? [...args, '--data-dir', dataDir, '--api-base', sim.url] : args, io);
  return { code, out: out.join('\n'), err: err.join('\n'), dataDir };
}

describe('qwen-studio command line', () => {
  it('prints help and the version', async () => {
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/qwen-studio run <prompts/);
    expect(h.out).toMatch(/Exit codes/);
    expect((await cli(['--version'])).out).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    const bad = await cli(['run', file('a.txt', 'x'), '--colour', 'red']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/colour/);
  });

  it('--dry-run expands, estimates and sends nothing', async () => {
    const before = sim.ledger.totalRequests;
    const r = await cli(
      ['run', file('t.txt', 'a {red|blue} {car|boat}\n# note\n\nplain'), '--dry-run', '--num-images', '2'],
      {},
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^5 generation\(s\), 10 image\(s\)/);
    expect(r.out).toMatch(/Estimated cost: 200 credits/);
    expect(r.out).toMatch(/a red car/);
    expect(sim.ledger.totalRequests).toBe(before);
  });

  it('a malformed CSV row names the file, line and column, and exits 2', async () => {
    const csv = file('bad.csv', 'prompt,seed,aspect_ratio\n"a cat",12,1:1\n"a dog",twelve,1:1\n');
    const r = await cli(['run', csv, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.csv, line 3, column 2 \(seed\)/);
  });

  it('refuses bad references and a long negative prompt before sending anything', async () => {
    const before = sim.ledger.totalRequests;
    const prompts = file('p.txt', 'one');
    const png = file(
      'ok.png',
      await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
        .png()
        .toBuffer(),
    );
    const notImage = file('notes.png', 'just some text, not an image');
    const huge = file('huge.png', Buffer.alloc(30 * 1024 * 1024, 1));
    const cases: [string[], RegExp][] = [
      [['--ref', join(dir, 'missing.png')], /not found/],
      [['--ref', notImage], /not a PNG, JPEG, WebP or GIF/],
      [['--ref', huge], /30 MB; references must be 20 MB or smaller/],
      [['--ref', png, '--ref', png, '--ref', png, '--ref', png, '--ref', png], /at most 4/],
      [['--negative', 'x'.repeat(600)], /600 characters; the service takes at most 500/],
      [['--aspect-ratio', '5:4'], /--aspect-ratio must be one of/],
      [['--aspect-ratio', '1:1', '--image-size', 'square'], /not both/],
    ];
    for (const [flags, message] of cases) {
      const r = await cli(['run', prompts, ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(sim.ledger.totalRequests).toBe(before);
  });

  it('without a key exits 3 and says where the key goes', async () => {
    const r = await cli(['run', file('k.txt', 'one')], {});
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/QWEN_STUDIO_API_KEY/);
  });

  it('an invalid key pauses the queue: exit 3, nothing failed, the key never printed', async () => {
    const r = await cli(['run', file('inv.txt', 'one\ntwo'), '--json'], {
      QWEN_STUDIO_API_KEY: 'wrong-key-000111',
    });
    expect(r.code).toBe(3);
    const summary = r.out
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { type: string; counts?: Record<string, number>; queue?: { pauseReason: string } },
      )
      .find((e) => e.type === 'summary')!;
    expect(summary.queue?.pauseReason).toBe('auth');
    expect(summary.counts?.failed).toBe(0);
    expect(`${r.out}${r.err}`).not.toContain('wrong-key-000111');
  });

  it('runs a batch to the end (exit 0), then status and search find it', async () => {
    const dataDir = join(dir, 'shared-data');
    const r = await cli(
      ['run', file('good.txt', 'a lighthouse at dawn\na 红色 lantern'), '--name', 'Good batch', '--json'],
      undefined,
      dataDir,
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain(KEY);
    const events = r.out.split('\n').map((l) => JSON.parse(l) as { type: string; state?: string });
    expect(events.filter((e) => e.type === 'job' && e.state === 'done').length).toBe(2);

    const s = await cli(['status', '--json'], undefined, dataDir);
    const status = JSON.parse(s.out) as {
      totals: { counts: { done: number }; creditsSpent: number };
      batches: { name: string }[];
    };
    expect(status.totals.counts.done).toBe(2);
    expect(status.totals.creditsSpent).toBe(40);
    expect(status.batches[0]?.name).toBe('Good batch');

    const found = await cli(['search', '红色', '--json'], undefined, dataDir);
    const { rows, total } = JSON.parse(found.out) as {
      total: number;
      rows: { path: string; prompt: string }[];
    };
    expect(total).toBe(1);
    expect(rows.map((x) => x.prompt)).toEqual(['a 红色 lantern']);
    expect(rows[0]!.path).toContain(join(dataDir, 'library'));
    const plain = await cli(['status'], undefined, dataDir);
    expect(plain.out).toMatch(/#1 Good batch \[done\] 2\/2 done/);
  });

  it('library commands: search syntax, tag, export, delete and undo, import', async () => {
    const dataDir = join(dir, 'lib-data');
    const r = await cli(
      ['run', file('lib.txt', 'a red fox in snow\na blue whale\na red kite'), '--name', 'Animals'],
      undefined,
      dataDir,
    );
    expect(r.code, r.err).toBe(0);
    const search = async (q: string) =>
      (
        JSON.parse((await cli(['search', q, '--json'], undefined, dataDir)).out) as {
          total: number;
          rows: { prompt: string }[];
        }
      ).rows
        .map((x) => x.prompt)
        .sort();
    expect(await search('red')).toEqual(['a red fox in snow', 'a red kite']);
    expect(await search('red -kite')).toEqual(['a red fox in snow']);
    expect(await search('batch:Animals')).toHaveLength(3);

    const tag = await cli(['tag', 'red', '--add', 'warm,favourite', '--json'], undefined, dataDir);
    expect(JSON.parse(tag.out)).toMatchObject({ matching: 2 });
    expect(await search('tag:warm')).toEqual(['a red fox in snow', 'a red kite']);

    const zip = join(dir, 'exports', 'red.zip');
    const ex = await cli(['export', 'tag:warm', '--out', zip, '--json'], undefined, dataDir);
    expect(ex.code, ex.err).toBe(0);
    expect(JSON.parse(ex.out)).toMatchObject({ files: 2, missing: [] });

    const del = await cli(['delete', 'whale', '--json'], undefined, dataDir);
    const token = (JSON.parse(del.out) as { token: number; assets: number }).token;
    expect(await search('whale')).toEqual([]);
    const undo = await cli(['undo', String(token), '--json'], undefined, dataDir);
    expect(JSON.parse(undo.out)).toMatchObject({ assets: 1, filesRestored: 1 });
    expect(await search('whale')).toEqual(['a blue whale']);

    // Importing the library's own images into another data folder brings them, prompts and all.
    const other = join(dir, 'other-data');
    const imp = await cli(['import', join(dataDir, 'library'), '--json'], undefined, other);
    expect(JSON.parse(imp.out)).toMatchObject({ imported: 3, duplicates: 0 });
    expect(
      (
        JSON.parse((await cli(['search', 'red', '--json'], undefined, other)).out) as {
          rows: { prompt: string }[];
        }
      ).rows
        .map((x) => x.prompt)
        .sort(),
    ).toEqual(['a red fox in snow', 'a red kite']);
    expect((await cli(['import', join(dir, 'nowhere')], undefined, other)).code).toBe(2);
  });

  it('a job the service rejects makes the run exit 1 with the service message', async () => {
    const r = await cli(['run', file('rej.txt', 'fine\nnope not this')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Finished: 1 done, 1 failed/);
    expect(r.out).toMatch(/job 2 failed: .+/);
  });

  it('a JSONL file with per-row parameters', async () => {
    const jsonl = file(
      'rows.jsonl',
      '{"prompt":"wide shot","aspect_ratio":"16:9","seed":5}\n{"prompt":"tall shot","aspect_ratio":"9:16","output_format":"jpeg"}\n',
    );
    const dataDir = join(dir, 'jsonl-data');
    const r = await cli(['run', jsonl], undefined, dataDir);
    expect(r.code, r.err).toBe(0);
    const g = sim.ledger.generations.filter((x) => x.prompt.endsWith(' shot'));
    expect(g.map((x) => [x.prompt, x.input.aspect_ratio])).toEqual([
      ['wide shot', '16:9'],
      ['tall shot', '9:16'],
    ]);
    expect(g[0]!.input.seed).toBe(5);
  });
});
