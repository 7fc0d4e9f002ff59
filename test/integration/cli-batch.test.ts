// The batch-power commands of the CLI: wildcards, templates over CSV rows, dry-run counts (offline), and a
// sweep run against the simulator with its contact sheet.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { tempDir } from '../helpers/tmp.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

let dir: string;
let dataDir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('qs-cli-batch-'));
  dataDir = join(dir, 'data');
});
afterAll(() => cleanup());

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function cli(args: string[], env: Record<string, string> = {}) {
  return runCliInProcess([...args, '--data-dir', dataDir], env);
}

describe('qwen-studio wildcards and templates', () => {
  it('adds, lists, shows and removes wildcards, refusing a broken one with its line', async () => {
    expect((await cli(['wildcards', 'add', 'colors', file('colors.txt', '# mine\nred\nblue\n')])).out).toBe(
      'Saved __colors__ (2 option(s)).',
    );
    expect((await cli(['wildcards', 'add', 'animals/cats', '--text', 'tabby|{black|white} cat'])).code).toBe(
      2,
    );
    expect(
      (await cli(['wildcards', 'add', 'animals/cats', file('cats.txt', 'tabby\n{black|white} cat\n')])).code,
    ).toBe(0);
    const list = await cli(['wildcards', 'list']);
    expect(list.out).toBe('__animals/cats__\t2 option(s)\n__colors__\t2 option(s)');
    expect((await cli(['wildcards', 'show', 'colors'])).out).toBe('# mine\nred\nblue');
    const bad = await cli(['wildcards', 'add', 'oops', file('oops.txt', 'fine\n{broken\n')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(
      "wildcards/oops.txt, line 2: unclosed '{' at column 1 — close it or escape it as \\{",
    );
    expect((await cli(['wildcards', 'add', 'tmp', '--text', 'a|b'])).code).toBe(0);
    expect((await cli(['wildcards', 'remove', 'tmp'])).out).toBe('Removed __tmp__.');
    const gone = await cli(['wildcards', 'show', 'tmp']);
    expect([gone.code, gone.err]).toEqual([
      2,
      'no wildcard __tmp__ — see the list with: qwen-studio wildcards list',
    ]);
  });

  it('a dry run counts wildcards, variables and sampling exactly, and names an unknown wildcard', async () => {
    const r = await cli([
      'run',
      file('w.txt', '{$c = __colors__} a $c __animals/cats__ on a $c mat\n'),
      '--dry-run',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^6 generation\(s\), 6 image\(s\)/);
    expect(r.out).toContain('a red tabby on a red mat');
    expect(r.out).toContain('a blue white cat on a blue mat');
    const missing = await cli(['run', file('m.txt', 'one\na __colours__ car\n'), '--dry-run']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^m\.txt:2: unknown wildcard __colours__ at column 3 — add the file/);
  });

  it('one template for every CSV row: columns are variables, refs stay per row', async () => {
    const csv = file(
      'catalogue.csv',
      'product,finish,refs\nmug,matte,https://x.test/mug.png\nlamp,gloss,\nvase,matte,\n',
    );
    const r = await cli([
      'run',
      csv,
      '--template',
      'studio photo of a $finish $product, {white|grey} backdrop',
      '--dry-run',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out) as { jobs: number; prompts: string[] };
    expect(plan.jobs).toBe(6);
    expect(plan.prompts.slice(0, 3)).toEqual([
      'studio photo of a matte mug, white backdrop',
      'studio photo of a matte mug, grey backdrop',
      'studio photo of a gloss lamp, white backdrop',
    ]);
    const unused = await cli(['run', csv, '--template', 'a $product', '--dry-run']);
    expect(unused.code).toBe(2);
    expect(unused.err).toContain(
      "catalogue.csv:2: column 'finish' is neither an API field nor used by the prompt",
    );
  });
});

describe('qwen-studio presets', () => {
  it('saves a preset, applies it (or the default) to a run, and moves presets as JSON', async () => {
    const save = await cli([
      'presets',
      'save',
      'wide',
      '--aspect-ratio',
      '16:9',
      '--num-images',
      '2',
      '--sweep',
      'seed=1..3',
    ]);
    expect(save.out).toBe('Saved preset "wide".');
    const prompts = file('pre.txt', 'a dune\n');
    const used = await cli(['run', prompts, '--preset', 'wide', '--dry-run', '--json']);
    const plan = JSON.parse(used.out) as { jobs: number; images: number; sweep: { param: string }[] };
    expect([plan.jobs, plan.images, plan.sweep[0]?.param]).toEqual([3, 6, 'seed']);
    // Flags on the command line win over the preset.
    const over = JSON.parse(
      (await cli(['run', prompts, '--preset', 'wide', '--num-images', '1', '--dry-run', '--json'])).out,
    ) as { images: number };
    expect(over.images).toBe(3);
    expect((await cli(['run', prompts, '--dry-run', '--json'])).out).toContain('"jobs":1');
    expect((await cli(['presets', 'default', 'wide'])).out).toBe('"wide" is the default preset.');
    const byDefault = await cli(['run', prompts, '--dry-run']);
    expect(byDefault.out.split('\n').slice(0, 2)).toEqual(['Preset: wide', '3 generation(s), 6 image(s)']);
    expect((await cli(['run', prompts, '--preset', 'none', '--dry-run'])).out).toMatch(/^1 generation/);
    const out = join(dir, 'presets.json');
    await cli(['presets', 'export', out]);
    await cli(['presets', 'remove', 'wide']);
    expect((await cli(['run', prompts, '--preset', 'wide', '--dry-run'])).err).toBe(
      'There is no preset "wide"; save one first.',
    );
    expect((await cli(['presets', 'import', out])).out).toBe(`Imported 1 preset(s) from ${out}.`);
    expect((await cli(['presets', 'list'])).out).toMatch(/^wide \(default\)\t/);
    expect((await cli(['presets', 'default', 'none'])).out).toBe('No default preset.');
  });
});

describe('qwen-studio sweeps', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      apiKeys: ['sweep-key-123456'],
      maxImageSide: 64,
      faults: { latencyMs: 20 },
    });
  });
  afterAll(() => sim.close());

  it('a dry run prints the axes, the exact count and the credits', async () => {
    const r = await cli([
      'run',
      file('s.txt', 'a lighthouse\n'),
      '--sweep',
      'ar=1:1,16:9,9:16',
      '--sweep',
      'images=1,2',
      '--dry-run',
    ]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 4)).toEqual([
      '6 generation(s), 9 image(s)',
      'Sweep X: Aspect ratio = 1:1, 16:9, 9:16',
      'Sweep Y: Images per prompt = 1, 2',
      'Estimated cost: 180 credits (20.0 per image, default until real usage is known)',
    ]);
    const safety = await cli(['run', file('s.txt', 'x\n'), '--sweep', 'safety=on,off', '--dry-run']);
    expect([safety.code, safety.out.split('\n')[1]]).toEqual([0, 'Sweep X: Safety checker = on, off']);
    const bad = await cli(['run', file('s.txt', 'x\n'), '--sweep', 'colour=red', '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('"colour" is not a parameter that can be swept');
  });

  it('runs a 3×2 sweep (each request with its cell’s values) and writes a labelled contact sheet', async () => {
    const before = sim.ledger.generations.length;
    const env = { QWEN_STUDIO_API_KEY: 'sweep-key-123456' };
    const run = await cli(
      [
        'run',
        file('sw.txt', 'a red fox\n'),
        '--sweep',
        'ar=1:1,16:9,9:16',
        '--sweep',
        'format=png,jpeg',
        '--name',
        'grid',
        '--api-base',
        sim.url,
        '--json',
      ],
      env,
    );
    expect(run.code).toBe(0);
    const sent = sim.ledger.generations
      .slice(before)
      .map((g) => `${String(g.input.aspect_ratio)} ${String(g.input.output_format)}`);
    expect(sent.sort()).toEqual(['16:9 jpeg', '16:9 png', '1:1 jpeg', '1:1 png', '9:16 jpeg', '9:16 png']);
    const status = JSON.parse((await cli(['status', '--json'])).out) as {
      batches: { id: number; name: string }[];
    };
    const id = status.batches.find((b) => b.name === 'grid')?.id;
    expect(id).toBeDefined();
    const out = join(dir, 'sheet.png');
    const sheet = await cli(['sheet', String(id), '--out', out, '--cell-size', '96']);
    expect(sheet.code).toBe(0);
    expect(sheet.out).toMatch(/^Wrote .*sheet\.png \(\d+×\d+, 6 cell\(s\)\)\.$/);
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width]).toEqual(['png', 12 * 2 + 150 + 3 * (96 + 4)]);
    const dup = await cli(['batch', String(id), 'duplicate']);
    expect(dup.out).toMatch(/^#\d+ grid copy: active, priority 0, budget none, place 1 in the queue\.$/);
    const copyId = dup.out.slice(1, dup.out.indexOf(' '));
    expect((await cli(['batch', copyId, 'budget', '500'])).out).toContain('budget 500');
    expect((await cli(['batch', copyId, 'priority', '3'])).err).toContain(
      'priority must be a whole number from -2 to 2',
    );
    expect((await cli(['batch', String(id), 'move', 'top'])).err).toContain('is not waiting in the queue');
    const notSweep = await cli(['sheet', '999', '--out', out]);
    expect([notSweep.code, notSweep.err]).toEqual([2, 'There is no batch #999.']);
  });
});
