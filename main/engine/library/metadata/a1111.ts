// The A1111 "PNG Info" text, the de-facto interchange format of image generators: the prompt (any number
// of lines), an optional "Negative prompt: …" line (which may continue over more lines), then one last
// line of comma-separated "Key: value" pairs. A value containing a comma, a colon or a line break is
// written as a JSON string, exactly as A1111's `infotext_utils.quote` does, so A1111, Civitai, Forge and
// ComfyUI readers split it the same way we do.
import { IMAGE_SIZE_PIXELS, IMAGE_SIZES, ASPECT_RATIOS, aspectPixels } from '../../../../shared/api.ts';
import type { AspectRatio, ImageSize } from '../../../../shared/api.ts';
import type { StudioRecord } from './types.ts';

const NEGATIVE_PREFIX = 'Negative prompt:';

// A1111's `re_param`, with Python's Unicode `\w` spelled out for JavaScript.
const PARAM_RE = /\s*([\p{L}\p{N}_][\p{L}\p{N}_ \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/gu;

/** A value as A1111 writes it: plain when safe, else a JSON string (non-ASCII kept as is). */
function quote(value: string): string {
  if (!/[,:\n\r]/.test(value) && !value.startsWith('"')) return value;
  return JSON.stringify(value);
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // not JSON after all: keep the text as written
    }
  }
  return value;
}

/** Line breaks normalized and characters no container can carry (NUL and other C0 controls but tab/LF) dropped. */
function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

function inputString(input: Record<string, unknown>, key: string): string | null {
  const v = input[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Pixel size: measured when the record has it, else what the request asked for. */
function sizeOf(r: StudioRecord): string | null {
  if (r.width && r.height) return `${r.width}x${r.height}`;
  const imageSize = inputString(r.input, 'image_size');
  if (imageSize && (IMAGE_SIZES as readonly string[]).includes(imageSize)) {
    const px = IMAGE_SIZE_PIXELS[imageSize as ImageSize];
    return `${px.width}x${px.height}`;
  }
  const ratio = inputString(r.input, 'aspect_ratio');
  if (ratio && (ASPECT_RATIOS as readonly string[]).includes(ratio)) {
    const px = aspectPixels(ratio as AspectRatio);
    return `${px.width}x${px.height}`;
  }
  return null;
}

/**
 * The A1111-style `parameters` text for a record, e.g.
 *
 *     a red car, studio light
 *     Negative prompt: blurry
 *     Seed: 123, Size: 1024x1024, Model: qwen/qwen-image-2, Image size: square_hd, …, Version: qwen-studio
 *
 * The settings line always holds at least three pairs (Model, Created, Version): A1111 only takes the last
 * line for settings when it finds three or more, otherwise it reads it as part of the prompt.
 */
export function toA1111Parameters(r: StudioRecord): string {
  const pairs: [string, string][] = [];
  const seed = r.seed ?? (typeof r.input.seed === 'number' ? r.input.seed : null);
  if (seed !== null) pairs.push(['Seed', String(seed)]);
  const size = sizeOf(r);
  if (size) pairs.push(['Size', size]);
  pairs.push(['Model', r.model]);
  const imageSize = inputString(r.input, 'image_size');
  if (imageSize) pairs.push(['Image size', imageSize]);
  const ratio = inputString(r.input, 'aspect_ratio');
  if (ratio) pairs.push(['Aspect ratio', ratio]);
  if (typeof r.input.enable_prompt_expansion === 'boolean') {
    pairs.push(['Prompt expansion', r.input.enable_prompt_expansion ? 'on' : 'off']);
  }
  if (r.actualPrompt && r.actualPrompt !== r.prompt) pairs.push(['Actual prompt', cleanText(r.actualPrompt)]);
  if (r.remoteId) pairs.push(['Remote id', r.remoteId]);
  if (r.batch) pairs.push(['Batch', cleanText(r.batch.name)]);
  if (r.credits !== null && Number.isFinite(r.credits)) pairs.push(['Credits', String(r.credits)]);
  if (r.referenceHashes.length > 0) pairs.push(['Reference hashes', r.referenceHashes.join(', ')]);
  pairs.push(['Created', r.createdAt]);
  pairs.push(['Version', 'qwen-studio']);

  const lines = [cleanText(r.prompt)];
  if (r.negativePrompt) lines.push(`${NEGATIVE_PREFIX} ${cleanText(r.negativePrompt)}`);
  lines.push(pairs.map(([k, v]) => `${k}: ${quote(v)}`).join(', '));
  return lines.join('\n');
}

/**
 * Reads an A1111-style text (ours or another generator's) the way A1111's `parse_generation_parameters`
 * does: the last line is the settings line only when it holds three or more "Key: value" pairs; lines
 * before a "Negative prompt:" line are the prompt, the rest the negative prompt. Unlike A1111, the lines
 * of a prompt keep their inner spacing.
 */
export function parseA1111Parameters(text: string): {
  prompt: string;
  negativePrompt: string | null;
  settings: Record<string, string>;
} {
  const lines = text.replace(/\r\n?/g, '\n').trim().split('\n');
  const settings: Record<string, string> = {};
  const last = lines[lines.length - 1] ?? '';
  const pairs = [...last.matchAll(PARAM_RE)];
  if (lines.length > 0 && pairs.length >= 3) {
    lines.pop();
    for (const m of pairs) settings[m[1]!.trim()] = unquote((m[2] ?? '').trim());
  }
  const promptLines: string[] = [];
  const negativeLines: string[] = [];
  let inNegative = false;
  for (const line of lines) {
    if (!inNegative && line.trimStart().startsWith(NEGATIVE_PREFIX)) {
      inNegative = true;
      negativeLines.push(line.trimStart().slice(NEGATIVE_PREFIX.length).trim());
      continue;
    }
    (inNegative ? negativeLines : promptLines).push(line);
  }
  return {
    prompt: promptLines.join('\n').trim(),
    negativePrompt: inNegative ? negativeLines.join('\n').trim() : null,
    settings,
  };
}
