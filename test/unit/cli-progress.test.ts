// The terminal progress bar: true counts, this command's credits, and an ETA that is either a real
// duration or "--" (never "NFs", "NaN" or "Infinity").
import { describe, expect, it } from 'vitest';
import type { JobCounts } from '../../shared/domain.ts';
import type { Io } from '../../main/cli/common.ts';
import { Progress, formatEta } from '../../main/cli/progress.ts';
import type { JobRecord } from '../../main/engine/store/jobs.ts';

function counts(patch: Partial<JobCounts>): JobCounts {
  return {
    queued: 0,
    submitting: 0,
    running: 0,
    downloading: 0,
    done: 0,
    failed: 0,
    canceled: 0,
    uncertain: 0,
    paused: 0,
    ...patch,
  } as JobCounts;
}

const quietIo: Io = { out: () => {}, err: () => {}, isTTY: false, env: {} };

function progress(current: () => JobCounts): Progress {
  return new Progress(quietIo, {
    json: false,
    counts: current,
    apiBase: 'http://127.0.0.1:1/api',
    offlineTimeoutS: 300,
    scope: 'batch',
  });
}

describe('cli progress', () => {
  it('formats an ETA, or "--" when it cannot be known', () => {
    expect(formatEta(null)).toBe('--');
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('--');
    expect(formatEta(Number.NaN)).toBe('--');
    expect(formatEta(0)).toBe('0s');
    expect(formatEta(45)).toBe('45s');
    expect(formatEta(185)).toBe('3m 05s');
    expect(formatEta(7800)).toBe('2h 10m');
  });

  it('shows "--" until a job finishes, then an ETA from this command’s own pace', () => {
    let c = counts({ queued: 10 });
    const p = progress(() => c);
    const t0 = Date.now();
    p.start();
    const before = p.line(0, 10, { running: 3, failed: 0 }, t0 + 5_000);
    expect(before).toMatch(/0\/10 finished \| 3 running \| 0 failed \| 0 credits \| ETA --$/);
    c = counts({ queued: 6, done: 4 });
    // 4 finished in 20 s → 6 left take about 30 s.
    const after = p.line(4, 10, { running: 2, failed: 0 }, t0 + 20_000);
    expect(after).toMatch(/ 40% \| 4\/10 finished \| 2 running .* ETA (29|30|31)s$/);
    expect(p.line(10, 10, { running: 0, failed: 0 }, t0 + 30_000)).toMatch(/ETA 0s$/);
  });

  it('counts the credits of the jobs it saw finish, once each', () => {
    const p = progress(() => counts({ done: 2 }));
    p.start();
    const job = (id: number, credits: number | null, state = 'done') =>
      ({ id, batchId: 1, seq: id, state, prompt: 'x', credits }) as unknown as JobRecord;
    p.job(job(1, null, 'running'));
    p.job(job(1, 20));
    p.job(job(1, 20));
    p.job(job(2, 40));
    expect(p.credits()).toBe(60);
    expect(p.line(2, 2, {})).toMatch(/60 credits/);
  });
});
