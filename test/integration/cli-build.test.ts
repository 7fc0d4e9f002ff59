// The `qwen-studio` command as people run it: the bin shim, Node's version check, then the built bundle
// (out/main/cli.js), with every command's code loaded only when that command runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { CLI_BIN } from '../helpers/cli-process.ts';
import { tempDir } from '../helpers/tmp.ts';

const ROOT = join(import.meta.dirname, '../..');

function shim(args: string[], nodeArgs: string[] = [], node = process.execPath) {
  const r = spawnSync(node, [...nodeArgs, CLI_BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A Node.js that says it is an older version, from its first line of JavaScript on. */
const OLD_NODE = [
  '--import',
  'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.11.1"})',
];

const NODE_MESSAGE =
  /^qwen-studio needs Node\.js 22 or newer; this is Node\.js (\d+\.\d+\.\d+)\. Install the current LTS from https:\/\/nodejs\.org\/ \(or with nvm: nvm install --lts\), then try again\.\n$/;

/** A module for `--import` that records every module the process resolves in <dir>/loaded.json. */
function recorder(dir: string): string {
  const hook = join(dir, 'record.mjs');
  const log = join(dir, 'loaded.json');
  writeFileSync(
    hook,
    `import { registerHooks } from 'node:module'; import { writeFileSync } from 'node:fs';
    const seen = []; registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.push(r.url); return r; } });
    process.on('exit', () => writeFileSync(${JSON.stringify(log)}, JSON.stringify(seen)));`,
  );
  return hook;
}

describe('the qwen-studio command (built)', () => {
  it('is built (npm run build, or the test setup)', () => {
    expect(existsSync(join(ROOT, 'out/main/cli.js'))).toBe(true);
  });

  it('on an older Node.js says in one line what it needs and where to get it', () => {
    const r = shim(['status'], OLD_NODE);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(NODE_MESSAGE);
    expect(r.err).toContain('this is Node.js 20.11.1.');
  });

  // The machine's own Node.js, where it is an old one (Debian's is 20): the real thing, not a stand-in.
  const systemNode = '/usr/bin/node';
  const systemMajor = existsSync(systemNode)
    ? Number(
        spawnSync(systemNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout,
      )
    : 0;
  it.runIf(systemMajor > 0 && systemMajor < 22)('under the system Node.js (older) too', () => {
    const r = shim(['--version'], [], systemNode);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(NODE_MESSAGE);
  });

  it('--version and --help load no engine module, only the command descriptions', () => {
    const { dir, cleanup } = tempDir('qs-lazy-');
    try {
      const hook = recorder(dir);
      const log = join(dir, 'loaded.json');
      for (const args of [['--version'], ['--help'], ['run', '--help']]) {
        const r = shim(args, ['--import', hook]);
        expect(r.code, r.err).toBe(0);
        const loaded = JSON.parse(readFileSync(log, 'utf8')) as string[];
        const ours = loaded.filter((u) => u.includes('/out/main/'));
        expect(ours.length, args.join(' ')).toBeGreaterThan(0);
        // The entry and the two small chunks it shares (package.json's version, exit codes): no command
        // body, no engine chunk, nothing from node_modules (sharp, better-sqlite3).
        for (const url of ours) {
          expect(url, args.join(' ')).toMatch(
            /\/out\/main\/(cli\.js|chunks\/(package|common|rolldown-runtime)-[\w-]+\.js)$/,
          );
        }
        expect(loaded.filter((u) => u.includes('node_modules'))).toEqual([]);
      }
      expect(shim(['--version']).out).toBe(`${pkg.version}\n`);
    } finally {
      cleanup();
    }
  });

  it('runs a command end to end through the shim; status loads neither sharp, undici nor node:http', () => {
    const { dir, cleanup } = tempDir('qs-shim-');
    try {
      const r = shim(['status', '--json', '--data-dir', join(dir, 'data')], ['--import', recorder(dir)]);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ batches: [], totals: { creditsSpent: 0 } });
      const loaded = JSON.parse(readFileSync(join(dir, 'loaded.json'), 'utf8')) as string[];
      expect(loaded.some((u) => u.includes('better-sqlite3'))).toBe(true);
      expect(loaded.filter((u) => /\/(sharp|undici)\/|^node:http$/.test(u))).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
