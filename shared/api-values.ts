// The skills.video contract's plain values — field enums, limits, the default address — without zod, so
// the command line can show them in its help without loading a schema library. Re-exported by api.ts.
export const DEFAULT_API_BASE = 'https://open.skills.video/api';

export const MODELS = ['qwen/qwen-image-2', 'qwen/qwen-image-2-pro', 'qwen/qwen-image'] as const;
export type Model = (typeof MODELS)[number];
export const DEFAULT_MODEL: Model = 'qwen/qwen-image-2';

export const ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export const IMAGE_SIZES = [
  'square_hd',
  'square',
  'portrait_4_3',
  'portrait_16_9',
  'landscape_4_3',
  'landscape_16_9',
] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

export const OUTPUT_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const LIMITS = {
  negativePromptChars: 500,
  references: 4,
  seedMax: 2147483647,
  numImagesMax: 4,
  /** Our own cap on one local reference file (the service documents none): large enough for any photo. */
  referenceBytes: 20 * 1024 * 1024,
  promptChars: 5000,
} as const;

/**
 * The documented defaults of each model (API.md, request fields): a multipart create leaves out every field
 * equal to its default, because the docs do not say the service reads form text as numbers and booleans.
 * `aspect_ratio` is not here on purpose: with reference images (always there in a multipart create) and no
 * size sent, the output follows the last image, so an explicit `1:1` is a choice, not the default.
 */
export function documentedDefaults(model: Model): Readonly<Record<string, string | number | boolean>> {
  return {
    negative_prompt: '',
    enable_prompt_expansion: true,
    num_images: 1,
    output_format: 'png',
    enable_safety_checker: model === 'qwen/qwen-image-2-pro',
  };
}
