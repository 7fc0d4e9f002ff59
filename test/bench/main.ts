// Benchmarks, separate from tests: each prints one JSON line so runs can be compared by a script.
import { parseArgs } from 'node:util';
import { libraryBench } from './library.ts';
import { libraryUiBench } from './library-ui.ts';
import { lockBench } from './lock.ts';
import { planBench } from './plan.ts';
import { schedulerBench } from './scheduler.ts';
import { startupBench } from './startup.ts';

const BENCHES: Record<string, (args: string[]) => Promise<Record<string, unknown>>> = {
  scheduler: schedulerBench,
  lock: lockBench,
  library: libraryBench,
  'library-ui': libraryUiBench,
  startup: startupBench,
  plan: planBench,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = name ? [name] : Object.keys(BENCHES);
  for (const n of names) {
    const bench = BENCHES[n];
    if (!bench) {
      process.stderr.write(`Unknown benchmark "${n}". Known: ${Object.keys(BENCHES).join(', ')}\n`);
      return 2;
    }
    const result = await bench(name ? rest : []);
    process.stdout.write(`${JSON.stringify({ bench: n, ...result })}\n`);
  }
  return 0;
}

export function numberFlags<K extends string>(
  args: string[],
  defaults: Record<K, number>,
): Record<K, number> {
  const options = Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' as const }]));
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  const out: Record<K, number> = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${k} must be a number`);
    out[k as K] = n;
  }
  return out;
}
