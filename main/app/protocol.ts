// The app's two custom schemes. `studio-media:` serves library images and reference images from the data
// folder only (the page never sees a file path or a `file://` URL); `studio-app:` serves the built renderer,
// giving the page a real origin for its CSP and for the IPC sender check. Path checks live in
// resolve-inside.ts and the media handler in media-handler.ts, both tested without Electron.
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol, shell } from 'electron';
import type { Studio } from '../engine/studio.ts';
import { createMediaHandler, isViewableImage } from '../engine/media/media-handler.ts';
import { studioMediaLookup } from '../engine/media/media-lookup.ts';
import { APP_HOST, APP_SCHEME, MEDIA_SCHEME, parseMediaUrl } from '../../shared/media-url.ts';
import { resolveInside } from '../engine/files/resolve-inside.ts';
import { storedFile } from '../engine/files/stored-file.ts';

/** Must run before `app` is ready: privileges can only be granted then. Neither scheme bypasses the CSP. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
    {
      scheme: MEDIA_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    },
  ]);
}

export interface MediaProtocolOptions {
  studio: Studio;
  appOrigin: string;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** `studio-media://asset|thumb/<id>` and `studio-media://ref/<sha256>`, looked up in the database, served from disk. */
export function handleMediaProtocol(opts: MediaProtocolOptions): void {
  const { studio } = opts;
  const handler = createMediaHandler({
    dataDir: studio.dataDir,
    appOrigin: opts.appOrigin,
    lookup: studioMediaLookup(studio),
    onError: opts.log,
  });
  protocol.handle(MEDIA_SCHEME, handler);
}

/**
 * A media link the page opened in a new window (`<a href=mediaUrl target=_blank>`): the image opens in the
 * OS's image viewer instead. Same gate as the protocol, and only for image file names, so the OS is never
 * asked to "open" anything it might run.
 */
export async function openMediaInViewer(studio: Studio, url: string): Promise<boolean> {
  const parsed = parseMediaUrl(url);
  // A thumbnail link opens the image itself.
  const req =
    parsed?.kind === 'thumb' || parsed?.kind === 'tile' ? { kind: 'asset' as const, id: parsed.id } : parsed;
  const record = req ? await studioMediaLookup(studio)(req) : null;
  const file = record ? storedFile(studio.dataDir, record.path) : null;
  if (!file || !isViewableImage(file)) return false;
  const error = await shell.openPath(file);
  if (error) throw new Error(`Could not open ${file}: ${error}`);
  return true;
}

export interface AppProtocolOptions {
  /** The built renderer (out/renderer), possibly inside app.asar. */
  rendererDir: string;
  csp: string;
}

/**
 * `studio-app://app/<path>` → a file of the built renderer. Paths without an extension fall back to
 * index.html (client-side routes survive a reload). The CSP header is set here too: webRequest does not
 * see every custom-protocol response.
 */
export function handleAppProtocol(opts: AppProtocolOptions): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.hostname !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found', { status: 404 });
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return new Response('Bad path', { status: 400 });
    }
    if (rel === '' || extname(rel) === '') rel = 'index.html';
    const file = resolveInside(opts.rendererDir, rel);
    if (!file) return new Response('Not found', { status: 404 });
    // net.fetch of a file: URL reads inside app.asar and sets Content-Type from the extension.
    const res = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', opts.csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}

/** Where the built renderer is, relative to the built main bundle (out/main/index.js → out/renderer). */
export function rendererDirFrom(mainDir: string): string {
  return join(mainDir, '..', 'renderer');
}
