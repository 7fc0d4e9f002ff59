// Every mistake a person can make on the command line ends the same way: the exit code README documents,
// one line saying what is wrong and what to do, and no stack trace (that needs --debug).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

let dir: string;
let cleanup: () => void;
let n = 0;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('qs-cli-errors-'));
});
afterAll(() => cleanup());

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function cli(args: string[], env: Record<string, string> = { QWEN_STUDIO_API_KEY: 'k-123456789' }) {
  const dataDir = join(dir, `data-${++n}`);
  // An address nothing listens on: none of these mistakes may get as far as the service.
  return runCliInProcess([...args, '--data-dir', dataDir, '--api-base', 'http://127.0.0.1:9/api'], env);
}

/** One line, or the argument parser's line followed by its pointer to the help. */
function oneLine(err: string): boolean {
  const lines = err.split('\n');
  return lines.length === 1 || (lines.length === 2 && lines[1]!.startsWith('(qwen-studio --help'));
}

const STACK = /\n\s+at .+[:(]\d+:\d+|Unexpected error/;

describe('a mistake on the command line', () => {
  it('gives its documented exit code and one clear line, no stack', async () => {
    const prompts = file('p.txt', 'one\ntwo');
    const cases: { args: string[]; env?: Record<string, string>; exit: number; says: RegExp }[] = [
      { args: ['frobnicate'], exit: 2, says: /frobnicate/ },
      { args: ['run', prompts, '--colour', 'red'], exit: 2, says: /colour/ },
      { args: ['run'], exit: 2, says: /missing required argument 'file'/ },
      { args: ['run', join(dir, 'missing.txt'), '--dry-run'], exit: 2, says: /missing\.txt/ },
      { args: ['run', file('bad.csv', 'prompt,seed\n"a",x\n'), '--dry-run'], exit: 2, says: /line 2/ },
      { args: ['run', file('t.txt', 'a {red|blue'), '--dry-run'], exit: 2, says: /unclosed '\{'/ },
      { args: ['run', prompts], env: {}, exit: 3, says: /QWEN_STUDIO_API_KEY.*simulator/ },
      { args: ['run', prompts, '--num-images', '9', '--dry-run'], exit: 2, says: /--num-images must be/ },
      { args: ['search', 'x', '--limit', '0'], exit: 2, says: /--limit must be/ },
      { args: ['export', 'nomatch', '--out', join(dir, 'x.zip')], exit: 2, says: /Nothing to export/ },
      { args: ['export', 'x'], exit: 2, says: /--out/ },
      { args: ['import', join(dir, 'nowhere')], exit: 2, says: /nowhere was not found/ },
      { args: ['undo', '99'], exit: 2, says: /trash action 99 does not exist/ },
      { args: ['tag', 'x'], exit: 2, says: /--add/ },
      { args: ['delete', ' '], exit: 2, says: /needs a query/ },
      { args: ['retry'], exit: 2, says: /--uncertain/ },
    ];
    for (const c of cases) {
      const r = await cli(c.args, c.env);
      const what = c.args.join(' ');
      expect(r.code, what).toBe(c.exit);
      expect(r.err, what).toMatch(c.says);
      expect(oneLine(r.err), what).toBe(true);
      expect(r.err, what).not.toMatch(STACK);
    }
  });

  it('a folder given where a file is needed, or a file where a folder is, is a mistake too', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const notFolder = file('plain.txt', 'x');
    for (const args of [
      ['run', folder, '--dry-run'],
      ['import', notFolder],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneLine(r.err)).toBe(true);
      expect(r.err).not.toMatch(STACK);
    }
  });
});

describe('the terminal', () => {
  it('a closed pipe on stdout ends the command quietly (`qwen-studio status | head -1`)', async () => {
    // `true` reads nothing and exits at once, so the command writes its first line into a closed pipe.
    const child = spawn(
      'bash',
      [
        '-c',
        'node "$0" status --data-dir "$1" | true; exit "${PIPESTATUS[0]}"',
        join(import.meta.dirname, '../../bin/qwen-studio.mjs'),
        join(dir, 'pipe'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
