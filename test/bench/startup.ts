// How fast `qwen-studio` starts as people run it (the bin shim, then the build in out/main), against
// `node -e 0`: `--version`, `--help`, `status` of an empty data folder and `search` in a 100,000-image
// library. Each command and Node alone run in turn, pair by pair (so a machine that slows down mid-way
// slows both sides); the figure is the median of the pairs' ratios, with the medians in milliseconds.
// Targets (issue 8): --version and --help ≤ 2×, status ≤ 4×, search at 100k ≤ 6×.
//
//   npm run bench -- startup [--runs 15] [--library <dir>]
//
// --library is a data folder from `npm run bench -- library --assets 100000 --keep <dir>`; without it one is
// built first (about half a minute).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { libraryBench } from './library.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/qwen-studio.mjs');
const TARGETS = { version: 2, help: 2, status: 4, search: 6 } as const;

function wallMs(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function startupBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { runs: { type: 'string' }, library: { type: 'string' } },
    strict: true,
  });
  const runs = Number(values.runs ?? 15);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number`);
  if (!existsSync(join(ROOT, 'out/main/cli.js')))
    throw new Error('Nothing built: run `npm run build` first (the benchmark times the built command).');

  const scratch = mkdtempSync(join(tmpdir(), 'qs-startup-'));
  let library = values.library;
  try {
    if (!library) {
      library = join(scratch, 'library');
      await libraryBench(['--assets', '100000', '--keep', library]);
    }
    if (!existsSync(join(library, 'studio.db'))) throw new Error(`No library at ${library}.`);
    const commands: Record<keyof typeof TARGETS, string[]> = {
      version: ['--version'],
      help: ['--help'],
      status: ['status', '--data-dir', join(scratch, 'empty')],
      search: ['search', 'red car', '--data-dir', library],
    };
    const node = ['-e', '0'];
    const out: Record<string, unknown> = { runs };
    const nodeTimes: number[] = [];
    const met: string[] = [];
    const missed: string[] = [];
    for (const [name, cmd] of Object.entries(commands) as [keyof typeof TARGETS, string[]][]) {
      // One unmeasured run each: the first start also fills Node's compile cache.
      wallMs([BIN, ...cmd]);
      wallMs(node);
      const times: number[] = [];
      const ratios: number[] = [];
      for (let i = 0; i < runs; i++) {
        const a = wallMs([BIN, ...cmd]);
        const b = wallMs(node);
        times.push(a);
        nodeTimes.push(b);
        ratios.push(a / b);
      }
      const ratio = round(median(ratios), 2);
      out[`${name}_ms`] = round(median(times), 1);
      out[`${name}_ratio`] = ratio;
      (ratio <= TARGETS[name] ? met : missed).push(name);
    }
    out.node_ms = round(median(nodeTimes), 1);
    out.targets = TARGETS;
    out.met = met;
    out.missed = missed;
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
