// What a media URL names in one studio's data folder: shared by the Electron protocol and the browser
// bridge, so both serve exactly the same files.
import { availableParallelism } from 'node:os';
import type { Studio } from '../studio.ts';
import type { MediaRecord } from './media-handler.ts';
import { TILE_THUMB_SIZE, type MediaRequest } from '../../../shared/media-url.ts';

/**
 * Thumbnails made on demand at once. A grid scrolled through images without thumbnails asks for dozens a
 * second; each is a decode and an encode on libvips' threads. Left unbounded they take every core and the
 * page's own frames (the renderer shares the machine) start to stutter: one core stays free for it.
 */
const THUMBS_AT_ONCE = Math.max(1, availableParallelism() - 1);

function limiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else running--;
    }
  };
}

/**
 * An asset's file, its thumbnail (made on demand; null — a 404 — when the image file is missing or cannot be
 * decoded, which the grid shows as a "file missing" tile), or a stored reference.
 */
export function studioMediaLookup(studio: Studio): (req: MediaRequest) => Promise<MediaRecord | null> {
  const thumbs = limiter(THUMBS_AT_ONCE);
  return async (req) => {
    if (req.kind === 'asset') {
      const a = studio.library.file(req.id);
      return a ? { path: a.path, type: a.format } : null;
    }
    if (req.kind === 'thumb' || req.kind === 'tile') {
      const size = req.kind === 'tile' ? TILE_THUMB_SIZE : undefined;
      const path = await thumbs(() => studio.library.thumbnail(req.id, size));
      return path ? { path, type: 'webp' } : null;
    }
    const r = studio.refs.file(req.sha256);
    return r ? { path: r.path, type: r.mime } : null;
  };
}
