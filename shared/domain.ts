// Domain vocabulary shared by the engine, the CLI and the UI: job states and their legal transitions, the
// batch specification a person writes, and the rows the engine reports back.
import { z } from 'zod';
import { INPUT_LIMITS, formatLimit } from './input-limits.ts';
import {
  DEFAULT_MODEL,
  LIMITS,
  MODELS,
  generationFieldsSchema,
  seedSchema,
  type GenerationInput,
  type Model,
} from './api.ts';
import { sweepSchema, type SweepAxis } from './sweep.ts';

export const JOB_STATES = [
  'queued',
  'paused',
  'submitting',
  'running',
  'downloading',
  'done',
  'failed',
  'canceled',
  'uncertain',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * Every legal move of a job. `submitting` is written before a create is sent; `uncertain` means a create
 * may have reached the service but its answer was lost, so only the person may decide to send it again.
 */
export const TRANSITIONS: Record<JobState, readonly JobState[]> = {
  queued: ['submitting', 'paused', 'canceled', 'failed'],
  paused: ['queued', 'canceled'],
  submitting: ['running', 'queued', 'failed', 'uncertain'],
  running: ['running', 'downloading', 'failed', 'canceled'],
  downloading: ['done', 'failed', 'downloading'],
  done: [],
  failed: ['queued', 'downloading', 'running', 'canceled'],
  canceled: ['queued'],
  uncertain: ['queued', 'running', 'canceled'],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States in which the service may be working (or charging) for the job. */
export const ACTIVE_REMOTE_STATES: readonly JobState[] = ['submitting', 'running', 'downloading'];
export const TERMINAL_STATES: readonly JobState[] = ['done', 'failed', 'canceled'];

export type ErrorClass = 'retryable' | 'job' | 'queue';

export const SEED_MODES = ['random', 'fixed', 'increment'] as const;
export type SeedMode = (typeof SEED_MODES)[number];

/** A reference image: a stored local file (`sha256:<hex>`) or a remote http(s) URL. */
export const referenceTokenSchema = z
  .string()
  .regex(/^(sha256:[0-9a-f]{64}|https?:\/\/\S+)$/, 'reference must be a stored image or an http(s) URL');

/** Parameters of a generation other than the prompt (what a batch sets once and a row may override). */
export const generationParamsSchema = generationFieldsSchema.omit({ prompt: true, image_urls: true }).extend({
  seed: seedSchema.optional(),
});
export type GenerationParams = z.infer<typeof generationParamsSchema>;

/** Said wherever a prompt template is refused for its length (schema, prompt files). */
export const TEMPLATE_TOO_LONG = `a prompt template is limited to ${formatLimit(INPUT_LIMITS.templateChars)} characters`;

export const promptEntrySchema = z.strictObject({
  /** A prompt, possibly a template with `{a|b}` alternatives. */
  prompt: z.string().max(INPUT_LIMITS.templateChars, TEMPLATE_TOO_LONG).trim().min(1, 'prompt is empty'),
  params: generationParamsSchema.optional(),
  refs: z.array(referenceTokenSchema).max(LIMITS.references).optional(),
  /** Where the entry came from, for error messages: `file.csv:12`. */
  origin: z.string().optional(),
  /** Values of the template's `$variables` (a CSV row's columns that are not API fields). */
  vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), z.string()).optional(),
});
export type PromptEntry = z.infer<typeof promptEntrySchema>;

export const seedPolicySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('random') }),
  z.strictObject({ mode: z.literal('fixed'), value: z.number().int().min(0).max(LIMITS.seedMax) }),
  z.strictObject({ mode: z.literal('increment'), start: z.number().int().min(0).max(LIMITS.seedMax) }),
]);
export type SeedPolicy = z.infer<typeof seedPolicySchema>;

export const batchSpecSchema = z.strictObject({
  /** Empty: the engine names the batch after the first words of its first prompt. */
  name: z.string().trim().max(200).default(''),
  model: z.enum(MODELS).default(DEFAULT_MODEL),
  entries: z
    .array(promptEntrySchema)
    .min(1, 'the batch has no prompts')
    .max(
      INPUT_LIMITS.batchEntries,
      `a batch holds at most ${formatLimit(INPUT_LIMITS.batchEntries)} prompts — split it into several batches`,
    ),
  params: generationParamsSchema.default({}),
  /** References applied to every entry that names none of its own. */
  refs: z.array(referenceTokenSchema).max(LIMITS.references).default([]),
  seed: seedPolicySchema.default({ mode: 'random' }),
  /** How many generations of each expanded prompt (each with its own seed). */
  repeat: z.number().int().min(1).max(100).default(1),
  /** Stop submitting this batch before its spent plus estimated credits would pass this. */
  maxCredits: z.number().int().positive().optional(),
  /** Up to three axes (X, Y, Z): every prompt runs once for each combination of their values. */
  sweep: sweepSchema.default([]),
  /** Seeds the sampling of `__wildcard:n__`: the same seed picks the same lines. */
  sampleSeed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
});
export type BatchSpec = z.input<typeof batchSpecSchema>;
export type ParsedBatchSpec = z.output<typeof batchSpecSchema>;

/** One generation request, as expanded from a batch at enqueue time. */
export interface PlannedJob {
  seq: number;
  model: Model;
  input: GenerationInput;
  /** sha256 of local reference files sent as multipart parts (remote ones are in input.image_urls). */
  refHashes: string[];
  /**
   * Each file's place (from 0) among all the references in the order the person gave them, files and URLs
   * together; the URLs of input.image_urls fill the other places in their own order.
   */
  refPositions: number[];
  template: string;
  bindings: string[];
  origin?: string;
  numImages: number;
  /** The sweep cell: one value index per axis of the batch's `sweep`. */
  cell?: number[];
}

export interface BatchPlan {
  jobs: PlannedJob[];
  images: number;
  estimateCredits: number;
  creditsPerImage: number;
  estimateIsLearned: boolean;
}

export const BATCH_STATUSES = ['active', 'paused', 'canceled', 'done'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export type JobCounts = Record<JobState, number>;

/** A batch still in the queue (active or paused): it has a place in the run order and can be moved. */
export function isWaitingBatch(b: { status: BatchStatus }): boolean {
  return b.status === 'active' || b.status === 'paused';
}

export interface BatchSummary {
  id: number;
  name: string;
  model: Model;
  status: BatchStatus;
  pauseReason: string | null;
  createdAt: number;
  total: number;
  counts: JobCounts;
  images: number;
  creditsSpent: number;
  creditsEstimate: number;
  maxCredits: number | null;
  /** -2 (lowest) to 2 (highest): the scheduler claims jobs of higher-priority batches first. */
  priority: number;
  /** The sweep's axes (empty when the batch is not a sweep). */
  sweep: SweepAxis[];
  /** Seconds until done at the recent pace, null when unknown. */
  etaSeconds: number | null;
}

export interface JobRow {
  id: number;
  batchId: number;
  seq: number;
  state: JobState;
  prompt: string;
  input: GenerationInput;
  refHashes: string[];
  remoteId: string | null;
  remoteStatus: string | null;
  attempts: number;
  errorClass: ErrorClass | null;
  errorCode: string | null;
  errorMessage: string | null;
  credits: number | null;
  actualPrompt: string | null;
  /** The sweep cell (one value index per axis of the batch's sweep), null outside a sweep. */
  cell: number[] | null;
  createdAt: number;
  updatedAt: number;
}

export const PAUSE_REASONS = ['user', 'crash', 'auth', 'credits', 'forbidden', 'disk'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export interface QueueStatus {
  paused: boolean;
  pauseReason: PauseReason | null;
  pauseMessage: string | null;
  offline: boolean;
  offlineSince: number | null;
  /** Generations the service is working on for us now. */
  inFlight: number;
  /** The current adaptive limit and the configured ceiling. */
  limit: number;
  maxConcurrency: number;
  /** Submits are held until this time (a rate limit's Retry-After). */
  holdUntil: number | null;
}

export interface AssetRow {
  id: number;
  jobId: number;
  batchId: number;
  idx: number;
  sha256: string;
  path: string;
  bytes: number;
  width: number;
  height: number;
  format: string;
  prompt: string;
  createdAt: number;
  // The library's fields (migration 002). Optional so that rows built by older code still type-check.
  source?: AssetSource;
  /** sha256 of the file as stored, which differs from `sha256` (the bytes as received) once metadata is embedded. */
  fileSha256?: string | null;
  model?: string | null;
  negativePrompt?: string | null;
  actualPrompt?: string | null;
  aspectRatio?: string | null;
  imageSize?: string | null;
  seed?: number | null;
  /** This image's share of its generation's credits. */
  credits?: number | null;
  /** The generation's request parameters other than the prompt. */
  params?: Record<string, unknown> | null;
  favorite?: boolean;
  /** 0 (unrated) to 5. */
  rating?: number;
  rejected?: boolean;
  notes?: string | null;
  /** Set while the image is in the trash. */
  deletedAt?: number | null;
  thumbPath?: string | null;
  /** Position in newest-first order: pass the last row's as `after` to get the next page. */
  sortKey?: number;
  /** "Pick the best": the Elo score (1500 until compared) and how many choices it took part in. */
  score?: number;
  comparisons?: number;
}

export const ASSET_SOURCES = ['generated', 'imported'] as const;
export type AssetSource = (typeof ASSET_SOURCES)[number];
