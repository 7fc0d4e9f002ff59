// What the compare view lists under its panes: every parameter of the images side by side, the ones that
// differ first and marked, so "what changed between these two" is read at a glance.
import type { AssetDetail } from '../../../shared/contract.ts';

export type ParamKey =
  | 'prompt'
  | 'negative'
  | 'seed'
  | 'size'
  | 'dimensions'
  | 'format'
  | 'model'
  | 'images'
  | 'expansion'
  | 'safety'
  | 'batch'
  | 'score'
  | 'created';

export interface ParamRow {
  key: ParamKey;
  /** One text per image, in the panes' order ('' when the image has no such value). */
  values: string[];
  differs: boolean;
}

/** How each value reads; `on`/`off` and dates in the UI's language come from the caller. */
export interface ParamWords {
  on: string;
  off: string;
  none: string;
  date: (ms: number) => string;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function valueOf(a: AssetDetail, key: ParamKey, w: ParamWords): string {
  const input = a.job?.input;
  const params = (a.params ?? {}) as Record<string, unknown>;
  const flag = (v: unknown) => (v === undefined || v === null ? '' : v ? w.on : w.off);
  switch (key) {
    case 'prompt':
      return a.prompt;
    case 'negative':
      return text(a.negativePrompt ?? input?.negative_prompt) || w.none;
    case 'seed':
      return text(a.seed ?? input?.seed);
    case 'size':
      return text(a.imageSize ?? a.aspectRatio ?? input?.image_size ?? input?.aspect_ratio);
    case 'dimensions':
      return `${a.width}×${a.height}`;
    case 'format':
      return a.format.toUpperCase();
    case 'model':
      return text(a.model);
    case 'images':
      return text(input?.num_images ?? params.num_images);
    case 'expansion':
      return flag(input?.enable_prompt_expansion ?? params.enable_prompt_expansion);
    case 'safety':
      return flag(input?.enable_safety_checker ?? params.enable_safety_checker);
    case 'batch':
      return text(a.batchName);
    case 'score':
      return a.comparisons ? String(Math.round(a.score ?? 0)) : '';
    case 'created':
      return w.date(a.createdAt);
  }
}

const ORDER: ParamKey[] = [
  'prompt',
  'negative',
  'seed',
  'size',
  'dimensions',
  'format',
  'model',
  'images',
  'expansion',
  'safety',
  'batch',
  'score',
  'created',
];

/**
 * The rows for these images: those that differ first (in the usual order), then the shared ones. A row no
 * image has a value for is left out; `created` never counts as a difference worth leading with.
 */
export function paramRows(assets: readonly AssetDetail[], words: ParamWords): ParamRow[] {
  const rows = ORDER.map((key) => {
    const values = assets.map((a) => valueOf(a, key, words));
    return { key, values, differs: key !== 'created' && new Set(values).size > 1 };
  }).filter((r) => r.values.some((v) => v !== ''));
  return [...rows.filter((r) => r.differs), ...rows.filter((r) => !r.differs)];
}
