// A batch spec → one planned job per API request, with the exact count and the credit estimate, before
// anything is sent. The count is taken from the template trees first, so an exploding batch is refused
// without being expanded.
import { generationInputSchema, LIMITS, type GenerationInput } from '../../../shared/api.ts';
import type {
  BatchPlan,
  GenerationParams,
  ParsedBatchSpec,
  PlannedJob,
  PromptEntry,
  SeedPolicy,
} from '../../../shared/domain.ts';
import { firstIssueMessage, friendlyIssues } from './issues.ts';
import { cellImages, sweepCellList } from './sweep.ts';
import { compileTemplate, TemplateError, type CompiledTemplate, type WildcardSource } from './template.ts';
import { StudioError } from '../errors.ts';

export interface PlanOptions {
  creditsPerImage: number;
  /** Whether creditsPerImage was learned from past generations (true) or is the built-in guess. */
  estimateIsLearned: boolean;
  /** Refuse batches that expand to more jobs than this. Default 10,000. */
  maxJobs?: number;
  /** Source of random seeds, [0, 1) like Math.random (tests pass a seeded one). */
  random?: () => number;
  /** Where `__name__` wildcards are read from (the data folder's wildcards/). */
  wildcards?: WildcardSource | null;
}

export const DEFAULT_MAX_JOBS = 10_000;

export class PlanError extends StudioError {
  /** The entry at fault (`file.csv:12`, or whatever origin the entry carried), null for the whole batch. */
  readonly origin: string | null;

  constructor(message: string, origin: string | null, code: 'PLAN' | 'OVER_LIMIT' | 'TEMPLATE' = 'PLAN') {
    super(code, origin ? `${origin}: ${message}` : message);
    this.name = 'PlanError';
    this.origin = origin;
  }
}

const SEED_SPAN = LIMITS.seedMax + 1;

/** The exact size of a batch, from the template trees and the sweep's axes, before anything expands. */
export interface BatchCount {
  jobs: number;
  images: number;
}

export function planBatch(spec: ParsedBatchSpec, opts: PlanOptions): BatchPlan {
  const maxJobs = opts.maxJobs ?? DEFAULT_MAX_JOBS;
  const random = opts.random ?? Math.random;

  const compiled = spec.entries.map((entry, i) =>
    compileEntry(entry, i, spec.sampleSeed, opts.wildcards ?? null),
  );
  const total = countCompiled(spec, compiled);
  if (total.jobs > maxJobs) {
    throw new PlanError(
      `this batch expands to ${total.jobs.toLocaleString('en-US')} generations; the limit is ` +
        `${maxJobs.toLocaleString('en-US')} — split it into smaller batches, remove alternatives or sweep values, ` +
        'or lower repeat',
      null,
      'OVER_LIMIT',
    );
  }

  const cells = sweepCellList(spec.sweep);
  const jobs: PlannedJob[] = [];
  let images = 0;
  let group = 0;
  for (const [i, entry] of spec.entries.entries()) {
    const origin = originOf(entry, i);
    const rowParams = mergeParams(spec.params, entry.params);
    const { refHashes, refPositions, imageUrls } = splitRefs(
      entry.refs && entry.refs.length > 0 ? entry.refs : spec.refs,
    );
    for (const expansion of (compiled[i] as CompiledTemplate).expand({ cap: maxJobs })) {
      for (let r = 0; r < spec.repeat; r++) {
        // One seed per prompt and repeat, shared by the sweep's cells so that only the axes differ.
        group += 1;
        const groupSeed = policySeed(spec.seed, group, random);
        for (const cell of cells) {
          const params = mergeParams(rowParams, cell.params);
          const numImages = params.num_images ?? 1;
          const seed = params.seed ?? groupSeed;
          const prompt = cell.replace ? replacePrompt(expansion.text, cell.replace, origin) : expansion.text;
          const input = buildInput(prompt, params, seed, numImages, imageUrls, origin);
          const job: PlannedJob = {
            seq: jobs.length + 1,
            model: cell.model ?? spec.model,
            input,
            refHashes,
            refPositions,
            template: entry.prompt,
            bindings: expansion.bindings,
            numImages,
          };
          if (spec.sweep.length > 0) job.cell = cell.indices;
          if (entry.origin !== undefined) job.origin = entry.origin;
          jobs.push(job);
          images += numImages;
        }
      }
    }
  }

  return {
    jobs,
    images,
    estimateCredits: images * opts.creditsPerImage,
    creditsPerImage: opts.creditsPerImage,
    estimateIsLearned: opts.estimateIsLearned,
  };
}

/**
 * The number of jobs and images of a batch without expanding it: templates are counted over their trees
 * and each sweep cell contributes its own images per job.
 */
export function countBatch(spec: ParsedBatchSpec, opts: Pick<PlanOptions, 'wildcards'> = {}): BatchCount {
  const compiled = spec.entries.map((entry, i) =>
    compileEntry(entry, i, spec.sampleSeed, opts.wildcards ?? null),
  );
  return countCompiled(spec, compiled);
}

function countCompiled(spec: ParsedBatchSpec, compiled: readonly CompiledTemplate[]): BatchCount {
  const cells = sweepCellList(spec.sweep);
  let jobs = 0;
  let images = 0;
  spec.entries.forEach((entry, i) => {
    const prompts = (compiled[i] as CompiledTemplate).count * spec.repeat;
    const rowParams = mergeParams(spec.params, entry.params);
    jobs += prompts * cells.length;
    for (const cell of cells) images += prompts * cellImages(cell, rowParams);
  });
  return { jobs, images };
}

function replacePrompt(prompt: string, sr: { search: string; replace: string }, origin: string): string {
  if (!prompt.includes(sr.search)) {
    throw new PlanError(
      `the prompt axis replaces "${sr.search}", which prompt "${clip(prompt)}" does not contain — ` +
        'make the first prompt value a word of every prompt',
      origin,
    );
  }
  return prompt.split(sr.search).join(sr.replace);
}

/** The entry's origin, or its position when it came from somewhere without one (the UI's editor). */
function originOf(entry: PromptEntry, index: number): string {
  return entry.origin ?? `prompt ${index + 1}`;
}

/** The entry's template with its wildcards and variables resolved, counted but not expanded. */
function compileEntry(
  entry: PromptEntry,
  index: number,
  sampleSeed: number,
  wildcards: WildcardSource | null,
): CompiledTemplate {
  let compiled: CompiledTemplate;
  try {
    compiled = compileTemplate(entry.prompt, {
      wildcards,
      sampleSeed,
      ...(entry.vars ? { vars: entry.vars } : {}),
    });
  } catch (err) {
    if (err instanceof TemplateError) throw new PlanError(err.message, originOf(entry, index), 'TEMPLATE');
    throw err;
  }
  // A column the template never reads is most likely a misspelt API field: say so rather than ignore it.
  for (const name of Object.keys(entry.vars ?? {})) {
    if (!compiled.usedVars.has(name)) {
      throw new PlanError(
        `column '${name}' is neither an API field nor used by the prompt — write $${name} in the prompt ` +
          'or template, fix the column name, or remove the column',
        originOf(entry, index),
      );
    }
  }
  return compiled;
}

/**
 * Batch parameters, overridden by the entry's. Size is one choice made two ways: an entry that picks an
 * aspect ratio drops the batch's image size and the other way round, so the two never both reach a request.
 */
export function mergeParams(batch: GenerationParams, entry: GenerationParams | undefined): GenerationParams {
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(batch)) if (v !== undefined) merged[k] = v;
  if (entry) {
    if (entry.aspect_ratio !== undefined) delete merged.image_size;
    if (entry.image_size !== undefined) delete merged.aspect_ratio;
    for (const [k, v] of Object.entries(entry)) if (v !== undefined) merged[k] = v;
  }
  return merged as GenerationParams;
}

/** The seed of job `seq` (1-based) under the batch's policy: increment gives the first job `start`. */
function policySeed(policy: SeedPolicy, seq: number, random: () => number): number {
  switch (policy.mode) {
    case 'fixed':
      return policy.value;
    case 'increment':
      return (policy.start + seq - 1) % SEED_SPAN;
    case 'random':
      return Math.min(LIMITS.seedMax, Math.floor(random() * SEED_SPAN));
  }
}

/** Stored files and URLs apart, with each file's place in the given order (the service gets that order). */
function splitRefs(tokens: readonly string[]): {
  refHashes: string[];
  refPositions: number[];
  imageUrls: string[];
} {
  const refHashes: string[] = [];
  const refPositions: number[] = [];
  const imageUrls: string[] = [];
  for (const [i, token] of tokens.entries()) {
    if (token.startsWith('sha256:')) {
      refHashes.push(token.slice('sha256:'.length));
      refPositions.push(i);
    } else imageUrls.push(token);
  }
  return { refHashes, refPositions, imageUrls };
}

function buildInput(
  prompt: string,
  params: GenerationParams,
  seed: number,
  numImages: number,
  imageUrls: string[],
  origin: string,
): GenerationInput {
  const input: Record<string, unknown> = { prompt };
  if (imageUrls.length > 0) input.image_urls = imageUrls;
  for (const key of [
    'negative_prompt',
    'image_size',
    'aspect_ratio',
    'enable_prompt_expansion',
    'enable_safety_checker',
    'output_format',
  ] as const) {
    if (params[key] !== undefined) input[key] = params[key];
  }
  input.seed = seed;
  input.num_images = numImages;
  const parsed = generationInputSchema.safeParse(input, { error: friendlyIssues });
  if (!parsed.success) {
    const { message } = firstIssueMessage(parsed.error);
    throw new PlanError(`${message} (prompt "${clip(prompt)}")`, origin);
  }
  return parsed.data;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
