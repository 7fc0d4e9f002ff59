// The built renderer (out/renderer), served with the app's own content security policy (shared/csp.ts),
// the event socket pinned to this bridge's port.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { buildCsp } from '../../shared/csp.ts';

/** The app's policy; media is same-origin here (`/media/…`), and the only socket is this bridge's own. */
export function bridgeCsp(port: number): string {
  return buildCsp({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Headers every answer of the bridge carries. */
export function securityHeaders(res: ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

/** Streams a file; resolves false when it does not exist (the caller answers 404). */
export async function sendFile(
  res: ServerResponse,
  file: string,
  contentType: string,
  cache: string,
): Promise<boolean> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    size = info.size;
  } catch {
    return false;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': size, 'Cache-Control': cache });
  await new Promise<void>((resolve) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    stream.on('end', () => resolve());
    stream.pipe(res);
  });
  return true;
}

/** The renderer file a URL path names, relative to its folder (`/` is the page); resolveInside checks it. */
export function staticCandidate(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const rel = decoded.replace(/^\/+/, '');
  return rel === '' ? 'index.html' : rel;
}

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
