// How numbers, durations, sizes and dates read in the UI, in the UI's language.
import { IMAGE_SIZE_PIXELS, aspectPixels, type AspectRatio, type ImageSize } from '../../shared/api.ts';
import { i18n, t } from './i18n/index.ts';

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(): Intl.NumberFormat {
  const lng = i18n.language;
  let f = numberFormats.get(lng);
  if (!f) numberFormats.set(lng, (f = new Intl.NumberFormat(lng)));
  return f;
}

export function num(n: number): string {
  return numberFormat().format(n);
}

export function credits(n: number): string {
  return num(Math.round(n));
}

export function duration(seconds: number): string {
  if (seconds < 60) return t('format.seconds', { n: Math.max(1, Math.round(seconds)) });
  const m = Math.round(seconds / 60);
  if (m < 60) return t('format.minutes', { n: m });
  return t('format.hoursMinutes', { h: Math.floor(m / 60), m: m % 60 });
}

export function bytes(n: number): string {
  if (n < 1024) return t('format.bytes', { n });
  if (n < 1024 * 1024) return t('format.kilobytes', { n: (n / 1024).toFixed(0) });
  return t('format.megabytes', { n: (n / (1024 * 1024)).toFixed(1) });
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
}

export function date(ms: number): string {
  return new Date(ms).toLocaleDateString(i18n.language, { dateStyle: 'medium' });
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 minutes ago", "3 分钟前"; under a minute, "just now". */
export function relativeTime(ms: number, now = Date.now()): string {
  const diff = ms - now;
  const rtf = new Intl.RelativeTimeFormat(i18n.language, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size) return rtf.format(Math.round(diff / size), unit);
  }
  return t('format.justNow');
}

export function imageSizeLabel(size: ImageSize): string {
  return t(`imageSize.${size}`);
}

export function sizeLabel(input: {
  aspect_ratio?: AspectRatio | undefined;
  image_size?: ImageSize | undefined;
}): string {
  if (input.image_size) {
    const px = IMAGE_SIZE_PIXELS[input.image_size];
    return `${imageSizeLabel(input.image_size)} · ${px.width}×${px.height}`;
  }
  if (input.aspect_ratio) {
    const px = aspectPixels(input.aspect_ratio);
    return `${input.aspect_ratio} · ${px.width}×${px.height}`;
  }
  return t('format.serviceDefault');
}
