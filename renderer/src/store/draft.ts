// The batch being composed, as the form holds it, and its translation to the contract's BatchSpec. Pure
// functions: the form keeps raw values (a budget is text until it is a number), the spec is what is sent.
import {
  DEFAULT_MODEL,
  LIMITS,
  type AspectRatio,
  type GenerationInput,
  type ImageSize,
  type Model,
  type OutputFormat,
} from '../../../shared/api.ts';
import { nameFromPrompt } from '../../../shared/batch-name.ts';
import { t } from '../i18n/index.ts';
import type { RefInfo, RowRef } from '../../../shared/contract.ts';
import type {
  BatchSpec,
  GenerationParams,
  PromptEntry,
  SeedMode,
  SeedPolicy,
} from '../../../shared/domain.ts';
import { parseSweepArg, sweepSchema, type SweepParam } from '../../../shared/sweep.ts';
import type { Preset } from '../../../shared/preset.ts';
import { DEFAULT_PROMPT_EXPANSION } from '../../../shared/settings.ts';

export type SizeMode = 'aspect' | 'preset';

/** The generation parameters a form edits (Compose, and the defaults in Settings). */
export interface ParamsValue {
  sizeMode: SizeMode;
  aspectRatio: AspectRatio;
  imageSize: ImageSize;
  numImages: number;
  format: OutputFormat;
  expansion: boolean;
  /** null: the model's documented default (on for qwen-image-2-pro only); not sent then. */
  safetyChecker: boolean | null;
  negative: string;
}

export interface Draft extends ParamsValue {
  name: string;
  /** The editor's text: a prompt per line, `#` starts a comment line. */
  text: string;
  /** Entries from a CSV/JSONL file with per-row settings; they replace the editor while loaded. */
  file: PromptFile | null;
  model: Model;
  seedMode: SeedMode;
  /** The fixed seed, or the first seed when incrementing. */
  seedValue: number;
  repeat: number;
  refs: RefInfo[];
  /** The budget as typed: empty = no budget. */
  maxCredits: string;
  /** Sweep axes as typed: a parameter and its values (`1:1, 16:9`, `1..4`). */
  sweep: SweepRow[];
}

export interface PromptFile {
  name: string;
  entries: PromptEntry[];
  warnings: string[];
  /** Per entry, its references in the row's order: URLs, and local images by file name. */
  rowRefs: RowRef[][];
  /** Those images as the person added them, by file name. */
  refFiles: Record<string, RefInfo>;
}

/** The image file names a prompt file's rows name that were not added yet, each once, in order. */
export function missingFileRefs(file: PromptFile): string[] {
  const out = new Set<string>();
  for (const n of fileRefNames(file)) if (!file.refFiles[n]) out.add(n);
  return [...out];
}

/** Every image file name a prompt file's rows name, each once, in order. */
export function fileRefNames(file: PromptFile): string[] {
  return [...new Set(file.rowRefs.flat().flatMap((r) => ('file' in r ? [r.file] : [])))];
}

export interface SweepRow {
  param: SweepParam;
  values: string;
}

export function paramsFromGeneration(p: GenerationParams | GenerationInput | undefined): ParamsValue {
  return {
    sizeMode: p?.image_size ? 'preset' : 'aspect',
    aspectRatio: p?.aspect_ratio ?? '1:1',
    imageSize: p?.image_size ?? 'square_hd',
    numImages: p?.num_images ?? 1,
    format: p?.output_format ?? 'png',
    expansion: p?.enable_prompt_expansion ?? DEFAULT_PROMPT_EXPANSION,
    safetyChecker: p?.enable_safety_checker ?? null,
    negative: p?.negative_prompt ?? '',
  };
}

/** The API fields of a form's parameters: exactly one of aspect ratio and image size, never both. */
export function generationFromParams(p: ParamsValue): GenerationParams {
  const out: GenerationParams = {
    num_images: p.numImages,
    output_format: p.format,
    enable_prompt_expansion: p.expansion,
  };
  if (p.sizeMode === 'aspect') out.aspect_ratio = p.aspectRatio;
  else out.image_size = p.imageSize;
  if (p.negative.trim()) out.negative_prompt = p.negative;
  if (p.safetyChecker !== null) out.enable_safety_checker = p.safetyChecker;
  return out;
}

export function newDraft(defaults: GenerationParams | undefined): Draft {
  return {
    ...paramsFromGeneration(defaults),
    name: '',
    text: '',
    file: null,
    model: DEFAULT_MODEL,
    seedMode: defaults?.seed !== undefined ? 'fixed' : 'random',
    seedValue: defaults?.seed ?? 0,
    repeat: 1,
    refs: [],
    maxCredits: '',
    sweep: [],
  };
}

/** The prompts of the editor: one per non-empty line, `#` lines are comments (like a .txt prompt file). */
export function promptLines(text: string): PromptEntry[] {
  const out: PromptEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line && !line.startsWith('#')) out.push({ prompt: line, origin: `line ${i + 1}` });
  });
  return out;
}

export function entriesOf(d: Draft): PromptEntry[] {
  if (!d.file) return promptLines(d.text);
  const { entries, rowRefs, refFiles } = d.file;
  // A row's references in its own order, each local image as the person added it.
  return entries.map((e, i) => {
    const refs = (rowRefs[i] ?? []).flatMap((r) =>
      'url' in r ? [r.url] : refFiles[r.file] ? [refFiles[r.file]!.token] : [],
    );
    return refs.length ? { ...e, refs } : e;
  });
}

/**
 * What an unnamed batch will be called: a prompt file's name, else the first words of the first expanded
 * prompt (the engine names it the same way, adding " (2)" when the name is taken). Empty until known.
 */
export function defaultBatchName(d: Pick<Draft, 'file'>, firstPrompt: string | undefined): string {
  if (d.file) return d.file.name.replace(/\.[^.]+$/, '');
  return firstPrompt ? nameFromPrompt(firstPrompt) : '';
}

export function negativeTooLong(d: Pick<Draft, 'negative'>): boolean {
  return d.negative.length > LIMITS.negativePromptChars;
}

export function parseBudget(raw: string): number | null | 'invalid' {
  const t = raw.trim();
  if (!t) return null;
  if (!/^\d+$/.test(t)) return 'invalid';
  const n = Number(t);
  return n >= 1 && Number.isSafeInteger(n) ? n : 'invalid';
}

/** The seed policy the form's seed fields describe. */
function seedPolicyOf(d: Pick<Draft, 'seedMode' | 'seedValue'>): SeedPolicy {
  if (d.seedMode === 'random') return { mode: 'random' };
  return d.seedMode === 'fixed'
    ? { mode: 'fixed', value: d.seedValue }
    : { mode: 'increment', start: d.seedValue };
}

/** The spec to plan or run, or the first thing that keeps the draft from being one. */
export function buildSpec(d: Draft): { spec: BatchSpec; problem: null } | { spec: null; problem: string } {
  const entries = entriesOf(d);
  if (entries.length === 0) return { spec: null, problem: t('compose.problemNoPrompt') };
  if (negativeTooLong(d)) {
    return {
      spec: null,
      problem: t('compose.problemNegative', { count: d.negative.length, limit: LIMITS.negativePromptChars }),
    };
  }
  const budget = parseBudget(d.maxCredits);
  if (budget === 'invalid') return { spec: null, problem: t('compose.problemBudget') };
  const missing = d.file ? missingFileRefs(d.file) : [];
  if (missing.length > 0) {
    return {
      spec: null,
      problem: t('compose.problemFileRefs', { count: missing.length, names: missing.join(', ') }),
    };
  }
  const spec: BatchSpec = {
    name: d.name.trim() || defaultBatchName(d, undefined),
    model: d.model,
    entries,
    params: generationFromParams(d),
    refs: d.refs.map((r) => r.token),
    seed: seedPolicyOf(d),
    repeat: d.repeat,
  };
  if (budget !== null) spec.maxCredits = budget;
  if (d.sweep.length > 0) {
    try {
      const axes = d.sweep.map((row) => parseSweepArg(`${row.param}=${row.values}`, 'Sweep'));
      // The axes together (no parameter twice, not ratio and size both), checked before asking the engine.
      const whole = sweepSchema.safeParse(axes);
      if (!whole.success) return { spec: null, problem: `Sweep: ${whole.error.issues[0]?.message ?? ''}` };
      spec.sweep = axes;
    } catch (err) {
      return { spec: null, problem: (err as Error).message };
    }
  }
  return { spec, problem: null };
}

/** The form's settings as a preset (what Save as preset stores): everything but the prompts and references. */
export function presetFromDraft(d: Draft): Preset {
  const p: Preset = {
    model: d.model,
    params: generationFromParams(d),
    repeat: d.repeat,
    seed: seedPolicyOf(d),
  };
  const budget = parseBudget(d.maxCredits);
  if (typeof budget === 'number') p.maxCredits = budget;
  try {
    if (d.sweep.length > 0)
      p.sweep = d.sweep.map((row) => parseSweepArg(`${row.param}=${row.values}`, 'Sweep'));
  } catch {
    // An axis still being typed is left out of the preset rather than blocking the save.
  }
  return p;
}

/** A preset loaded into the form: its settings replace the form's, the prompts and references stay. */
export function draftFromPreset(base: Draft, p: Preset): Partial<Draft> {
  const seed = p.seed ?? { mode: 'random' as const };
  return {
    ...paramsFromGeneration(p.params),
    model: p.model ?? base.model,
    repeat: p.repeat ?? 1,
    seedMode: seed.mode,
    seedValue: seed.mode === 'fixed' ? seed.value : seed.mode === 'increment' ? seed.start : base.seedValue,
    maxCredits: p.maxCredits ? String(p.maxCredits) : '',
    sweep: (p.sweep ?? []).map((a) => ({
      param: a.param,
      values: a.values.map((v) => (typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v))).join(', '),
    })),
  };
}

/** A draft that re-creates one generation: its prompt, parameters and seed (fixed), and its references. */
export function draftFromJob(base: Draft, input: GenerationInput, refs: RefInfo[], name: string): Draft {
  return {
    ...base,
    ...paramsFromGeneration(input),
    name,
    text: input.prompt,
    file: null,
    seedMode: input.seed === undefined || input.seed === null ? 'random' : 'fixed',
    seedValue: input.seed ?? 0,
    repeat: 1,
    refs: refs.slice(0, LIMITS.references),
    sweep: [],
  };
}
