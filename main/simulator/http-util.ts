// The small HTTP vocabulary of the simulator: the service's JSON error body, reading a bounded request
// body, and answering with JSON.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

/** The codes API.md documents for image routes (without their IMAGE_GENERATION_ prefix); no others are sent. */
export type DocumentedCode =
  | 'INVALID_INPUT'
  | 'UNSUPPORTED_MODEL'
  | 'INSUFFICIENT_CREDITS'
  | 'CONTENT_REJECTED'
  | 'RATE_LIMITED'
  | 'FAILED'
  | 'PROVIDER_UNAVAILABLE'
  | 'TIMEOUT';

/**
 * An answer in the service's error shape, exactly `{error, code, message}`: a documented IMAGE_GENERATION_
 * code, or null where the docs name none (401, 403, 404).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    codeSuffix: DocumentedCode | null,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = codeSuffix === null ? null : `IMAGE_GENERATION_${codeSuffix}`;
    this.headers = headers;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendApiError(res: ServerResponse, err: ApiError): void {
  sendJson(
    res,
    err.status,
    { error: STATUS_CODES[err.status] ?? 'Error', code: err.code, message: err.message },
    err.headers,
  );
}

/** Reads the whole body, refusing more than `limit` bytes (answers 413 rather than buffering forever). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw bodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw bodyTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function bodyTooLarge(limit: number): ApiError {
  return new ApiError(
    413,
    'INVALID_INPUT',
    `Request body is larger than ${Math.round(limit / 1024 / 1024)} MB; send smaller reference images.`,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
