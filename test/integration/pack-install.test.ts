// Installable as people install command lines: `npm pack`, then `npm install -g` of the tarball on a clean
// prefix (dependencies from the registry, native modules loading), then the installed `qwen-studio`
// answers --version, starts the simulator, and runs a small batch against it.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { tempDir } from '../helpers/tmp.ts';

const ROOT = join(import.meta.dirname, '../..');
let dir: string;
let cleanup: () => void;
/** This Node.js first on the PATH, for npm and for the installed command's `#!/usr/bin/env node`. */
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

function npm(args: string[], cwd: string) {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

let bin: string;
let files: string[];

beforeAll(() => {
  ({ dir, cleanup } = tempDir('qs-pack-'));
  const packed = JSON.parse(npm(['pack', ROOT, '--json', '--pack-destination', dir], dir)) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = packed[0]!.files.map((f) => f.path);
  const prefix = join(dir, 'prefix');
  npm(['install', '-g', '--prefix', prefix, '--prefer-offline', join(dir, packed[0]!.filename)], dir);
  bin = join(prefix, 'bin', 'qwen-studio');
}, 300_000);
afterAll(() => cleanup());

function run(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(bin, args, { cwd: dir, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm pack + npm install -g', () => {
  it('ships the built command and nothing else of the checkout', () => {
    expect(files).toContain('bin/qwen-studio.mjs');
    expect(files).toContain('out/main/cli.js');
    expect(files).toContain('package.json');
    expect(files.filter((f) => /^(main|shared|renderer|test)\/|\.ts$/.test(f))).toEqual([]);
  });

  it('installs a working qwen-studio: --version, the simulator, a small run', async () => {
    expect(run(['--version'])).toMatchObject({ code: 0, out: `${pkg.version}\n` });

    const sim = spawn(bin, ['simulator', '--port', '0', '--latency-ms', '20'], { env, cwd: dir });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        sim.stdout.setEncoding('utf8');
        sim.stdout.on('data', (text: string) => {
          out += text;
          const m = /Simulator listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        sim.on('exit', (code) => reject(new Error(`the simulator exited (${code}): ${out}`)));
      });
      writeFileSync(join(dir, 'prompts.txt'), 'a lighthouse at dawn\na paper boat\n');
      const r = run(['run', 'prompts.txt', '--api-base', url, '--data-dir', join(dir, 'data'), '--json'], {
        QWEN_STUDIO_API_KEY: 'any-key-for-the-simulator',
      });
      expect(r.code, r.err).toBe(0);
      const events = r.out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; state?: string });
      expect(events.filter((e) => e.type === 'job' && e.state === 'done')).toHaveLength(2);
      // The images came back through sharp and were stored (native modules load in the installed copy).
      expect(readdirSync(join(dir, 'data', 'library'), { recursive: true }).length).toBeGreaterThan(0);
    } finally {
      sim.kill('SIGTERM');
    }
  });
});
