// GET /api/files/...: the simulator's CDN. No auth (result URLs are bearer links), with the download
// faults: expired links, a first fetch that fails, a body cut short.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimState } from './state.ts';
import { contentTypeOf } from './files.ts';

export async function handleFile(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  segments: string[],
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendText(res, 405, 'text/plain', 'Only GET and HEAD are allowed on files.\n');
  }
  if (segments[0] === 'refs') {
    const ref = segments[1] ? state.refs.get(segments[1]) : undefined;
    if (!ref) return notFound(res);
    return sendBytes(req, res, ref.bytes, ref.contentType);
  }
  const link = segments[0] ? state.links.lookup(segments[0]) : undefined;
  const generation = link ? state.generations.get(link.generationId) : undefined;
  if (!link || !generation) return notFound(res);

  const now = Date.now();
  if (link.expiresAt !== null && now > link.expiresAt) {
    state.ledger.countFault('linkExpired');
    return sendText(
      res,
      403,
      'application/xml',
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>\n',
    );
  }
  const firstFetch = !link.fetched;
  link.fetched = true;
  if (firstFetch && state.faultRandom.chance(state.faults.downloadFailOnce)) {
    state.ledger.countFault('downloadFailOnce');
    return sendText(res, 500, 'text/plain', 'Internal error while reading the file (simulated). Retry.\n');
  }

  const bytes = await state.images.bytes(generation, link.index);
  if (req.method === 'GET' && state.faultRandom.chance(state.faults.truncate)) {
    state.ledger.countFault('truncate');
    res.writeHead(200, { 'content-type': contentTypeOf(generation), 'content-length': String(bytes.length) });
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
    return;
  }
  sendBytes(req, res, bytes, contentTypeOf(generation));
}

function sendBytes(req: IncomingMessage, res: ServerResponse, bytes: Buffer, contentType: string): void {
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': String(bytes.length),
    'cache-control': 'public, max-age=86400, immutable',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function notFound(res: ServerResponse): void {
  sendText(
    res,
    404,
    'application/xml',
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>\n',
  );
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, {
    'content-type': `${contentType}; charset=utf-8`,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
