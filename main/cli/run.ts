// `qwen-studio run <file>` and `qwen-studio resume`: enqueue (or not), run the queue until nothing more
// can happen by itself, report, and exit with a code a script can branch on.
import { basename, extname } from 'node:path';
import { ASPECT_RATIOS, IMAGE_SIZES, LIMITS, OUTPUT_FORMATS } from '../../shared/api.ts';
import type { BatchSpec, GenerationParams, JobCounts, PromptEntry } from '../../shared/domain.ts';
import { InputFileError, readPromptFile } from '../engine/services/batches.ts';
import { ReferenceError, loadReference } from '../engine/services/refs.ts';
import type { Studio } from '../engine/studio.ts';
import {
  AXIS_NAMES,
  SWEEP_PARAM_LABELS,
  parseSweepArg,
  sweepValueLabel,
  type SweepAxis,
} from '../../shared/sweep.ts';
import { LeaseBusyError } from '../engine/services/queue.ts';
import { EXIT, UsageError, intOption, oneOf, type Io } from './common.ts';
import { describeHolder, followBatch, say } from './follow.ts';
import { Progress } from './progress.ts';

/** `run`'s options as commander hands them over (values still strings, checked here). */
export interface RunFlags {
  /** false with --no-wait: when another process runs the queue, return once the batch is queued. */
  wait?: boolean;
  aspectRatio?: string;
  imageSize?: string;
  numImages?: string;
  outputFormat?: string;
  seed?: string;
  negative?: string;
  /** false with --no-expansion */
  expansion?: boolean;
  /** true with --safety-checker, false with --no-safety-checker, unset: the model's default */
  safetyChecker?: boolean;
  ref?: string[];
  maxCredits?: string;
  name?: string;
  dryRun?: boolean;
  json?: boolean;
  repeat?: string;
  template?: string;
  sampleSeed?: string;
  sweep?: string[];
  preset?: string;
}

export function paramsFromFlags(f: RunFlags): GenerationParams {
  const p: GenerationParams = {};
  if (f.aspectRatio && f.imageSize) {
    throw new UsageError(
      'Use either --aspect-ratio or --image-size, not both (the service does not say which wins).',
    );
  }
  if (f.aspectRatio) p.aspect_ratio = oneOf('--aspect-ratio', f.aspectRatio, ASPECT_RATIOS);
  if (f.imageSize) p.image_size = oneOf('--image-size', f.imageSize, IMAGE_SIZES);
  if (f.outputFormat) p.output_format = oneOf('--output-format', f.outputFormat, OUTPUT_FORMATS);
  if (f.numImages) p.num_images = intOption('--num-images', f.numImages, 1, LIMITS.numImagesMax);
  if (f.negative !== undefined) {
    if (f.negative.length > LIMITS.negativePromptChars) {
      throw new UsageError(
        `--negative is ${f.negative.length} characters; the service takes at most ${LIMITS.negativePromptChars}. Shorten it.`,
      );
    }
    p.negative_prompt = f.negative;
  }
  if (f.expansion === false) p.enable_prompt_expansion = false;
  if (f.safetyChecker !== undefined) p.enable_safety_checker = f.safetyChecker;
  return p;
}

/** Turns local reference paths into stored `sha256:` tokens (checked first), URLs pass through. */
async function referenceTokens(
  studio: Studio | null,
  sources: readonly string[],
  what: string,
): Promise<string[]> {
  if (sources.length > LIMITS.references) {
    throw new UsageError(
      `${what}: ${sources.length} reference images given; the service takes at most ${LIMITS.references}.`,
    );
  }
  const out: string[] = [];
  for (const src of sources) {
    if (/^https?:\/\//i.test(src)) out.push(src);
    else if (studio) out.push((await studio.refs.add(src)).token);
    else out.push(`sha256:${(await loadReference(src)).sha256}`);
  }
  return out;
}

export async function buildSpec(file: string, flags: RunFlags, studio: Studio | null): Promise<BatchSpec> {
  const rows = await readPromptFile(file, flags.template !== undefined ? { template: flags.template } : {});
  if (rows.length === 0)
    throw new UsageError(`${file} has no prompts (blank lines and # comments are skipped).`);
  const entries: PromptEntry[] = [];
  for (const row of rows) {
    const { refPaths: _paths, refSources, refsAt, ...entry } = row;
    // URLs and local files in the row's own order: the service receives them in that order.
    const sources = refSources ?? [];
    try {
      if (sources.length > 0) entry.refs = await referenceTokens(studio, sources, entry.origin ?? file);
    } catch (err) {
      // A row's unusable reference is pointed at like any other bad cell: file, line, column (refs).
      if (refsAt && (err instanceof ReferenceError || err instanceof UsageError))
        throw new InputFileError(file, refsAt.line, refsAt.column, err.message, 'refs');
      throw err;
    }
    entries.push(entry);
  }
  const spec: BatchSpec = {
    // The file's name; the engine adds " (2)" when a batch of that name exists.
    name: flags.name ?? basename(file, extname(file)),
    entries,
    params: paramsFromFlags(flags),
    refs: await referenceTokens(studio, flags.ref ?? [], '--ref'),
  };
  if (flags.seed !== undefined)
    spec.seed = { mode: 'fixed', value: intOption('--seed', flags.seed, 0, LIMITS.seedMax) };
  const sweep = sweepFromFlags(flags);
  if (sweep) spec.sweep = sweep;
  if (flags.sampleSeed !== undefined)
    spec.sampleSeed = intOption('--sample-seed', flags.sampleSeed, 0, 2 ** 31 - 1);
  if (flags.repeat !== undefined) spec.repeat = intOption('--repeat', flags.repeat, 1, 100);
  if (flags.maxCredits !== undefined)
    spec.maxCredits = intOption('--max-credits', flags.maxCredits, 1, Number.MAX_SAFE_INTEGER);
  return spec;
}

/** The --sweep axes, or null without any. */
export function sweepFromFlags(flags: RunFlags): SweepAxis[] | null {
  return flags.sweep && flags.sweep.length > 0 ? flags.sweep.map((arg) => parseSweepArg(arg)) : null;
}

export function printPlan(io: Io, studio: Studio, spec: BatchSpec, json: boolean): void {
  const { plan } = studio.batches.plan(spec, { checkRefs: false });
  if (json) {
    io.out(
      JSON.stringify({
        type: 'plan',
        jobs: plan.jobs.length,
        images: plan.images,
        estimateCredits: plan.estimateCredits,
        creditsPerImage: plan.creditsPerImage,
        estimateIsLearned: plan.estimateIsLearned,
        prompts: plan.jobs.slice(0, 20).map((j) => j.input.prompt),
        ...(spec.sweep?.length ? { sweep: spec.sweep } : {}),
      }),
    );
    return;
  }
  io.out(`${plan.jobs.length} generation(s), ${plan.images} image(s)`);
  for (const [i, axis] of (spec.sweep ?? []).entries()) {
    const values = axis.values.map((v) => sweepValueLabel(axis.param, v));
    io.out(`Sweep ${AXIS_NAMES[i]}: ${SWEEP_PARAM_LABELS[axis.param]} = ${values.join(', ')}`);
  }
  io.out(
    `Estimated cost: ${plan.estimateCredits} credits (${plan.creditsPerImage.toFixed(1)} per image, ` +
      `${plan.estimateIsLearned ? 'learned from your past generations' : 'default until real usage is known'})`,
  );
  for (const j of plan.jobs.slice(0, 10)) io.out(`  ${String(j.seq).padStart(4)}  ${j.input.prompt}`);
  if (plan.jobs.length > 10) io.out(`  … and ${plan.jobs.length - 10} more`);
  io.out('Dry run: nothing was sent.');
}

export interface RunQueueOptions {
  /** The batch this command enqueued; null follows the whole queue (resume, retry). */
  batchId: number | null;
  json: boolean;
  /** Give up after the service has been unreachable this long; 0 waits forever. */
  offlineTimeoutMs: number;
  /**
   * When another process runs the folder's queue: follow `batchId` read-only until it ends (taking over if
   * that process leaves first), or with `noWait` return once it is queued. Without it, the lease error.
   */
  follow?: { noWait: boolean };
  /** The command already took the folder (it needed to know whether another program runs it). */
  started?: { previousCrashed: boolean };
}

/** Runs the queue until settled (or the service stays unreachable too long), showing progress; returns the exit code. */
export async function runQueue(io: Io, studio: Studio, opts: RunQueueOptions): Promise<number> {
  const counts = (): JobCounts =>
    opts.batchId === null ? studio.jobs.counts() : studio.jobs.counts(opts.batchId);
  const apiBase = studio.settings.apiBase();
  const progress = new Progress(io, {
    json: opts.json,
    counts,
    apiBase,
    offlineTimeoutS: opts.offlineTimeoutMs / 1000,
    scope: opts.batchId === null ? 'run' : 'batch',
  });
  let offlineTimer: NodeJS.Timeout | null = null;
  let gaveUp = false;
  let giveUp = (): void => {};
  const gaveUpPromise = new Promise<void>((resolve) => (giveUp = resolve));
  const watchOffline = (offline: boolean): void => {
    if (opts.offlineTimeoutMs <= 0) return;
    if (offline && !offlineTimer) {
      offlineTimer = setTimeout(() => {
        gaveUp = true;
        giveUp();
      }, opts.offlineTimeoutMs);
    } else if (!offline && offlineTimer) {
      clearTimeout(offlineTimer);
      offlineTimer = null;
    }
  };
  studio.on('job', (j) => {
    if (opts.batchId !== null && j.batchId !== opts.batchId) return;
    progress.job(j);
  });
  studio.on('queue', (q) => {
    progress.queue(q);
    watchOffline(q.offline);
  });

  let interrupted = false;
  let following = false;
  const onSignal = () => {
    interrupted = true;
    progress.note(
      following
        ? `Stopped following. Batch ${opts.batchId} stays queued; the other Qwen Studio runs it.`
        : 'Stopping… generations already accepted will be followed on the next `qwen-studio resume`.',
    );
    void studio.close().finally(() => {
      progress.stop();
      process.exit(EXIT.interrupted);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let started: { previousCrashed: boolean } | null = null;
  try {
    started = opts.started ?? studio.start();
  } catch (err) {
    if (!(err instanceof LeaseBusyError) || !opts.follow || opts.batchId === null) throw err;
    const queued = `Batch ${opts.batchId} is queued: ${describeHolder(err.holder)} is running this folder's queue and will run it.`;
    if (opts.follow.noWait) {
      say(io, opts.json, 'queued-elsewhere', queued, { batch: opts.batchId, holder: err.holder });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      return EXIT.ok;
    }
    following = true;
    say(
      io,
      opts.json,
      'following',
      `${queued} Following its progress (Ctrl+C stops following; the batch stays queued).`,
      {
        batch: opts.batchId,
        holder: err.holder,
      },
    );
    progress.start();
    const outcome = await followBatch(io, studio, progress, opts.batchId, opts.json);
    following = false;
    if ('tookOver' in outcome) started = outcome.tookOver;
  }
  if (started) {
    if (started.previousCrashed)
      progress.note('The previous run stopped unexpectedly; picking up where it left off.');
    studio.queue.resume();
    if (!following) progress.start();
    await Promise.race([studio.whenSettled(), gaveUpPromise]);
  }
  if (offlineTimer) clearTimeout(offlineTimer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (interrupted) return EXIT.interrupted;
  progress.stop();

  const c = counts();
  const q = studio.queue.status();
  const failed = studio.jobs.list({
    ...(opts.batchId === null ? {} : { batchId: opts.batchId }),
    states: ['failed', 'uncertain'],
    limit: 20,
  });
  progress.summary(c, failed.rows, q, studio.queue.totals().creditsSpent);
  if (gaveUp) {
    progress.note(
      `Gave up: ${apiBase} could not be reached for ${opts.offlineTimeoutMs / 1000} s (--offline-timeout). ` +
        'Nothing is lost: run `qwen-studio resume` when the service is back.',
    );
    return EXIT.offline;
  }
  if (q.paused && (q.pauseReason === 'auth' || q.pauseReason === 'credits' || q.pauseReason === 'forbidden'))
    return EXIT.paused;
  if (q.paused && q.pauseReason === 'disk') return EXIT.failed;
  if (c.failed > 0 || c.uncertain > 0) return EXIT.failed;
  return EXIT.ok;
}
