// How numbers, durations and sizes read in the UI.
import { IMAGE_SIZE_PIXELS, aspectPixels, type AspectRatio, type ImageSize } from '../../shared/api.ts';

const int = new Intl.NumberFormat('en-US');

export function count(n: number, one: string, many = `${one}s`): string {
  return `${int.format(n)} ${n === 1 ? one : many}`;
}

export function credits(n: number): string {
  return int.format(Math.round(n));
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const IMAGE_SIZE_LABELS: Record<ImageSize, string> = {
  square_hd: 'Square HD',
  square: 'Square',
  portrait_4_3: 'Portrait 4:3',
  portrait_16_9: 'Portrait 16:9',
  landscape_4_3: 'Landscape 4:3',
  landscape_16_9: 'Landscape 16:9',
};

export function sizeLabel(input: {
  aspect_ratio?: AspectRatio | undefined;
  image_size?: ImageSize | undefined;
}): string {
  if (input.image_size) {
    const px = IMAGE_SIZE_PIXELS[input.image_size];
    return `${IMAGE_SIZE_LABELS[input.image_size]} · ${px.width}×${px.height}`;
  }
  if (input.aspect_ratio) {
    const px = aspectPixels(input.aspect_ratio);
    return `${input.aspect_ratio} · ${px.width}×${px.height}`;
  }
  return 'service default';
}
