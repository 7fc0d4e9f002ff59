// The commands that send work: `run` (enqueue a file, then run), `resume`, `retry` and `drop`.
import { EXIT, UsageError, intOption, type CommonFlags, type Io } from './common.ts';
import { applyPreset } from './presets.ts';
import { buildSpec, printPlan, runQueue, type RunFlags } from './run.ts';
import type { Studio } from '../engine/studio.ts';
import { openStudio, requireKey, withStudio } from './studio.ts';
import { handOver, startOrHeld } from './hand-over.ts';

interface QueueFlags extends CommonFlags {
  concurrency?: string;
  offlineTimeout?: string;
}

function queueLimits(flags: QueueFlags): { concurrency?: number; offlineTimeoutMs: number } {
  const concurrency =
    flags.concurrency !== undefined ? intOption('--concurrency', flags.concurrency, 1, 32) : undefined;
  const offlineTimeoutS =
    flags.offlineTimeout !== undefined ? intOption('--offline-timeout', flags.offlineTimeout, 0, 604_800) : 0;
  return { ...(concurrency ? { concurrency } : {}), offlineTimeoutMs: offlineTimeoutS * 1000 };
}

export async function cmdRun(io: Io, file: string, flags: RunFlags & QueueFlags): Promise<number> {
  const limits = queueLimits(flags);
  if (flags.dryRun) {
    const built = await buildSpec(file, flags, null);
    return withStudio(io, flags, (studio) => {
      const { spec, preset } = applyPreset(studio, built, flags);
      if (preset && !flags.json) io.out(`Preset: ${preset}`);
      printPlan(io, studio, spec, Boolean(flags.json));
      return EXIT.ok;
    });
  }
  requireKey(io);
  const studio = openStudio(io, flags, limits);
  try {
    const { spec } = applyPreset(studio, await buildSpec(file, flags, studio), flags);
    const { batchId, plan } = studio.batches.create(spec);
    if (!flags.json) {
      io.err(
        `Batch ${batchId}: ${plan.jobs.length} generation(s), about ${plan.estimateCredits} credits. Data: ${studio.dataDir}`,
      );
    }
    return await runQueue(io, studio, {
      batchId,
      json: Boolean(flags.json),
      ...limits,
      follow: { noWait: flags.wait === false },
    });
  } finally {
    await studio.close();
  }
}

export async function cmdResume(io: Io, flags: QueueFlags): Promise<number> {
  const limits = queueLimits(flags);
  const json = Boolean(flags.json);
  return withStudio(
    io,
    flags,
    (studio) => {
      const s = startOrHeld(studio);
      if ('held' in s) {
        return handOver(io, studio, json, s.held, () => {
          if (!studio.queue.liftStoredPause()) return null;
          return { done: 'Resumed the queue', next: 'carries on with it' };
        });
      }
      requireKey(io);
      return runQueue(io, studio, { batchId: null, json, ...limits, started: s.started });
    },
    limits,
  );
}

interface PickFlags extends QueueFlags {
  job?: string;
  batch?: string;
  uncertain?: boolean;
}

/** The jobs --job, --uncertain and (for retry) --batch pick. */
function pickJobs(studio: Studio, flags: PickFlags): Set<number> {
  const ids = new Set<number>();
  if (flags.job) ids.add(intOption('--job', flags.job, 1, Number.MAX_SAFE_INTEGER));
  if (flags.uncertain) for (const j of studio.jobs.inStates(['uncertain'])) ids.add(j.id);
  if (flags.batch) {
    const b = intOption('--batch', flags.batch, 1, Number.MAX_SAFE_INTEGER);
    for (const j of studio.jobs.inStates(['failed', 'uncertain'], b)) ids.add(j.id);
  }
  return ids;
}

/** Applies `act` to each job, saying which could not be changed (and why) without stopping; how many changed. */
function eachJob(io: Io, ids: Set<number>, act: (id: number) => void): number {
  let changed = 0;
  for (const id of ids) {
    try {
      act(id);
      changed++;
    } catch (err) {
      io.err((err as Error).message);
    }
  }
  return changed;
}

export async function cmdRetry(io: Io, flags: PickFlags): Promise<number> {
  const limits = queueLimits(flags);
  if (!flags.job && !flags.uncertain && !flags.batch)
    throw new UsageError('retry needs --job <id>, --batch <id> or --uncertain.');
  return withStudio(
    io,
    flags,
    async (studio) => {
      const ids = pickJobs(studio, flags);
      if (ids.size === 0) {
        io.out('Nothing to do: no matching jobs.');
        return EXIT.ok;
      }
      const s = startOrHeld(studio);
      if ('held' in s) {
        return handOver(io, studio, Boolean(flags.json), s.held, () => {
          const n = eachJob(io, ids, (id) => studio.jobs.retry(id));
          return n === 0 ? null : { done: `Retrying ${n} job(s)`, next: 'will send them' };
        });
      }
      requireKey(io);
      eachJob(io, ids, (id) => studio.jobs.retry(id));
      io.err(`Retrying ${ids.size} job(s).`);
      return runQueue(io, studio, { batchId: null, json: Boolean(flags.json), ...limits });
    },
    limits,
  );
}

export async function cmdDrop(io: Io, flags: PickFlags): Promise<number> {
  if (!flags.job && !flags.uncertain) throw new UsageError('drop needs --job <id> or --uncertain.');
  return withStudio(io, flags, (studio) => {
    const ids = pickJobs(studio, { ...flags, batch: undefined });
    if (ids.size === 0) {
      io.out('Nothing to do: no matching jobs.');
      return EXIT.ok;
    }
    const s = startOrHeld(studio);
    if ('held' in s) {
      return handOver(io, studio, Boolean(flags.json), s.held, () => {
        const n = eachJob(io, ids, (id) => studio.jobs.drop(id));
        return n === 0 ? null : { done: `Dropped ${n} job(s)`, next: 'will not send them' };
      });
    }
    eachJob(io, ids, (id) => studio.jobs.drop(id));
    io.err(`Dropped ${ids.size} job(s).`);
    return EXIT.ok;
  });
}
