// The app's media URLs: built in the preload, parsed in the main process. Imports nothing (the sandboxed
// preload bundles it), so both ends share one spelling of the scheme and the id rules.

export const MEDIA_SCHEME = 'studio-media';
/** The scheme that serves the built renderer in a packaged app (a real origin, unlike `file://`). */
export const APP_SCHEME = 'studio-app';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export type MediaKind = 'asset' | 'thumb' | 'tile' | 'ref';
/**
 * An image by asset id, its thumbnail (same id, made on demand), its small thumbnail for a grid tile, or a
 * stored reference by sha256.
 */
export type MediaRequest =
  | { kind: 'asset'; id: number }
  | { kind: 'thumb'; id: number }
  | { kind: 'tile'; id: number }
  | { kind: 'ref'; sha256: string };

/**
 * The long side of a `tile` thumbnail: a grid tile up to this many device pixels wide asks for it instead
 * of the 320 px thumbnail, so the browser decodes and scales a third of the pixels while scrolling.
 */
export const TILE_THUMB_SIZE = 192;

const SHA256 = /^[0-9a-f]{64}$/;
const ASSET_ID = /^[1-9][0-9]{0,15}$/;

/**
 * `studio-media://asset/12`, `studio-media://thumb/12` or `studio-media://ref/<sha256>`; throws on an id that
 * could never resolve.
 */
export function mediaUrl(kind: MediaKind, id: number | string): string {
  if (kind === 'asset' || kind === 'thumb' || kind === 'tile') {
    const s = String(id);
    if (!ASSET_ID.test(s) || !Number.isSafeInteger(Number(s)))
      throw new Error(`Not an asset id: ${s.slice(0, 40)}`);
    return `${MEDIA_SCHEME}://${kind}/${s}`;
  }
  if (kind === 'ref') {
    const s = String(id)
      .toLowerCase()
      .replace(/^sha256:/, '');
    if (!SHA256.test(s)) throw new Error(`Not a reference hash (64 hex digits): ${s.slice(0, 80)}`);
    return `${MEDIA_SCHEME}://ref/${s}`;
  }
  throw new Error(`Unknown media kind: ${String(kind).slice(0, 40)}`);
}

/** The request a media URL names, or null when it is not exactly one of the three shapes above. */
export function parseMediaUrl(url: string): MediaRequest | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${MEDIA_SCHEME}:` || u.username || u.password || u.port || u.search || u.hash)
    return null;
  const host = u.hostname.toLowerCase();
  const path = u.pathname.replace(/\/$/, '');
  if (!path.startsWith('/') || path.indexOf('/', 1) !== -1) return null;
  const id = path.slice(1);
  if ((host === 'asset' || host === 'thumb' || host === 'tile') && ASSET_ID.test(id)) {
    const n = Number(id);
    if (!Number.isSafeInteger(n)) return null;
    return { kind: host, id: n };
  }
  if (host === 'ref' && SHA256.test(id)) return { kind: 'ref', sha256: id };
  return null;
}
