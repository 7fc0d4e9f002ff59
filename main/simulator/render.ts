// Real images for the simulator's results: an SVG card (a colour of its own, the prompt large enough to
// read in a thumbnail, the id, seed and index small) rendered by sharp in the requested format and size.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { OutputFormat } from '../../shared/api.ts';
import { CJK_FONT_FAMILY, useBundledCjkFont } from './cjk-font.ts';

export interface RenderSpec {
  id: string;
  index: number;
  count: number;
  prompt: string;
  seed: number;
  model: string;
  width: number;
  height: number;
  format: OutputFormat;
}

const FONT_FAMILY = `'${CJK_FONT_FAMILY}', 'Noto Sans CJK SC', sans-serif`;

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};
export const EXTENSIONS: Record<OutputFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

export async function renderImage(spec: RenderSpec): Promise<Buffer> {
  useBundledCjkFont();
  const image = sharp(Buffer.from(renderSvg(spec)));
  switch (spec.format) {
    case 'jpeg':
      return image.jpeg({ quality: 85 }).toBuffer();
    case 'webp':
      return image.webp({ quality: 80 }).toBuffer();
    case 'png':
      return image.png().toBuffer();
  }
}

export function renderSvg(spec: RenderSpec): string {
  const { width, height } = spec;
  const digest = createHash('sha256').update(`${spec.id}:${spec.index}`).digest();
  const hue = digest.readUInt16BE(0) % 360;
  const saturation = 40 + (digest[2]! % 30);
  const lightness = 30 + (digest[3]! % 45);
  const ink = lightness > 55 ? '#111111' : '#ffffff';

  const side = Math.min(width, height);
  const margin = Math.max(4, Math.round(side * 0.06));
  const footer = [spec.id, `seed ${spec.seed} · image ${spec.index + 1}/${spec.count} · ${spec.model}`];
  const footerChars = Math.max(...footer.map((line) => line.length));
  const smallSize = Math.max(
    6,
    Math.min(Math.round(side / 36), Math.floor((width - 2 * margin) / (footerChars * 0.6))),
  );
  const textArea = { width: width - 2 * margin, height: height - 2 * margin - 3 * smallSize };
  const { lines, fontSize } = fitText(spec.prompt, textArea.width, textArea.height, side);
  const lineHeight = fontSize * 1.25;
  const top = margin + Math.max(0, (textArea.height - lines.length * lineHeight) / 2) + fontSize;

  const promptLines = lines
    .map(
      (line, i) => `<tspan x="${margin}" y="${(top + i * lineHeight).toFixed(1)}">${escapeXml(line)}</tspan>`,
    )
    .join('');
  const footerLines = footer
    .map(
      (line, i) =>
        `<tspan x="${margin}" y="${height - margin - (footer.length - 1 - i) * smallSize * 1.3}">${escapeXml(line)}</tspan>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="hsl(${hue},${saturation}%,${lightness}%)"/>` +
    `<text font-family="${FONT_FAMILY}" font-size="${fontSize}" font-weight="bold" fill="${ink}">${promptLines}</text>` +
    `<text font-family="${FONT_FAMILY}" font-size="${smallSize}" fill="${ink}" fill-opacity="0.8">${footerLines}</text>` +
    `</svg>`
  );
}

/** The largest font (down to a readable floor) at which the prompt fits; what still overflows ends in "…". */
function fitText(
  text: string,
  width: number,
  height: number,
  side: number,
): { lines: string[]; fontSize: number } {
  const largest = Math.max(10, Math.round(side / 10));
  const smallest = Math.max(8, Math.round(side / 26));
  let fontSize = largest;
  for (;;) {
    const maxLines = Math.max(1, Math.floor(height / (fontSize * 1.25)));
    const lines = wrap(text, width / fontSize);
    if (lines.length <= maxLines) return { lines, fontSize };
    if (fontSize <= smallest) {
      const kept = lines.slice(0, maxLines);
      kept[maxLines - 1] = `${kept[maxLines - 1]!.replace(/\s*\S?$/, '')}…`;
      return { lines: kept, fontSize };
    }
    fontSize = Math.max(smallest, Math.round(fontSize * 0.85));
  }
}

/** Wide (CJK) characters take about one em, others up to about 0.7 em in bold DejaVu Sans. */
function emWidth(ch: string): number {
  return WIDE.test(ch) ? 1 : 0.7;
}

const WIDE_RANGES = '\\u2e80-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\uff00-\\uffef';
const WIDE = new RegExp(`[${WIDE_RANGES}]`, 'u');
/** One wide character, a run of other non-space characters, or a space. */
const TOKENS = new RegExp(`[${WIDE_RANGES}]|[^\\s${WIDE_RANGES}]+| `, 'gu');

/** Greedy wrap to `maxEm` ems a line: breaks at spaces, anywhere between CJK characters, and inside words
 *  too long for one line. */
function wrap(text: string, maxEm: number): string[] {
  const tokens = text.replace(/\s+/g, ' ').trim().match(TOKENS) ?? [];
  const lines: string[] = [];
  let line = '';
  let lineEm = 0;
  const push = () => {
    if (line.trim()) lines.push(line.trim());
    line = '';
    lineEm = 0;
  };
  for (const token of tokens) {
    const tokenEm = [...token].reduce((sum, ch) => sum + emWidth(ch), 0);
    if (token === ' ') {
      if (line) {
        line += ' ';
        lineEm += 0.3;
      }
      continue;
    }
    if (lineEm + tokenEm > maxEm) push();
    if (tokenEm <= maxEm) {
      line += token;
      lineEm += tokenEm;
      continue;
    }
    for (const ch of token) {
      if (lineEm + emWidth(ch) > maxEm) push();
      line += ch;
      lineEm += emWidth(ch);
    }
  }
  push();
  return lines.length > 0 ? lines : [''];
}

/** XML-escapes text and drops the control characters XML 1.0 forbids (librsvg refuses them). */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- removing control characters is the point here
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
  );
}
