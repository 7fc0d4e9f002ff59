// Sweeps (X/Y/Z plots): up to three axes, each one parameter and its values; every combination of values
// (a cell) runs for every prompt. Shared by the engine (planning), the CLI (`--sweep name=v1,v2`) and the
// UI (the axis editor and the grid's labels).
import { z } from 'zod';
import { ASPECT_RATIOS, IMAGE_SIZES, LIMITS, MODELS, OUTPUT_FORMATS } from './api.ts';
import { StudioError } from './errors.ts';

export const SWEEP_PARAMS = [
  'aspect_ratio',
  'image_size',
  'seed',
  'num_images',
  'output_format',
  'enable_prompt_expansion',
  'enable_safety_checker',
  'negative_prompt',
  'model',
  'prompt',
] as const;
export type SweepParam = (typeof SWEEP_PARAMS)[number];

export const MAX_SWEEP_AXES = 3;
export const MAX_AXIS_VALUES = 100;

export const SWEEP_PARAM_LABELS: Record<SweepParam, string> = {
  aspect_ratio: 'Aspect ratio',
  image_size: 'Preset size',
  seed: 'Seed',
  num_images: 'Images per prompt',
  output_format: 'Format',
  enable_prompt_expansion: 'Prompt expansion',
  enable_safety_checker: 'Safety checker',
  negative_prompt: 'Negative prompt',
  model: 'Model',
  prompt: 'Prompt (search/replace)',
};

export type SweepValue = string | number | boolean;

const seed = z
  .number()
  .int('a seed is a whole number')
  .min(0)
  .max(LIMITS.seedMax, `a seed is at most ${LIMITS.seedMax}`);

/** The values each parameter takes, as the API spells them. */
const VALUE_SCHEMAS: Record<SweepParam, z.ZodType<SweepValue>> = {
  aspect_ratio: z.enum(ASPECT_RATIOS),
  image_size: z.enum(IMAGE_SIZES),
  seed,
  num_images: z.number().int().min(1).max(LIMITS.numImagesMax),
  output_format: z.enum(OUTPUT_FORMATS),
  enable_prompt_expansion: z.boolean(),
  enable_safety_checker: z.boolean(),
  negative_prompt: z.string().max(LIMITS.negativePromptChars),
  model: z.enum(MODELS),
  prompt: z.string().min(1, 'a prompt variant cannot be empty').max(2000),
};

export const sweepAxisSchema = z
  .strictObject({
    param: z.enum(SWEEP_PARAMS),
    values: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1, 'an axis needs at least one value')
      .max(MAX_AXIS_VALUES, `an axis takes at most ${MAX_AXIS_VALUES} values`),
  })
  .superRefine((axis, ctx) => {
    const schema = VALUE_SCHEMAS[axis.param];
    axis.values.forEach((v, i) => {
      const r = schema.safeParse(v);
      if (!r.success) {
        ctx.addIssue({
          code: 'custom',
          path: ['values', i],
          message: `${SWEEP_PARAM_LABELS[axis.param]}: ${JSON.stringify(v)} is not a valid value (${r.error.issues[0]?.message ?? 'invalid'})`,
        });
      }
    });
    const seen = new Set(axis.values.map((v) => JSON.stringify(v)));
    if (seen.size !== axis.values.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        message: `${SWEEP_PARAM_LABELS[axis.param]}: a value is repeated`,
      });
    }
  });
export type SweepAxis = z.infer<typeof sweepAxisSchema>;

export const sweepSchema = z
  .array(sweepAxisSchema)
  .max(MAX_SWEEP_AXES, `a sweep has at most ${MAX_SWEEP_AXES} axes (X, Y and Z)`)
  .superRefine((axes, ctx) => {
    const params = axes.map((a) => a.param);
    params.forEach((p, i) => {
      if (params.indexOf(p) !== i)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'param'],
          message: `${SWEEP_PARAM_LABELS[p]} is on two axes — keep one`,
        });
    });
    if (params.includes('aspect_ratio') && params.includes('image_size')) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'aspect ratio and preset size are one choice made two ways — sweep one of them',
      });
    }
  });

export const AXIS_NAMES = ['X', 'Y', 'Z'] as const;

/** A value as a grid label shows it. */
export function sweepValueLabel(param: SweepParam, value: SweepValue): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (param === 'negative_prompt' && value === '') return '(none)';
  return String(value);
}

/** The number of cells: the product of the axes' lengths (1 without a sweep). */
export function sweepCells(axes: readonly SweepAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** Cell number → one value index per axis; X turns fastest. */
export function cellIndices(axes: readonly SweepAxis[], cell: number): number[] {
  const out: number[] = [];
  let rest = cell;
  for (const a of axes) {
    out.push(rest % a.values.length);
    rest = Math.floor(rest / a.values.length);
  }
  return out;
}

export class SweepSyntaxError extends StudioError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
    this.name = 'SweepSyntaxError';
  }
}

const NAME_ALIASES: Record<string, SweepParam> = {
  ar: 'aspect_ratio',
  aspect: 'aspect_ratio',
  size: 'image_size',
  images: 'num_images',
  format: 'output_format',
  expansion: 'enable_prompt_expansion',
  safety: 'enable_safety_checker',
  negative: 'negative_prompt',
};
const TRUE = new Set(['true', 'on', 'yes', '1']);
const FALSE = new Set(['false', 'off', 'no', '0']);

/**
 * `name=v1,v2,…` as typed on a command line: seeds and images also take ranges (`seed=1..4`), booleans
 * on/off, and `\,` keeps a comma inside a value (a negative prompt or a prompt variant).
 */
export function parseSweepArg(arg: string, what = '--sweep'): SweepAxis {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new SweepSyntaxError(`${what} "${arg}": write name=value1,value2 (e.g. ar=1:1,16:9)`);
  const rawName = arg.slice(0, eq).trim().toLowerCase().replace(/-/g, '_');
  const param = NAME_ALIASES[rawName] ?? (SWEEP_PARAMS as readonly string[]).find((p) => p === rawName);
  if (!param) {
    throw new SweepSyntaxError(
      `${what}: "${rawName}" is not a parameter that can be swept — use one of ${SWEEP_PARAMS.join(', ')}`,
    );
  }
  const pieces = splitValues(arg.slice(eq + 1));
  const values: SweepValue[] = [];
  for (const piece of pieces) {
    const p = piece.trim();
    if (param === 'seed' || param === 'num_images') {
      const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(p);
      if (range) {
        const [from, to] = [Number(range[1]), Number(range[2])];
        if (to < from || to - from >= MAX_AXIS_VALUES) {
          throw new SweepSyntaxError(
            `${what} ${param}=${p}: a range goes up and holds at most ${MAX_AXIS_VALUES} values`,
          );
        }
        for (let v = from; v <= to; v++) values.push(v);
        continue;
      }
      if (!/^\d+$/.test(p))
        throw new SweepSyntaxError(`${what} ${param}: "${p}" is not a whole number or a range a..b`);
      values.push(Number(p));
    } else if (param === 'enable_prompt_expansion' || param === 'enable_safety_checker') {
      const w = p.toLowerCase();
      if (TRUE.has(w)) values.push(true);
      else if (FALSE.has(w)) values.push(false);
      else throw new SweepSyntaxError(`${what} ${param}: "${p}" is not on or off`);
    } else {
      values.push(param === 'negative_prompt' || param === 'prompt' ? piece : p);
    }
  }
  const parsed = sweepAxisSchema.safeParse({ param, values });
  if (!parsed.success) throw new SweepSyntaxError(`${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

function splitValues(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && text[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** One job of a sweep, placed in its grid. */
export interface SweepGridCell {
  jobId: number;
  /** Which prompt (and repeat) of the batch: the grid shows one group at a time. */
  group: number;
  /** One value index per axis. */
  cell: number[];
  state: string;
  prompt: string;
  /** The job's images (the library's ids, file paths and cached thumbnails). */
  assets: { id: number; path: string; thumbPath: string | null; width: number; height: number }[];
}

export interface SweepGrid {
  batchId: number;
  name: string;
  axes: SweepAxis[];
  /** The prompt of each group, in order. */
  groups: string[];
  cells: SweepGridCell[];
}
