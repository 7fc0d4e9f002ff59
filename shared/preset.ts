// Presets: named parameter sets (model, parameters, seed policy, repeat, sweep axes, budget) saved from
// Compose or the CLI and applied to a new batch; one may be the default. Exported and imported as JSON.
import { z } from 'zod';
import { MODELS } from './api.ts';
import { generationParamsSchema, seedPolicySchema } from './domain.ts';
import { sweepSchema } from './sweep.ts';

export const presetNameSchema = z
  .string()
  .trim()
  .min(1, 'a preset needs a name')
  .max(100, 'preset names are limited to 100 characters');

export const presetSchema = z.strictObject({
  model: z.enum(MODELS).optional(),
  params: generationParamsSchema.default({}),
  seed: seedPolicySchema.optional(),
  repeat: z.number().int().min(1).max(100).optional(),
  sweep: sweepSchema.optional(),
  maxCredits: z.number().int().positive().optional(),
});
export type Preset = z.output<typeof presetSchema>;

export interface NamedPreset {
  name: string;
  preset: Preset;
  isDefault: boolean;
  updatedAt: number;
}

/** The file `presets export` writes and `presets import` reads. */
export const presetFileSchema = z.strictObject({
  format: z.literal('qwen-studio-presets'),
  version: z.literal(1),
  presets: z
    .array(
      z.strictObject({ name: presetNameSchema, isDefault: z.boolean().default(false), preset: presetSchema }),
    )
    .max(1000),
});
export type PresetFile = z.input<typeof presetFileSchema>;
