// A sweep's contact sheet: one PNG with a block per prompt (and Z value), X values as column heads, Y values
// as row heads, each cell the job's first image. Labels are drawn as one SVG layer; sharp composes it all.
import type { OverlayOptions } from 'sharp';
import { writeFileAtomic } from '../files/atomic-write.ts';
import { sharp } from '../files/lazy-modules.ts';
import {
  AXIS_NAMES,
  SWEEP_PARAM_LABELS,
  sweepValueLabel,
  type SweepAxis,
  type SweepGrid,
  type SweepGridCell,
} from '../../../shared/sweep.ts';

export interface SheetResult {
  path: string;
  width: number;
  height: number;
  cells: number;
  /** Cells drawn without an image (not finished, failed, or trashed). */
  missing: number;
}

const PAD = 12;
const TITLE_H = 52;
const HEAD_H = 26;
const LABEL_W = 150;
const FONT = 'DejaVu Sans, Noto Sans CJK SC, Arial, sans-serif';
/** Keeps a sheet of thousands of cells to a sane number of pixels. */
const MAX_PIXELS = 60_000_000;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

const label = (axis: SweepAxis | undefined, i: number) =>
  axis ? sweepValueLabel(axis.param, axis.values[i] as string | number | boolean) : '';

export async function renderContactSheet(
  grid: SweepGrid,
  out: string,
  opts: { cellSize?: number; dark?: boolean } = {},
): Promise<SheetResult> {
  const [x, y, z] = grid.axes;
  const cols = x?.values.length ?? 1;
  const rows = y?.values.length ?? 1;
  const layers = z?.values.length ?? 1;
  const blocks: { group: number; z: number }[] = [];
  grid.groups.forEach((_, group) => {
    for (let k = 0; k < layers; k++) blocks.push({ group, z: k });
  });
  const cellCount = blocks.length * cols * rows;
  let cell = opts.cellSize ?? 256;
  cell = Math.max(48, Math.min(cell, Math.floor(Math.sqrt(MAX_PIXELS / Math.max(1, cellCount)))));
  const gap = 4;
  const blockW = LABEL_W + cols * (cell + gap);
  const blockH = TITLE_H + HEAD_H + rows * (cell + gap);
  const width = PAD * 2 + blockW;
  const height = PAD + blocks.length * (blockH + PAD);
  const bg = opts.dark ? '#16171a' : '#ffffff';
  const fg = opts.dark ? '#e8e8ea' : '#1b1c1f';
  const muted = opts.dark ? '#9a9ca3' : '#5d6068';
  const empty = opts.dark ? '#25272c' : '#eceef1';

  const byKey = new Map<string, SweepGridCell>();
  for (const c of grid.cells) byKey.set(`${c.group}:${c.cell.join(',')}`, c);

  const svg: string[] = [];
  const composites: OverlayOptions[] = [];
  let missing = 0;
  const axisName = (a: SweepAxis | undefined, i: number) =>
    a ? `${AXIS_NAMES[i]}: ${SWEEP_PARAM_LABELS[a.param]}` : '';
  const text = (
    tx: number,
    ty: number,
    body: string,
    size: number,
    color: string,
    weight = 400,
    anchor = 'start',
  ) =>
    svg.push(
      `<text x="${tx}" y="${ty}" font-family="${FONT}" font-size="${size}" font-weight="${weight}" fill="${color}" text-anchor="${anchor}">${escapeXml(body)}</text>`,
    );

  for (const [b, block] of blocks.entries()) {
    const top = PAD + b * (blockH + PAD);
    const left = PAD;
    const title =
      `${clip(grid.groups[block.group] ?? '', 90)}` +
      (z ? `   ·   ${axisName(z, 2)} = ${label(z, block.z)}` : '');
    text(left, top + 22, title, 16, fg, 600);
    const names = [x ? `${axisName(x, 0)} →` : '', y ? `${axisName(y, 1)} ↓` : ''];
    text(left, top + 42, names.filter(Boolean).join('    '), 12, muted);
    for (let i = 0; i < cols; i++) {
      const cx = left + LABEL_W + i * (cell + gap) + cell / 2;
      text(
        cx,
        top + TITLE_H + 18,
        clip(label(x, i), Math.max(6, Math.floor(cell / 8))),
        13,
        fg,
        600,
        'middle',
      );
    }
    for (let j = 0; j < rows; j++) {
      const cy = top + TITLE_H + HEAD_H + j * (cell + gap) + cell / 2 + 5;
      text(left, cy, clip(label(y, j), 20), 13, fg, 600);
      for (let i = 0; i < cols; i++) {
        const indices = [i, j, block.z].slice(0, grid.axes.length);
        const c = byKey.get(`${block.group}:${indices.join(',')}`);
        const px = left + LABEL_W + i * (cell + gap);
        const py = top + TITLE_H + HEAD_H + j * (cell + gap);
        const asset = c?.assets[0];
        if (asset) {
          try {
            const input = await sharp(asset.thumbPath ?? asset.path)
              .resize(cell, cell, { fit: 'contain', background: empty })
              .png()
              .toBuffer();
            composites.push({ input, left: px, top: py });
            continue;
          } catch {
            // An unreadable file is drawn as a missing cell below.
          }
        }
        missing += 1;
        svg.push(`<rect x="${px}" y="${py}" width="${cell}" height="${cell}" fill="${empty}"/>`);
        text(px + cell / 2, py + cell / 2 + 4, c ? c.state : 'no job', 12, muted, 400, 'middle');
      }
    }
  }
  const overlay = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svg.join('')}</svg>`,
  );
  const png = await sharp({ create: { width, height, channels: 3, background: bg } })
    .composite([...composites, { input: overlay, left: 0, top: 0 }])
    .png()
    .toBuffer();
  await writeFileAtomic(out, png);
  return { path: out, width, height, cells: cellCount, missing };
}
