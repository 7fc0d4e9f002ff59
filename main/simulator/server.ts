// startSimulator: a node:http server speaking the skills.video API (under /api/v1), its CDN (/api/files)
// and the simulator's own control routes (/__sim), all over one keep-alive listener.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorFaults, SimulatorOptions } from './options.ts';
import { SimState } from './state.ts';
import type { SimulatorLedger } from './ledger.ts';
import { ApiError, readBody, sendApiError, sendJson, sleep } from './http-util.ts';
import {
  handleCreate,
  handlePoll,
  handleRunning,
  keyFingerprint,
  type RouteContext,
} from './routes-generation.ts';
import { handleFile } from './routes-files.ts';

export interface Simulator {
  /** Base URL to use as the API base, e.g. http://127.0.0.1:PORT/api (routes are under /api/v1/...). */
  url: string;
  port: number;
  ledger: SimulatorLedger;
  setFaults(faults: Partial<SimulatorFaults>): void;
  close(): Promise<void>;
}

const CONTROL_BODY_BYTES = 64 * 1024;

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimState(opts.seed ?? 1, opts.faults);
  const host = opts.host ?? '127.0.0.1';
  const apiKeys = opts.apiKeys ? new Set(opts.apiKeys) : null;
  const forbiddenKeys = new Set(opts.forbiddenKeys ?? []);
  const log = opts.log ?? (() => {});
  let listenOrigin = '';

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const error = err instanceof ApiError ? err : internalError(err, log);
      if (!res.headersSent && !res.destroyed) sendApiError(res, error);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = url.pathname;
    if (path.startsWith('/__sim/')) return handleControl(req, res, path);

    state.ledger.totalRequests += 1;
    const track = { route: `${req.method} (unknown route)` };
    res.on('close', () => {
      const status = res.writableFinished
        ? String(res.statusCode)
        : res.headersSent
          ? `${res.statusCode}-cut`
          : 'dropped';
      state.ledger.countRequest(track.route, status);
      log(`${req.method} ${path} → ${status}`);
    });

    if (path.startsWith('/api/files/')) {
      track.route = path.startsWith('/api/files/refs/') ? 'GET /files/refs' : 'GET /files';
      return handleFile(state, req, res, path.slice('/api/files/'.length).split('/'));
    }
    if (!path.startsWith('/api/v1/')) throw notFound(req.method, path);
    if (state.faults.httpDelayMs > 0) await sleep(state.faults.httpDelayMs);

    const ctx: RouteContext = {
      state,
      req,
      res,
      owner: authenticate(req),
      origin: originOf(req),
      maxImageSide: opts.maxImageSide ?? 1024,
      creditsPerImage: opts.creditsPerImage,
      sseKeepAliveMs: opts.sseKeepAliveMs ?? 1000,
      log,
    };
    const rest = path.slice('/api/v1/'.length);
    if (req.method === 'POST' && rest.startsWith('generation/sse/')) {
      track.route = 'POST /v1/generation/sse/{model}';
      return handleCreate(ctx, safeDecode(rest.slice('generation/sse/'.length)), true);
    }
    if (req.method === 'POST' && rest.startsWith('generation/')) {
      track.route = 'POST /v1/generation/{model}';
      return handleCreate(ctx, safeDecode(rest.slice('generation/'.length)), false);
    }
    const pollMatch = /^generation\/([^/]+)$/.exec(rest);
    if (req.method === 'GET' && pollMatch) {
      track.route = 'GET /v1/generation/{id}';
      return handlePoll(ctx, safeDecode(pollMatch[1]!));
    }
    if (req.method === 'GET' && rest === 'generations/running') {
      track.route = 'GET /v1/generations/running';
      return handleRunning(ctx, url.searchParams.get('limit'));
    }
    throw notFound(req.method, path);
  }

  /** Bearer auth as the service does it; the key itself goes no further than this function. */
  function authenticate(req: IncomingMessage): string {
    const match = /^Bearer\s+(\S.*)$/i.exec(req.headers.authorization ?? '');
    const key = match?.[1]?.trim();
    if (!key) {
      throw new ApiError(401, null, 'Missing API key: send the header "Authorization: Bearer <your key>".');
    }
    if (forbiddenKeys.has(key)) {
      throw new ApiError(
        403,
        null,
        'This API key is not allowed to use image generation. Check its permissions in the dashboard.',
      );
    }
    if (apiKeys && !apiKeys.has(key)) {
      throw new ApiError(
        401,
        null,
        'The API key was not recognised. Check it, or create a new one in the dashboard.',
      );
    }
    return keyFingerprint(key);
  }

  /** URLs handed out use the host the caller reached us by, so they work through any loopback name. */
  function originOf(req: IncomingMessage): string {
    const hostHeader = req.headers.host;
    return hostHeader && /^[\w.-]+(:\d+)?$|^\[[\da-f:.]+\](:\d+)?$/i.test(hostHeader)
      ? `http://${hostHeader}`
      : listenOrigin;
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && path === '/__sim/ledger') return sendJson(res, 200, state.ledger);
    if (req.method === 'GET' && path === '/__sim/faults') return sendJson(res, 200, state.faults);
    if (req.method === 'POST' && path === '/__sim/faults') {
      const text = (await readBody(req, CONTROL_BODY_BYTES)).toString('utf8');
      try {
        state.setFaults(JSON.parse(text) as Partial<SimulatorFaults>);
      } catch (err) {
        return sendJson(res, 400, { error: (err as Error).message });
      }
      log(`faults changed: ${text}`);
      return sendJson(res, 200, state.faults);
    }
    return sendJson(res, 404, {
      error: `No simulator control route ${req.method} ${path}; try GET /__sim/ledger.`,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  listenOrigin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: `${listenOrigin}/api`,
    port,
    ledger: state.ledger,
    setFaults: (faults) => state.setFaults(faults),
    close: async () => {
      for (const stop of [...state.openStreams]) stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A malformed escape in a path is the caller's mistake: keep it as sent, to be answered 400/404. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function notFound(method: string | undefined, path: string): ApiError {
  return new ApiError(404, null, `No route ${method} ${path}. API routes live under /api/v1/.`);
}

function internalError(err: unknown, log: (line: string) => void): ApiError {
  log(`simulator error: ${(err as Error)?.stack ?? String(err)}`);
  return new ApiError(
    500,
    'FAILED',
    `The simulator hit an unexpected error: ${(err as Error)?.message ?? String(err)}`,
  );
}
