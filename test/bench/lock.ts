// How fast a killed runner's folder is free again: a process takes the runner lock with the engine's own
// code, is killed with SIGKILL (reaped at once, or left a zombie by a parent that never reaps it on Linux),
// and this process takes the lock as soon as it can. Prints the takeover times in milliseconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunnerLock } from '../../main/engine/store/runner-lock.ts';
import { numberFlags } from './main.ts';

const MODULE = join(import.meta.dirname, '../../main/engine/store/runner-lock.ts');

function holderScript(path: string): string {
  return `const { RunnerLock } = await import(${JSON.stringify(MODULE)});
    RunnerLock.tryAcquire(${JSON.stringify(path)}) ? console.log('held ' + process.pid) : process.exit(3);
    setInterval(() => {}, 60_000);`;
}

/** Starts a holder (directly, or under a shell that never reaps it) and resolves with its pid once it holds. */
function startHolder(path: string, zombie: boolean): Promise<{ pid: number; cleanup: () => void }> {
  const node = [process.execPath, '--import', 'tsx', '-e', holderScript(path)];
  const child = zombie
    ? spawn('/bin/sh', ['-c', '"$@" & exec sleep 600', 'sh', ...node], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    : spawn(node[0]!, node.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => {
      const m = /held (\d+)/.exec(d.toString());
      if (!m) return reject(new Error(`holder said: ${d.toString()}`));
      resolve({ pid: Number(m[1]), cleanup: () => child.kill('SIGKILL') });
    });
    child.once('error', reject);
  });
}

async function takeoverMs(path: string, zombie: boolean): Promise<number> {
  const holder = await startHolder(path, zombie);
  if (RunnerLock.tryAcquire(path)) throw new Error('the lock was free while held');
  const t0 = performance.now();
  process.kill(holder.pid, 'SIGKILL');
  for (;;) {
    const lock = RunnerLock.tryAcquire(path);
    if (lock) {
      const ms = performance.now() - t0;
      lock.release();
      holder.cleanup();
      return ms;
    }
    await new Promise((r) => setImmediate(r));
  }
}

function stats(xs: number[]): { p50: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(s[Math.floor(s.length / 2)]!), max: round(s.at(-1)!) };
}

export async function lockBench(args: string[]): Promise<Record<string, unknown>> {
  const { rounds } = numberFlags(args, { rounds: 20 });
  const dir = mkdtempSync(join(tmpdir(), 'qs-lock-bench-'));
  try {
    const plain: number[] = [];
    const zombie: number[] = [];
    for (let i = 0; i < rounds; i++) {
      plain.push(await takeoverMs(join(dir, 'plain.lock'), false));
      if (process.platform === 'linux') zombie.push(await takeoverMs(join(dir, 'zombie.lock'), true));
    }
    const p = stats(plain);
    const z = zombie.length ? stats(zombie) : null;
    return {
      rounds,
      takeover_ms_p50: p.p50,
      takeover_ms_max: p.max,
      zombie_takeover_ms_p50: z?.p50 ?? null,
      zombie_takeover_ms_max: z?.max ?? null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
