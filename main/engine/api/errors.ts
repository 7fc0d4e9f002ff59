// Every failure of a call to skills.video becomes one ApiError, classified once here, so the scheduler
// decides by `kind` (retry, fail the job, pause the queue) and by `maybeSent` (could a create have been
// accepted and charged?) without knowing about HTTP or sockets.
import { statusText } from '../files/lazy-modules.ts';
import { errorBodySchema, type Generation } from '../../../shared/api.ts';
import type { ErrorClass } from '../../../shared/domain.ts';
import { redact } from '../redact.ts';
import { scrubStrings } from './scrub.ts';

/** Our own codes, for failures the service did not name. */
export type LocalErrorCode =
  'NETWORK' | 'TIMEOUT' | 'ABORTED' | 'INVALID_INPUT' | 'BAD_RESPONSE' | 'STREAM_DROPPED' | 'NO_API_KEY';

export interface ApiErrorInit {
  kind: ErrorClass;
  code: string;
  message: string;
  status?: number | null;
  retryAfterMs?: number | null;
  maybeSent?: boolean;
  offline?: boolean;
  lastFrame?: Generation | null;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly kind: ErrorClass;
  /** HTTP status; null for network failures, timeouts and local validation. */
  readonly status: number | null;
  /** The service's code (e.g. IMAGE_GENERATION_RATE_LIMITED), `HTTP_<status>` when it sent none, or a LocalErrorCode. */
  readonly code: string;
  readonly retryAfterMs: number | null;
  /** The request may have reached the service: a create may have been accepted (and charged). */
  readonly maybeSent: boolean;
  /** The service could not be reached at all (DNS, refused, unreachable, connect timeout). */
  readonly offline: boolean;
  /** For a dropped event stream: the last generation frame received, so the caller can poll by its id. */
  readonly lastFrame?: Generation | null;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.maybeSent = init.maybeSent ?? false;
    this.offline = init.offline ?? false;
    if (init.lastFrame !== undefined) this.lastFrame = init.lastFrame;
  }

  /** A copy with another message (used to scrub text the service echoed back). */
  withMessage(message: string): ApiError {
    return new ApiError({ ...this.init(), message });
  }

  /** A copy with the secrets redacted from every text the service could have echoed: message, code, last frame. */
  scrubbed(secrets: readonly string[]): ApiError {
    const init = this.init();
    const copy: ApiErrorInit = {
      ...init,
      message: redact(init.message, [...secrets]),
      code: redact(init.code, [...secrets]),
    };
    if (init.lastFrame) copy.lastFrame = scrubStrings(init.lastFrame, secrets);
    return new ApiError(copy);
  }

  /** A copy carrying the last frame of a dropped stream. */
  withLastFrame(lastFrame: Generation | null): ApiError {
    return new ApiError({ ...this.init(), lastFrame });
  }

  toJSON(): Record<string, unknown> {
    const { cause: _cause, ...rest } = this.init();
    return { name: this.name, ...rest };
  }

  private init(): ApiErrorInit {
    const init: ApiErrorInit = {
      kind: this.kind,
      code: this.code,
      message: this.message,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      maybeSent: this.maybeSent,
      offline: this.offline,
      cause: this.cause,
    };
    if (this.lastFrame !== undefined) init.lastFrame = this.lastFrame;
    return init;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

const CODE_PREFIX = 'IMAGE_GENERATION_';

/** Service codes whose meaning does not depend on the HTTP status they came with. */
const CODE_KINDS: Record<string, ErrorClass> = {
  RATE_LIMITED: 'retryable',
  PROVIDER_UNAVAILABLE: 'retryable',
  TIMEOUT: 'retryable',
  INSUFFICIENT_CREDITS: 'queue',
  INVALID_INPUT: 'job',
  UNSUPPORTED_MODEL: 'job',
  CONTENT_REJECTED: 'job',
};

/** The service code without its route family prefix, upper-cased: what we compare on. */
export function codeSuffix(code: string): string {
  const upper = code.trim().toUpperCase();
  return upper.startsWith(CODE_PREFIX) ? upper.slice(CODE_PREFIX.length) : upper;
}

function kindForStatus(status: number): ErrorClass {
  if (status === 401 || status === 402 || status === 403) return 'queue';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retryable';
  // Redirects mean the base URL points somewhere else: every job would fail the same way.
  if (status >= 300 && status < 400) return 'queue';
  return 'job';
}

/** What a person can do next, when the service gave no message of its own. */
function adviceFor(status: number, suffix: string): string {
  if (suffix === 'INSUFFICIENT_CREDITS' || status === 402)
    return 'The account is out of credits: add credits in the skills.video dashboard, then resume the queue.';
  if (status === 401)
    return 'The API key is missing or not accepted: set a valid key, then resume the queue.';
  if (status === 403)
    return 'The API key is not allowed to use this model: check the key and its workspace, then resume the queue.';
  if (suffix === 'RATE_LIMITED' || status === 429)
    return 'Too many requests: sending will slow down and try again.';
  if (status === 404) return 'The generation or route was not found: check the API base URL and model.';
  if (status >= 300 && status < 400)
    return 'The API base URL redirects elsewhere: check the base URL setting.';
  if (status >= 500) return 'The service had a problem on its side; it is usually safe to try again.';
  return 'The request was refused; change it before sending it again.';
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * `Retry-After` as milliseconds from now: delta-seconds or an HTTP date (a date in the past means 0).
 * Null when absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates (all three historic formats) start with a day name; "1.5" or "-3" are not valid.
  if (!/^[A-Za-z]/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

interface ParsedBody {
  code: string | null;
  message: string | null;
  /** The body is the service's own JSON error object (`code`, `error` or `message`), not a proxy's page. */
  fromService: boolean;
}

function parseBody(body: unknown): ParsedBody {
  const none: ParsedBody = { code: null, message: null, fromService: false };
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return none; // HTML from a proxy, plain text, truncated JSON
    }
  }
  const parsed = errorBodySchema.safeParse(value);
  if (!parsed.success || Array.isArray(value)) return none;
  const code = parsed.data.code?.trim() || parsed.data.error?.trim() || null;
  const message = parsed.data.message?.trim() || null;
  return { code, message, fromService: code !== null || message !== null };
}

/** Which call got the answer: a create (may have made a billed job) or a read (makes nothing). */
export type CallKind = 'create' | 'read';

/**
 * Does this answer prove that a create made no job? Only when the service itself states a refusal (API.md,
 * "A failed create is not proof"): its JSON error body on a 4xx refusal, or its own RATE_LIMITED on a 429 or
 * PROVIDER_UNAVAILABLE on a 503. A proxy's page, any other 5xx, 500/502 FAILED and 504 TIMEOUT may hide an
 * accepted, billed generation.
 */
function serviceRefused(status: number, parsed: ParsedBody, suffix: string): boolean {
  if (!parsed.fromService) return false;
  if (status === 429) return suffix === 'RATE_LIMITED';
  if (status === 503) return suffix === 'PROVIDER_UNAVAILABLE';
  return status >= 400 && status < 500 && status !== 408;
}

/**
 * An HTTP error answer as an ApiError. `body` is the raw text or already-parsed JSON. On a create, the
 * error is `maybeSent` unless the service's own answer proves it refused (see serviceRefused).
 */
export function classifyHttp(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
  call: CallKind = 'read',
): ApiError {
  const parsed = parseBody(body);
  const { code: serviceCode, message: serviceMessage } = parsed;
  const suffix = serviceCode ? codeSuffix(serviceCode) : '';
  const kind: ErrorClass = status === 401 ? 'queue' : (CODE_KINDS[suffix] ?? kindForStatus(status));
  const maybeSent = call === 'create' && !serviceRefused(status, parsed, suffix);
  const statusLine = `${status} ${statusText(status) ?? 'Unknown Status'}`;
  const lookedFor =
    'The generation may have been accepted anyway: it is looked for before anything is sent again.';
  // A key or credits answer that is not the service's own still says what to fix (the queue pauses).
  const advice = !maybeSent
    ? adviceFor(status, suffix)
    : kind === 'queue'
      ? `${adviceFor(status, suffix)} ${lookedFor}`
      : lookedFor;
  const message =
    serviceMessage ??
    `The service answered ${statusLine}${serviceCode ? ` (${serviceCode})` : ''}. ${advice}`;
  return new ApiError({
    kind,
    status,
    code: serviceCode ?? `HTTP_${status}`,
    message,
    retryAfterMs: parseRetryAfter(header(headers, 'retry-after')),
    maybeSent,
    offline: false,
  });
}

/** Socket-level codes meaning no connection was made, so nothing was sent. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCodes(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== 'object' || depth > 3) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const codes = typeof e.code === 'string' ? [e.code] : [];
  // Happy-eyeballs connects fail with an AggregateError holding one error per address.
  if (Array.isArray(e.errors)) for (const inner of e.errors) codes.push(...errorCodes(inner, depth + 1));
  codes.push(...errorCodes(e.cause, depth + 1));
  return codes;
}

function isAbort(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: unknown; code?: unknown };
  return e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED' || e.code === 'ABORT_ERR';
}

/**
 * A failure without an HTTP answer. `phase` is where the caller was: before any byte could be written
 * ('connect'), sending or waiting for the answer ('request'), or reading the answer ('response').
 */
export function classifyNetworkError(err: unknown, phase: 'connect' | 'request' | 'response'): ApiError {
  if (err instanceof ApiError) return err;
  const codes = errorCodes(err);
  const unreachable = phase === 'connect' || codes.some((c) => UNREACHABLE_CODES.has(c));
  const detail = describe(codes);

  if (isAbort(err)) {
    return new ApiError({
      kind: 'retryable',
      code: 'ABORTED',
      message: 'The request to the service was canceled.',
      maybeSent: phase !== 'connect',
      cause: err,
    });
  }
  if (unreachable) {
    const timedOut = codes.includes('UND_ERR_CONNECT_TIMEOUT');
    return new ApiError({
      kind: 'retryable',
      code: timedOut ? 'TIMEOUT' : 'NETWORK',
      message: `Could not reach the service (${detail}): check the internet connection and the API base URL. Sending will resume when it is reachable.`,
      maybeSent: false,
      offline: true,
      cause: err,
    });
  }
  const timedOut = codes.some(
    (c) => c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT' || c === 'ETIMEDOUT',
  );
  const what = phase === 'response' ? 'while reading its answer' : 'before it answered';
  return new ApiError({
    kind: 'retryable',
    code: timedOut ? 'TIMEOUT' : 'NETWORK',
    message: timedOut
      ? `The service stopped responding ${what} (${detail}).`
      : `The connection to the service broke ${what} (${detail}).`,
    maybeSent: true,
    offline: false,
    cause: err,
  });
}

const CODE_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'name lookup failed',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'answer stalled',
  UND_ERR_SOCKET: 'connection closed by the other side',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
};

/** A few words on why a connection failed ("connection reset"), for messages that add their own context. */
export function describeNetworkError(err: unknown): string {
  return describe(errorCodes(err));
}

function describe(codes: string[]): string {
  const first = codes.find((c) => CODE_WORDS[c]) ?? codes[0];
  if (!first) return 'unknown network error';
  return CODE_WORDS[first] ?? first;
}
