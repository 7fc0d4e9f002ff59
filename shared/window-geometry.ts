// Window geometry as plain data: the saved state's shape and how it is fitted to the displays that exist
// now, so a window last seen on an unplugged monitor opens where the person can see it. No Electron, no
// Node: main/app/window-state.ts reads and writes it, the tests check the arithmetic directly.
import { z } from 'zod';

export const MIN_WIDTH = 900;
export const MIN_HEIGHT = 600;
export const DEFAULT_WIDTH = 1360;
export const DEFAULT_HEIGHT = 880;
/** How much of the title bar must be on a display for the saved position to count as visible. */
const GRAB_WIDTH = 120;
const GRAB_HEIGHT = 32;

const dimension = z.number().int().min(1).max(100_000);
const coordinate = z.number().int().min(-100_000).max(100_000);

export const windowStateSchema = z.object({
  x: coordinate.optional(),
  y: coordinate.optional(),
  width: dimension,
  height: dimension,
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** The part of Electron's `Display` this needs. */
export interface DisplayArea {
  workArea: Rect;
}

export const DEFAULT_STATE: WindowState = { width: DEFAULT_WIDTH, height: DEFAULT_HEIGHT, maximized: false };

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), Math.max(lo, hi));
}

/**
 * Fits a saved state to the current displays. The size is clamped to [MIN, the chosen display's work area];
 * the position is kept when enough of the title bar is on some display (then moved fully onto it), and
 * dropped otherwise so the window opens centred on the primary display (the first one given).
 */
export function clampToDisplays(state: WindowState, displays: readonly DisplayArea[]): WindowState {
  const primary = displays[0]?.workArea;
  if (!primary) return { ...state };
  let target: Rect | null = null;
  if (state.x !== undefined && state.y !== undefined) {
    const titleBar: Rect = { x: state.x, y: state.y, width: state.width, height: GRAB_HEIGHT };
    let best = 0;
    for (const d of displays) {
      const o = overlap(titleBar, d.workArea);
      if (o > best) {
        best = o;
        target = d.workArea;
      }
    }
    if (best < Math.min(GRAB_WIDTH, state.width) * GRAB_HEIGHT) target = null;
  }
  const area = target ?? primary;
  const width = clamp(state.width, Math.min(MIN_WIDTH, area.width), area.width);
  const height = clamp(state.height, Math.min(MIN_HEIGHT, area.height), area.height);
  if (!target || state.x === undefined || state.y === undefined) {
    return { width, height, maximized: state.maximized };
  }
  return {
    x: clamp(state.x, area.x, area.x + area.width - width),
    y: clamp(state.y, area.y, area.y + area.height - height),
    width,
    height,
    maximized: state.maximized,
  };
}
