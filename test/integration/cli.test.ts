import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobCounts } from '../../shared/domain.ts';
import { startSimulator, type Simulator } from '../../main/simulator/index.ts';
import { tempDir } from '../helpers/tmp.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

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

/** Runs the CLI in this process with exactly these arguments, capturing what it prints. */
const capture = runCliInProcess;

/** Runs the CLI against the simulator, in its own data folder unless one is given. */
async function cli(
  args: string[],
  env: Record<string, string> = { QWEN_STUDIO_API_KEY: KEY },
  dataDir = join(dir, `data-${++n}`),
) {
  const needsData =
    args.length > 0 && !['--help', 'help', '--version'].includes(args[0] ?? '') && !args.includes('--help');
  const r = await capture(needsData ? [...args, '--data-dir', dataDir, '--api-base', sim.url] : args, env);
  return { ...r, dataDir };
}

describe('qwen-studio command line', () => {
  it('prints help and the version', async () => {
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/run \[options\] <file>/);
    expect(h.out).toMatch(/Exit codes/);
    expect((await cli(['--version'])).out).toMatch(/^\d+\.\d+\.\d+$/);
    // Alone, it prints the same help (not an error).
    const bare = await cli([]);
    expect(bare.code).toBe(0);
    expect(bare.out).toBe(h.out);
  });

  it('has help for each command', async () => {
    const r = await cli(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: qwen-studio run \[options\] <file>/);
    expect(r.out).toMatch(/--aspect-ratio <ratio>.*\(choices: "1:1", "16:9"/);
    expect(r.out).toMatch(/--offline-timeout <seconds>/);
    expect(r.out).toMatch(/Examples:/);
    expect(r.out).not.toMatch(/search/);
    const viaHelp = await cli(['help', 'search']);
    expect(viaHelp.out).toMatch(/Usage: qwen-studio search \[options\] \[query\]/);
    expect(viaHelp.out).toMatch(/--sort <order>/);
  });

  it('exits 2 on an unknown command or flag, suggesting the one meant', async () => {
    const cmd = await cli(['stauts']);
    expect(cmd.code).toBe(2);
    expect(cmd.err).toMatch(/unknown command 'stauts'\n\(Did you mean status\?\)/);
    const bad = await cli(['run', file('a.txt', 'x'), '--colour', 'red']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown option '--colour'/);
    const typo = await cli(['run', file('a.txt', 'x'), '--aspect-ration', '16:9']);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/Did you mean --aspect-ratio\?/);
    const extra = await cli(['status', 'now']);
    expect(extra.code).toBe(2);
    expect(extra.err).toMatch(/too many arguments for 'status'/);
  });

  it('refuses an --api-base that is not an http(s) address before anything is queued', async () => {
    const before = sim.ledger.totalRequests;
    const prompts = file('api.txt', 'one');
    for (const base of ['not a url', 'ftp://example.com/api', 'localhost:8787']) {
      const dataDir = join(dir, `api-${++n}`);
      const r = await capture(['run', prompts, '--data-dir', dataDir, '--api-base', base], {
        QWEN_STUDIO_API_KEY: KEY,
      });
      expect(r.code, base).toBe(2);
      expect(r.err).toBe(
        `--api-base: the service address must be an https:// address such as https://open.skills.video/api; got "${base}".`,
      );
      // Refused before the data folder was even opened: no batch, no database.
      expect(existsSync(join(dataDir, 'studio.db'))).toBe(false);
    }
    const fromEnv = await capture(['run', prompts, '--data-dir', join(dir, `api-${++n}`)], {
      QWEN_STUDIO_API_KEY: KEY,
      QWEN_STUDIO_API_BASE: 'nope',
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.err).toMatch(/^QWEN_STUDIO_API_BASE: the service address must be an https/);
    expect(sim.ledger.totalRequests).toBe(before);
  });

  it('sends the key over plain http only to this machine, or with --allow-insecure-api-base', async () => {
    const prompts = file('insecure.txt', 'one');
    const dataDir = join(dir, `api-${++n}`);
    const r = await capture(
      ['run', prompts, '--dry-run', '--data-dir', dataDir, '--api-base', 'http://example.com/api'],
      {
        QWEN_STUDIO_API_KEY: KEY,
      },
    );
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      '--api-base: plain http sends the key unencrypted: use https://example.com/api (plain http is only for ' +
        'this machine, such as the simulator), or pass --allow-insecure-api-base if you mean it.',
    );
    expect(existsSync(join(dataDir, 'studio.db'))).toBe(false);
    const allowed = await capture(
      [
        'run',
        prompts,
        '--dry-run',
        '--data-dir',
        dataDir,
        '--api-base',
        'http://example.com/api',
        '--allow-insecure-api-base',
      ],
      { QWEN_STUDIO_API_KEY: KEY },
    );
    expect(allowed.code).toBe(0);
  });

  it('an unreachable service: names the URL it tried and gives up after --offline-timeout (exit 4)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/api`;
    const dataDir = join(dir, 'offline-data');
    const r = await capture(
      ['run', file('off.txt', 'one'), '--data-dir', dataDir, '--api-base', url, '--offline-timeout', '1'],
      { QWEN_STUDIO_API_KEY: KEY },
    );
    expect(r.code).toBe(4);
    const said = r.err;
    expect(said).toContain(`The service at ${url} cannot be reached`);
    expect(said).toMatch(/Gave up: .* could not be reached for 1 s/);
    expect(said).toMatch(/qwen-studio resume/);
    // Nothing lost: the job is still there to resume.
    const status = await cli(['status', '--json'], undefined, dataDir);
    const totals = (JSON.parse(status.out) as { totals: { counts: JobCounts } }).totals.counts;
    expect(totals.queued + totals.submitting + totals.uncertain).toBe(1);
  });

  it('the closing line reports this batch’s credits, not the folder’s', async () => {
    const dataDir = join(dir, 'credits-data');
    const first = await cli(['run', file('c1.txt', 'one\ntwo')], undefined, dataDir);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/— 40 credits for this batch \(40 in this data folder\)\./);
    const second = await cli(['run', file('c2.txt', 'three')], undefined, dataDir);
    expect(second.out).toMatch(/— 20 credits for this batch \(60 in this data folder\)\./);
    const json = await cli(['run', file('c3.txt', 'four'), '--json'], undefined, dataDir);
    const summary = json.out
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; creditsSpent?: number; folderCreditsSpent?: number })
      .find((e) => e.type === 'summary');
    expect(summary).toMatchObject({ creditsSpent: 20, folderCreditsSpent: 80 });
  });

  it('--safety-checker and --no-safety-checker set enable_safety_checker; neither leaves the default', async () => {
    const sent = async (flags: string[]) => {
      const prompt = `safety ${flags.join(' ') || 'default'}`;
      const r = await cli(['run', file('safe.txt', prompt), ...flags, '--json']);
      expect(r.code, r.err).toBe(0);
      return sim.ledger.generations.find((g) => g.prompt === prompt)!.sent;
    };
    expect(await sent(['--safety-checker'])).toMatchObject({ enable_safety_checker: true });
    expect(await sent(['--no-safety-checker'])).toMatchObject({ enable_safety_checker: false });
    expect(await sent([])).not.toHaveProperty('enable_safety_checker');
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

  it('a missing reference in a CSV row is reported like any bad cell', async () => {
    const csv = file('refs.csv', `prompt,refs\n"a cat",\n"a dog",${join(dir, 'no-such-dog.png')}\n`);
    const r = await cli(['run', csv]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^refs\.csv, line 3, column 2 \(refs\): reference image .*no-such-dog\.png not found/,
    );
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
      [
        ['--aspect-ratio', '5:4'],
        /'--aspect-ratio <ratio>' argument '5:4' is invalid\. Allowed choices are 1:1/,
      ],
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
    const token = (JSON.parse(del.out) as { token: number; count: number }).token;
    expect(await search('whale')).toEqual([]);
    const undo = await cli(['undo', String(token), '--json'], undefined, dataDir);
    expect(JSON.parse(undo.out)).toMatchObject({ restored: 1, filesRestored: 1 });
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
