// Planning at the limits: counting a template over four 1,000-line wildcard files (count only: 10^12
// prompts, refused by the cap) and planning a 10,000-job sweep (100 prompts × 100 seeds), each timed.
//
//   npm run bench -- plan
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchSpecSchema } from '../../shared/domain.ts';
import { countBatch, planBatch } from '../../main/engine/batch/plan.ts';
import { Wildcards } from '../../main/engine/batch/wildcards.ts';
import { tempDir } from '../helpers/tmp.ts';

function timed<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: Math.round((performance.now() - t0) * 100) / 100, value };
}

export async function planBench(): Promise<Record<string, unknown>> {
  const { dir, cleanup } = tempDir('qs-bench-plan-');
  try {
    const wildcardDir = join(dir, 'wildcards');
    mkdirSync(wildcardDir, { recursive: true });
    for (const name of ['subject', 'style', 'light', 'place']) {
      const lines = Array.from({ length: 1000 }, (_, i) => `${name} option ${i} {with|without} detail`);
      writeFileSync(join(wildcardDir, `${name}.txt`), `# ${name}\n${lines.join('\n')}\n`);
    }
    const wildcards = new Wildcards(wildcardDir);
    const templateSpec = batchSpecSchema.parse({
      name: 'bench',
      entries: [{ prompt: '__subject__, __style__, __light__, in __place__' }],
    });
    // Reads and parses the four files from disk each time (a fresh snapshot), as a plan in the app does.
    const count = timed(() => countBatch(templateSpec, { wildcards: wildcards.snapshot() }));

    const alternatives = Array.from({ length: 100 }, (_, i) => `subject ${i}`).join('|');
    const sweepSpec = batchSpecSchema.parse({
      name: 'bench sweep',
      entries: [{ prompt: `a {${alternatives}} at dusk` }],
      sweep: [{ param: 'seed', values: Array.from({ length: 100 }, (_, i) => i) }],
    });
    const sweepCount = timed(() => countBatch(sweepSpec));
    const sweepPlan = timed(() => planBatch(sweepSpec, { creditsPerImage: 20, estimateIsLearned: false }));
    return {
      wildcardLines: 4 * 1000,
      wildcardPrompts: count.value.jobs,
      wildcardCountMs: count.ms,
      sweepJobs: sweepPlan.value.jobs.length,
      sweepCountMs: sweepCount.ms,
      sweepPlanMs: sweepPlan.ms,
    };
  } finally {
    cleanup();
  }
}
