// The browser bridge: the built renderer, the UI contract over HTTP (`POST /api/call/<method>`), the
// engine's events over a WebSocket (`/api/events`) and the data folder's images (`/media/...`), backed by a
// real Studio. Loopback only, one random token per run, Host and Origin checked on every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName, EventPayloads } from '../../shared/contract.ts';
import { INPUT_LIMITS } from '../../shared/input-limits.ts';
import type { ErrorReply } from '../../shared/errors.ts';
import { StudioError, toStudioError } from '../engine/errors.ts';
import { createHandlers, dispatch, subscribeEvents, type KeyStore } from '../engine/handlers.ts';
import { redact } from '../engine/redact.ts';
import { Studio } from '../engine/studio.ts';
import { startSimulator, type Simulator } from '../simulator/index.ts';
import { hostAllowed, newToken, originAllowed, tokenStatus } from './guard.ts';
import { createBridgeMedia } from './media.ts';
import { resolveInside } from '../engine/files/resolve-inside.ts';
import { bridgeCsp, contentTypeOf, securityHeaders, sendFile, staticCandidate } from './static.ts';

export interface BridgeOptions {
  /** 0 or absent = a free port. */
  port?: number;
  dataDir: string;
  apiBase?: string | null;
  apiKey?: string | null;
  /** Folder of the built renderer; default out/renderer of this checkout. */
  rendererDir?: string;
  /** Offer "try it with the local simulator" (starts one on first use). */
  startSimulator?: boolean;
  version?: string;
}

export interface Bridge {
  /** The page's address, token included. */
  url: string;
  token: string;
  studio: Studio;
  close(): Promise<void>;
}

/** refs.add carries up to 40 MB of base64 and a prompt file up to 64 MB of text. */
const MAX_BODY_BYTES = INPUT_LIMITS.bridgeBodyBytes;

export const DEFAULT_RENDERER_DIR = path.resolve(import.meta.dirname, '../../out/renderer');

/** The bridge keeps the key in memory only: from the environment, or pasted in the page for this session. */
function memoryKeyStore(initial: string | null): KeyStore {
  let key = initial;
  let fromEnv = initial !== null;
  return {
    get: () => key,
    set: (k) => {
      key = k;
      fromEnv = false;
    },
    clear: () => {
      key = null;
      fromEnv = false;
    },
    kind: () => (key === null ? 'none' : fromEnv ? 'env' : 'session'),
  };
}

/**
 * The request body, at most MAX_BODY_BYTES. A larger one is read to its end and dropped before the 413 is
 * sent: closing the socket mid-upload would make the client see a reset instead of the answer.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (tooLarge) chunks.length = 0;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new StudioError('TOO_LARGE', 'The request is too large (over 72 MB).'));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Streams a web Response (from the shared media handler) into a node:http answer. */
async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return void res.end();
  await new Promise<void>((resolve) => {
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    body.on('error', () => {
      res.destroy();
      resolve();
    });
    body.on('end', resolve);
    body.pipe(res);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = newToken();
  const rendererDir = path.resolve(opts.rendererDir ?? DEFAULT_RENDERER_DIR);
  const studio = new Studio({
    dataDir: opts.dataDir,
    apiKey: opts.apiKey ?? null,
    apiBase: opts.apiBase ?? null,
  });
  let simulator: Promise<Simulator> | null = null;
  const handlers = createHandlers(studio, {
    keyStore: memoryKeyStore(opts.apiKey ?? null),
    version: opts.version ?? '0.0.0',
    ...(opts.startSimulator
      ? {
          startSimulator: async () => {
            simulator ??= startSimulator({ port: 0 });
            return (await simulator).url;
          },
        }
      : {}),
  });
  let port = 0;
  const media = createBridgeMedia(studio, () => `http://127.0.0.1:${port}`);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res, bridgeCsp(port));
    if (!hostAllowed(req, port) || !originAllowed(req, port)) {
      return sendText(res, 403, 'This address is not served here: open the link printed by `npm run web`.');
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const p = url.pathname;

    if (p.startsWith('/api/call/')) return handleCall(req, res, p.slice('/api/call/'.length));

    if (p.startsWith('/media/')) {
      const denied = tokenStatus(url.searchParams.get('token'), token);
      if (denied) return sendText(res, denied, 'This image needs the token of the page that asked for it.');
      return sendResponse(res, await media(p.slice('/media/'.length), req.method ?? 'GET'));
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Only GET is served here.');
    const candidate = staticCandidate(p);
    const isPage = candidate === 'index.html';
    if (isPage) {
      // The page needs the token to call anything; refusing the page itself tells the person why at once.
      const denied = tokenStatus(url.searchParams.get('token'), token);
      if (denied)
        return sendText(
          res,
          denied,
          'Open the full link printed by `npm run web` (it carries the access token).',
        );
    }
    const file = candidate ? resolveInside(rendererDir, candidate) : null;
    if (!file) {
      if (isPage)
        return sendText(
          res,
          503,
          `The UI is not built: run \`npx vite build renderer\` (looked in ${rendererDir}).`,
        );
      return sendText(res, 404, 'Not found.');
    }
    const cache = isPage ? 'no-store' : 'public, max-age=31536000, immutable';
    if (!(await sendFile(res, file, contentTypeOf(file), cache))) sendText(res, 404, 'Not found.');
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, rawMethod: string): Promise<void> {
    let method = rawMethod;
    try {
      method = decodeURIComponent(rawMethod);
    } catch {
      // Malformed escapes: keep the raw name, which dispatch reports as an unknown operation.
    }
    try {
      if (req.method !== 'POST') throw new StudioError('METHOD_NOT_ALLOWED', 'Calls are POST requests.');
      const denied = tokenStatus(req.headers['x-studio-token'] as string | undefined, token);
      if (denied)
        throw new StudioError(
          denied === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN',
          'Missing or wrong x-studio-token header.',
        );
      // A JSON content type cannot be sent cross-site without a preflight the bridge never grants.
      if (!req.headers['content-type']?.toLowerCase().startsWith('application/json')) {
        throw new StudioError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Calls carry a JSON body (Content-Type: application/json).',
        );
      }
      const body = await readBody(req);
      let input: unknown;
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        throw new StudioError('INVALID_INPUT', 'The request body is not valid JSON.');
      }
      const result = await dispatch(handlers, method, input);
      sendJson(res, 200, { result: result ?? null });
    } catch (err) {
      // A user's mistake is a 4xx with the engine's message; only our bugs (logged here or by dispatch,
      // with their stack) and outside failures are 5xx.
      if (!(err instanceof StudioError)) studio.log.error('bridge call failed', { method, err });
      const e = toStudioError(err, method);
      const reply: ErrorReply = {
        error: { code: e.code, message: redact(e.message, [studio.settings.apiKey()]) },
      };
      sendJson(res, e.httpStatus, reply);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      studio.log.error('bridge request failed', { url: req.url?.split('?')[0], err });
      if (!res.headersSent) sendText(res, 500, 'The bridge failed to answer; the log has details.');
      else res.destroy();
    });
  });

  // ── events ──────────────────────────────────────────────────────────────────────────────────────────
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const clients = new Set<WebSocket>();
  const unsubscribe = subscribeEvents(studio, <E extends EventName>(event: E, payload: EventPayloads[E]) => {
    if (clients.size === 0) return;
    const frame = JSON.stringify({ event, payload });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(frame);
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req, port) || !originAllowed(req, port)) return refuse(403, 'Forbidden');
    if (url.pathname !== '/api/events') return refuse(404, 'Not Found');
    const denied = tokenStatus(url.searchParams.get('token'), token);
    if (denied) return refuse(denied, denied === 401 ? 'Unauthorized' : 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    });
  });

  try {
    // Taking the data folder's lease first: another process running this folder's queue is an error to
    // report before anything listens.
    studio.start();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    unsubscribe();
    await studio.close();
    throw err;
  }
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      unsubscribe();
      studio.tasks.cancelAll();
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await studio.close();
      if (simulator) await (await simulator).close();
    })());

  return { url: `http://127.0.0.1:${port}/?token=${token}`, token, studio, close };
}
