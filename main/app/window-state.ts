// Remembers the window's size, position and maximized state in <userData>/window-state.json. What is read
// back is validated (shared/window-geometry.ts fits it to the displays that exist now).
import { readFileSync } from 'node:fs';
import {
  DEFAULT_STATE,
  windowStateSchema,
  type Rect,
  type WindowState,
} from '../../shared/window-geometry.ts';
import { writeFileAtomicSync } from '../engine/files/atomic-write.ts';

/** The saved state, or the default when the file is missing, unreadable or not what we wrote. */
export function readWindowState(file: string): WindowState {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return { ...DEFAULT_STATE };
  }
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : { ...DEFAULT_STATE };
  } catch {
    return { ...DEFAULT_STATE };
  }
}

/** Written whole through a temporary file, so a crash mid-write leaves the previous state, not half a file. */
export function writeWindowState(file: string, state: WindowState): void {
  const valid = windowStateSchema.parse(state);
  writeFileAtomicSync(file, JSON.stringify(valid, null, 2) + '\n', { mode: 0o600 });
}

/** The slice of BrowserWindow the tracker uses (kept structural so it is clear what is touched). */
export interface TrackedWindow {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isFullScreen(): boolean;
  isDestroyed(): boolean;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
}

/**
 * Saves the window's state shortly after it stops changing and once more when it closes. Returns a function
 * that saves now (for before-quit). Write failures are reported, never thrown: losing a window position must
 * not stop the app from closing.
 */
export function trackWindowState(
  win: TrackedWindow,
  file: string,
  onError?: (err: unknown) => void,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  let last: WindowState | null = null;
  const capture = () => {
    // Minimized and full-screen bounds are not what the person wants to reopen with; keep the last good ones.
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    const b = win.getNormalBounds();
    last = {
      x: Math.round(b.x),
      y: Math.round(b.y),
      width: Math.round(b.width),
      height: Math.round(b.height),
      maximized: win.isMaximized(),
    };
  };
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    capture();
    if (!last) return;
    try {
      writeWindowState(file, last);
    } catch (err) {
      onError?.(err);
    }
  };
  const later = () => {
    capture();
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  for (const e of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(e, later);
  win.on('close', save);
  return save;
}
