// The shared view of the compare panes: one zoom and pan for all of them. Offsets are fractions of a
// pane's size, so panes of different pixel sizes (or the slider's one pane) show the same part of their
// image. A pane draws its image as `translate(x·W, y·H) scale(scale)` from its top-left corner.

export interface ZoomView {
  scale: number;
  x: number;
  y: number;
}

export const FIT: ZoomView = { scale: 1, x: 0, y: 0 };
export const MIN_SCALE = 1;
export const MAX_SCALE = 16;
/** One press of + or −, or one notch of the wheel (a trackpad's small deltas zoom proportionally less). */
export const STEP = 1.25;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Keeps the image covering the pane: no empty margin opens up beside a zoomed image. */
export function clampView(v: ZoomView): ZoomView {
  const scale = clamp(v.scale, MIN_SCALE, MAX_SCALE);
  return { scale, x: clamp(v.x, 1 - scale, 0), y: clamp(v.y, 1 - scale, 0) };
}

/** Zooms by `factor` about a point of the pane (fractions, 0.5/0.5 = its centre), which stays put. */
export function zoomAt(v: ZoomView, factor: number, px = 0.5, py = 0.5): ZoomView {
  const scale = clamp(v.scale * factor, MIN_SCALE, MAX_SCALE);
  const k = scale / v.scale;
  return clampView({ scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k });
}

/** Moves the image by a fraction of the pane (a drag of dx·W pixels). */
export function panBy(v: ZoomView, dx: number, dy: number): ZoomView {
  return clampView({ scale: v.scale, x: v.x + dx, y: v.y + dy });
}

/** The zoom factor of a wheel event's vertical delta (pixels; lines count as 40 px). */
export function wheelFactor(deltaY: number, deltaMode = 0): number {
  const px = deltaMode === 1 ? deltaY * 40 : deltaMode === 2 ? deltaY * 800 : deltaY;
  return STEP ** clamp(-px / 100, -2, 2);
}
