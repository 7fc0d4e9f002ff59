// `qwen-studio run <file>` and `qwen-studio resume`: enqueue (or not), run the queue until nothing more
// can happen by itself, report, and exit with a code a script can branch on.
import { basename, extname } from 'node:path';
import { ASPECT_RATIOS, IMAGE_SIZES, LIMITS, OUTPUT_FORMATS } from '../../shared/api.ts';
import type { BatchSpec, GenerationParams, JobCounts, PromptEntry } from '../../shared/domain.ts';
import { readPromptFile } from '../engine/batch/input-file.ts';
import { loadReference } from '../engine/batch/refs.ts';
import type { Studio } from '../engine/studio.ts';
import { EXIT, UsageError, intOption, oneOf, type Io } from './common.ts';
import { Progress } from './progress.ts';

export interface RunFlags {
  'aspect-ratio'?: string;
  'image-size'?: string;
  'num-images'?: string;
  'output-format'?: string;
  seed?: string;
  negative?: string;
  'no-expansion'?: boolean;
  ref?: string[];
  'max-credits'?: string;
  name?: string;
  'dry-run'?: boolean;
  json?: boolean;
  repeat?: string;
}

export function paramsFromFlags(f: RunFlags): GenerationParams {
  const p: GenerationParams = {};
  if (f['aspect-ratio'] && f['image-size']) {
    throw new UsageError(
      'Use either --aspect-ratio or --image-size, not both (the service does not say which wins).',
    );
  }
  if (f['aspect-ratio']) p.aspect_ratio = oneOf('--aspect-ratio', f['aspect-ratio'], ASPECT_RATIOS);
  if (f['image-size']) p.image_size = oneOf('--image-size', f['image-size'], IMAGE_SIZES);
  if (f['output-format']) p.output_format = oneOf('--output-format', f['output-format'], OUTPUT_FORMATS);
  if (f['num-images']) p.num_images = intOption('--num-images', f['num-images'], 1, LIMITS.numImagesMax);
  if (f.negative !== undefined) {
    if (f.negative.length > LIMITS.negativePromptChars) {
      throw new UsageError(
        `--negative is ${f.negative.length} characters; the service takes at most ${LIMITS.negativePromptChars}. Shorten it.`,
      );
    }
    p.negative_prompt = f.negative;
  }
  if (f['no-expansion']) p.enable_prompt_expansion = false;
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
    else if (studio) out.push((await studio.addReference(src)).token);
    else out.push(`sha256:${(await loadReference(src)).sha256}`);
  }
  return out;
}

export async function buildSpec(file: string, flags: RunFlags, studio: Studio | null): Promise<BatchSpec> {
  const rows = await readPromptFile(file);
  if (rows.length === 0)
    throw new UsageError(`${file} has no prompts (blank lines and # comments are skipped).`);
  const entries: PromptEntry[] = [];
  for (const row of rows) {
    const { refPaths, ...entry } = row;
    const sources = [...(entry.refs ?? []), ...(refPaths ?? [])];
    if (sources.length > 0) entry.refs = await referenceTokens(studio, sources, entry.origin ?? file);
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
  if (flags.repeat !== undefined) spec.repeat = intOption('--repeat', flags.repeat, 1, 100);
  if (flags['max-credits'] !== undefined)
    spec.maxCredits = intOption('--max-credits', flags['max-credits'], 1, Number.MAX_SAFE_INTEGER);
  return spec;
}

export function printPlan(io: Io, studio: Studio, spec: BatchSpec, json: boolean): void {
  const { plan } = studio.plan(spec, { checkRefs: false });
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
      }),
    );
    return;
  }
  io.out(`${plan.jobs.length} generation(s), ${plan.images} image(s)`);
  io.out(
    `Estimated cost: ${plan.estimateCredits} credits (${plan.creditsPerImage.toFixed(1)} per image, ` +
      `${plan.estimateIsLearned ? 'learned from your past generations' : 'default until real usage is known'})`,
  );
  for (const j of plan.jobs.slice(0, 10)) io.out(`  ${String(j.seq).padStart(4)}  ${j.input.prompt}`);
  if (plan.jobs.length > 10) io.out(`  … and ${plan.jobs.length - 10} more`);
  io.out('Dry run: nothing was sent.');
}

/** Runs the queue until settled, showing progress; returns the exit code. */
export async function runQueue(
  io: Io,
  studio: Studio,
  opts: { batchId: number | null; json: boolean },
): Promise<number> {
  const counts = (): JobCounts =>
    opts.batchId === null ? studio.stores.jobs.counts() : studio.stores.jobs.counts(opts.batchId);
  const progress = new Progress(io, opts.json, counts, () => studio.totals().creditsSpent);
  studio.on('job', (j) => {
    if (opts.batchId !== null && j.batchId !== opts.batchId) return;
    progress.job(j);
  });
  studio.on('queue', (q) => progress.queue(q));

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    progress.note(
      'Stopping… generations already accepted will be followed on the next `qwen-studio resume`.',
    );
    void studio.close().finally(() => {
      progress.stop();
      process.exit(EXIT.interrupted);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const started = studio.start();
  if (started.previousCrashed)
    progress.note('The previous run stopped unexpectedly; picking up where it left off.');
  studio.scheduler.resume();
  progress.start();
  await studio.whenSettled();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (interrupted) return EXIT.interrupted;
  progress.stop();

  const c = counts();
  const q = studio.queueStatus();
  const failed = studio.stores.jobs.list({
    ...(opts.batchId === null ? {} : { batchId: opts.batchId }),
    states: ['failed', 'uncertain'],
    limit: 20,
  });
  progress.summary(c, failed.rows, q);
  if (q.paused && (q.pauseReason === 'auth' || q.pauseReason === 'credits' || q.pauseReason === 'forbidden'))
    return EXIT.paused;
  if (q.paused && q.pauseReason === 'disk') return EXIT.failed;
  if (c.failed > 0 || c.uncertain > 0) return EXIT.failed;
  return EXIT.ok;
}
