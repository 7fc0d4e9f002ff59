// The `studio-media:` request handler as a plain `Request → Response` function (web standard types, Node
// file system, no Electron): protocol.ts registers it; the tests call it directly with real files.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseMediaUrl, type MediaRequest } from '../../../shared/media-url.ts';
import { storedFile } from '../files/stored-file.ts';

/** What the database says about a media URL: where the file should be and what it is. */
export interface MediaRecord {
  path: string;
  /** MIME type or bare format ('png', 'image/jpeg'); anything not an image is served as opaque bytes. */
  type: string;
}

export interface MediaHandlerOptions {
  dataDir: string;
  /** May be async: a thumbnail is made on demand the first time it is asked for. */
  lookup: (req: MediaRequest) => MediaRecord | null | Promise<MediaRecord | null>;
  /** Origin allowed to read the bytes with `fetch()` (images in `<img>` need no CORS). */
  appOrigin: string;
  onError?: (message: string, fields: Record<string, unknown>) => void;
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  bmp: 'image/bmp',
};

/** Only image types are labelled as such; with `nosniff` nothing else can be turned into a script or page. */
export function imageContentType(type: string): string {
  const t = type.trim().toLowerCase();
  const bare = t.startsWith('image/') ? t.slice('image/'.length) : t;
  return IMAGE_TYPES[bare] ?? 'application/octet-stream';
}

const VIEWABLE = /\.(png|jpe?g|webp|gif|avif|bmp)$/i;

/** Whether a stored file may be handed to the OS's default app: image file names only. */
export function isViewableImage(path: string): boolean {
  return VIEWABLE.test(path);
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}

// O_NOFOLLOW narrows the gap between resolveInside's check and the open: the real path has no symlinks,
// so one appearing there in between is refused. (Windows has no such flag and no such race with junctions.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

// References are content-addressed. A thumbnail is named by its image's content, and an asset's content
// never changes, so the page may keep it a day (scrolling back up the grid costs no request). Originals are
// revalidated: undoing a trash may restore one under another name.
const CACHE: Record<MediaRequest['kind'], string> = {
  ref: 'private, max-age=31536000, immutable',
  thumb: 'private, max-age=86400',
  tile: 'private, max-age=86400',
  asset: 'no-cache',
};

export function createMediaHandler(opts: MediaHandlerOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const media = parseMediaUrl(request.url);
    if (!media) return plain(404, 'Not found');
    let record: MediaRecord | null;
    try {
      record = await opts.lookup(media);
    } catch (err) {
      opts.onError?.('media lookup failed', { url: request.url, error: (err as Error).message });
      return plain(500, 'Lookup failed');
    }
    if (!record) return plain(404, 'Not found');
    const file = storedFile(opts.dataDir, record.path);
    if (!file) {
      opts.onError?.('media file missing or outside library/, refs/ and thumbs/', {
        url: request.url,
        path: record.path,
      });
      return plain(404, 'Not found');
    }
    let handle;
    try {
      handle = await open(file, OPEN_FLAGS);
    } catch (err) {
      opts.onError?.('media file unreadable', { url: request.url, error: (err as Error).message });
      return plain(404, 'Not found');
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return plain(404, 'Not found');
      }
      const headers = {
        'Content-Type': imageContentType(record.type),
        'Content-Length': String(info.size),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': CACHE[media.kind],
        'Access-Control-Allow-Origin': opts.appOrigin,
        'Content-Security-Policy': "default-src 'none'",
      };
      if (request.method === 'HEAD') {
        await handle.close();
        return new Response(null, { status: 200, headers });
      }
      // The stream owns the handle from here on and closes it at the end or when the page cancels.
      const body = Readable.toWeb(handle.createReadStream()) as ReadableStream<Uint8Array>;
      return new Response(body, { status: 200, headers });
    } catch (err) {
      await handle.close().catch(() => undefined);
      opts.onError?.('media read failed', { url: request.url, error: (err as Error).message });
      return plain(500, 'Read failed');
    }
  };
}
