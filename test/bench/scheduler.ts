// How close a big batch runs to the ideal: jobs ÷ concurrency × latency. The simulator runs in its own
// process so the CPU and memory figures are the engine's alone.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Studio } from '../../main/engine/studio.ts';
import { numberFlags } from './main.ts';
import { internalsOf } from '../../main/engine/internals.ts';

const BIN = join(import.meta.dirname, '../../bin/qwen-studio.mjs');

async function startSimulatorProcess(args: string[]): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [BIN, 'simulator', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

export async function schedulerBench(args: string[]): Promise<Record<string, unknown>> {
  const o = numberFlags(args, { jobs: 1000, concurrency: 16, latency: 500, jitter: 150 });
  const sim = await startSimulatorProcess([
    '--latency-ms',
    String(o.latency),
    '--jitter-ms',
    String(o.jitter),
    '--max-image-side',
    '256',
  ]);
  const dataDir = mkdtempSync(join(tmpdir(), 'qs-bench-'));
  const studio = new Studio({
    dataDir,
    apiKey: 'bench-key',
    apiBase: sim.url,
    overrides: { concurrency: o.concurrency, downloadConcurrency: 8 },
  });
  try {
    const prompts = Array.from({ length: o.jobs }, (_, i) => ({ prompt: `benchmark prompt ${i + 1}` }));
    writeFileSync(join(dataDir, 'note.txt'), 'benchmark data');
    studio.start();
    let peakInFlight = 0;
    studio.on('queue', (q) => (peakInFlight = Math.max(peakInFlight, q.inFlight)));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    studio.batches.create({ name: 'bench', entries: prompts });
    await studio.whenSettled();
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const counts = internalsOf(studio).stores.jobs.counts();
    const ledger = (await (await fetch(sim.url.replace(/\/api$/, '/__sim/ledger'))).json()) as {
      totalRequests: number;
    };
    const ideal = (o.jobs / o.concurrency) * (o.latency / 1000);
    return {
      jobs: o.jobs,
      done: counts.done,
      concurrency: o.concurrency,
      peak_in_flight: peakInFlight,
      latency_ms: o.latency,
      jitter_ms: o.jitter,
      wall_seconds: round(wall),
      ideal_seconds: round(ideal),
      ratio: round(wall / ideal, 3),
      http_requests_per_job: round(ledger.totalRequests / o.jobs),
      cpu_ms_per_job: round((cpu.user + cpu.system) / 1000 / o.jobs),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
    };
  } finally {
    await studio.close();
    sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
