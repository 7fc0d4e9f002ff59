// The skills.video contract for Qwen Image 2.0 as data: field enums, limits, and the zod schemas of the
// request body and of the generation object. One source for the client, the simulator, the CLI and the UI.
import { z } from 'zod';
import {
  ASPECT_RATIOS,
  IMAGE_SIZES,
  LIMITS,
  OUTPUT_FORMATS,
  type AspectRatio,
  type ImageSize,
} from './api-values.ts';

export * from './api-values.ts';

/** Pixel dimensions of each `image_size` preset (what the service renders for it). */
export const IMAGE_SIZE_PIXELS: Record<ImageSize, { width: number; height: number }> = {
  square_hd: { width: 1024, height: 1024 },
  square: { width: 512, height: 512 },
  portrait_4_3: { width: 768, height: 1024 },
  portrait_16_9: { width: 576, height: 1024 },
  landscape_4_3: { width: 1024, height: 768 },
  landscape_16_9: { width: 1024, height: 576 },
};

/** Pixel dimensions for an aspect ratio at about one megapixel. */
export function aspectPixels(ratio: AspectRatio): { width: number; height: number } {
  const [w, h] = ratio.split(':').map(Number) as [number, number];
  const scale = Math.sqrt((1024 * 1024) / (w * h));
  const round16 = (v: number) => Math.max(16, Math.round(v / 16) * 16);
  return { width: round16(w * scale), height: round16(h * scale) };
}

export const seedSchema = z
  .number({ error: 'seed must be a whole number' })
  .int('seed must be a whole number')
  .min(0, 'seed must be 0 or more')
  .max(LIMITS.seedMax, `seed must be at most ${LIMITS.seedMax}`);

/**
 * The body of a create request, exactly the fields the service defines (strict: nothing else is sent).
 * `image_urls` holds remote URLs only; local reference files travel as multipart parts beside it.
 */
export const generationFieldsSchema = z.strictObject({
  prompt: z
    .string()
    .trim()
    .min(1, 'prompt is empty')
    .max(LIMITS.promptChars, `prompt is longer than ${LIMITS.promptChars} characters`),
  image_urls: z
    .array(z.url({ protocol: /^https?$/, error: 'reference URL must be an http(s) URL' }))
    .max(LIMITS.references, `at most ${LIMITS.references} reference images`)
    .optional(),
  negative_prompt: z
    .string()
    .max(
      LIMITS.negativePromptChars,
      `negative prompt is longer than ${LIMITS.negativePromptChars} characters`,
    )
    .optional(),
  image_size: z.enum(IMAGE_SIZES).optional(),
  aspect_ratio: z.enum(ASPECT_RATIOS).optional(),
  enable_prompt_expansion: z.boolean().optional(),
  seed: seedSchema.nullable().optional(),
  num_images: z.number().int().min(1).max(LIMITS.numImagesMax).optional(),
  output_format: z.enum(OUTPUT_FORMATS).optional(),
  enable_safety_checker: z.boolean().optional(),
});

const ONE_SIZE = {
  message: 'choose either image_size or aspect_ratio, not both',
  path: ['image_size'],
};
const oneSize = (v: { image_size?: unknown; aspect_ratio?: unknown }) => !(v.image_size && v.aspect_ratio);

export const generationInputSchema = generationFieldsSchema.refine(oneSize, ONE_SIZE);
export type GenerationInput = z.infer<typeof generationInputSchema>;

/**
 * What the service accepts: our fields plus `n` ("number of results", documented on every Qwen page). How
 * `n` combines with `num_images` is not documented, so the client never sends it — it sends `num_images`,
 * whose meaning is documented — and prompt files that use `n` have it read as `num_images`.
 */
export const serviceInputSchema = generationFieldsSchema
  .extend({ n: z.number().int().min(1).max(LIMITS.numImagesMax).optional() })
  .refine(oneSize, ONE_SIZE);
export type ServiceInput = z.infer<typeof serviceInputSchema>;

export const usageSchema = z.looseObject({
  total: z.number().default(0),
  subscription: z.number().default(0),
  permanent: z.number().default(0),
});
export type Usage = z.infer<typeof usageSchema>;

export const resultImageSchema = z.looseObject({
  url: z.string(),
  file_name: z.string().optional(),
  content_type: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
});
export type ResultImage = z.infer<typeof resultImageSchema>;

export const generationSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  input: z.record(z.string(), z.unknown()).nullish(),
  data: z
    .looseObject({
      type: z.string().optional(),
      n: z.number().optional(),
      actual_prompt: z.string().nullish(),
      images: z.array(resultImageSchema).nullish(),
      image: resultImageSchema.nullish(),
    })
    .nullish(),
  usage: usageSchema.nullish(),
  code: z.string().nullish(),
  message: z.string().nullish(),
});
export type Generation = z.infer<typeof generationSchema>;

export const runningItemSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  usage: usageSchema.nullish(),
  input: z.record(z.string(), z.unknown()).nullish(),
});
export const runningListSchema = z.array(runningItemSchema);
export type RunningItem = z.infer<typeof runningItemSchema>;

export const errorBodySchema = z.looseObject({
  code: z.string().nullish(),
  message: z.string().nullish(),
  error: z.string().nullish(),
});

/**
 * The credits a generation cost, known only at its terminal state: a create answer may already show a
 * `usage` (the docs' own example does) and stream frames show zeros until the end, so anything read before
 * the end is never counted. Null while the generation is not terminal or when the service sent no usage.
 */
export function finalUsage(gen: Pick<Generation, 'status' | 'usage'>): Usage | null {
  return isTerminal(normalizeStatus(gen.status)) ? (gen.usage ?? null) : null;
}

/** Statuses of every generation of the API's history, folded to one vocabulary. */
export type RemoteStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled' | 'unknown';

const STATUS_MAP: Record<string, RemoteStatus> = {
  in_queue: 'queued',
  queued: 'queued',
  starting: 'queued',
  pending: 'queued',
  in_progress: 'running',
  processing: 'running',
  running: 'running',
  completed: 'completed',
  succeeded: 'completed',
  success: 'completed',
  failed: 'failed',
  error: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
};

export function normalizeStatus(status: string | null | undefined): RemoteStatus {
  if (!status) return 'unknown';
  return STATUS_MAP[status.trim().toLowerCase()] ?? 'unknown';
}

export function isTerminal(status: RemoteStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'canceled';
}

/** The images of a completed generation: `data.images`, else the single `data.image`. */
export function resultImages(gen: Generation): ResultImage[] {
  const images = gen.data?.images;
  if (images && images.length > 0) return images;
  return gen.data?.image ? [gen.data.image] : [];
}
