import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  classifyHttp,
  classifyNetworkError,
  codeSuffix,
  parseRetryAfter,
} from '../../main/engine/api/errors.ts';
import { API_STATUS_TABLE } from '../fixtures/status-table.ts';

describe('classifyHttp: the status table of API.md', () => {
  const rows = API_STATUS_TABLE;

  it.each(rows)('%i %s → %s, with the service message', (status, code, kind) => {
    const body = JSON.stringify({ ...(code ? { code } : {}), message: `service says ${status}` });
    const err = classifyHttp(status, body, {});
    expect(err).toBeInstanceOf(ApiError);
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code ?? `HTTP_${status}`);
    expect(err.message).toBe(`service says ${status}`);
    expect(err.maybeSent).toBe(false); // a read by default
    expect(err.offline).toBe(false);
    expect(err.retryAfterMs).toBeNull();
  });

  it('falls back to `error` when `code` is absent, and accepts an already parsed body', () => {
    const err = classifyHttp(429, { error: 'IMAGE_GENERATION_RATE_LIMITED', message: 'slow down' }, {});
    expect(err.code).toBe('IMAGE_GENERATION_RATE_LIMITED');
    expect(err.kind).toBe('retryable');
    expect(err.message).toBe('slow down');
  });

  it('lets a specific code decide over a generic status', () => {
    expect(classifyHttp(400, { code: 'IMAGE_GENERATION_INSUFFICIENT_CREDITS' }, {}).kind).toBe('queue');
    expect(classifyHttp(400, { code: 'RATE_LIMITED' }, {}).kind).toBe('retryable');
    expect(classifyHttp(500, { code: 'image_generation_content_rejected' }, {}).kind).toBe('job');
    // An unknown code leaves the status in charge.
    expect(classifyHttp(503, { code: 'SOMETHING_NEW' }, {}).kind).toBe('retryable');
    // 401 is about the key, whatever the body says.
    expect(classifyHttp(401, { code: 'IMAGE_GENERATION_INVALID_INPUT' }, {}).kind).toBe('queue');
  });

  it('writes a clear sentence when the service sent no message', () => {
    const err = classifyHttp(503, '', {});
    expect(err.message).toMatch(/^The service answered 503 Service Unavailable\./);
    expect(err.code).toBe('HTTP_503');
    expect(classifyHttp(402, '{}', {}).message).toMatch(/402 Payment Required.*credits/);
    expect(classifyHttp(401, '', {}).message).toMatch(/API key/);
  });

  it('classifies an HTML error page from a proxy without a parse error', () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    const err = classifyHttp(502, html, { 'content-type': 'text/html' });
    expect(err.kind).toBe('retryable');
    expect(err.code).toBe('HTTP_502');
    expect(err.message).toMatch(/^The service answered 502 Bad Gateway/);
    expect(err.message).not.toContain('<html>');
    expect(classifyHttp(400, '{"code": "IMAGE_GEN', {}).kind).toBe('job');
    expect(classifyHttp(500, '[1,2]', {}).kind).toBe('retryable');
  });

  it('on a read (poll, running list) nothing can have been created: never maybe sent', () => {
    for (const [status, code] of API_STATUS_TABLE) {
      expect(classifyHttp(status, { code, message: 'm' }, {}, 'read').maybeSent).toBe(false);
      expect(classifyHttp(status, '<html>proxy</html>', {}, 'read').maybeSent).toBe(false);
    }
  });

  it.each(rows)(
    'a create answered %i %s: maybe sent unless the service itself refused it',
    (status, code, kind, refused) => {
      const body = JSON.stringify({ ...(code ? { code } : {}), error: 'Err', message: `said ${status}` });
      const err = classifyHttp(status, body, {}, 'create');
      expect(err.kind).toBe(kind);
      expect(err.maybeSent).toBe(!refused);
    },
  );

  it('a create answered by anything but the service’s own JSON refusal is ambiguous', () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    const ambiguous: [number, unknown][] = [
      [502, html],
      [500, ''],
      [503, '<html>503 Service Temporarily Unavailable</html>'], // a proxy's 503, not the service's
      [503, { code: 'IMAGE_GENERATION_FAILED', message: 'x' }],
      [504, html],
      [504, { code: 'IMAGE_GENERATION_TIMEOUT', message: 'timed out' }],
      [429, ''], // a 429 without the service's code may come from anywhere on the path
      [400, html],
      [401, 'Unauthorized'],
      [422, '{"code": "IMAGE_GEN'], // cut short: not a readable answer
      [408, { code: 'IMAGE_GENERATION_TIMEOUT' }],
      [520, ''],
    ];
    for (const [status, body] of ambiguous) {
      const err = classifyHttp(status, body, {}, 'create');
      expect({ status, maybeSent: err.maybeSent }).toEqual({ status, maybeSent: true });
    }
    const refused: [number, unknown][] = [
      [400, { error: 'IMAGE_GENERATION_INVALID_INPUT', message: 'bad' }],
      [401, { error: 'Unauthorized', message: 'key' }],
      [404, { message: 'no route' }],
      [413, { code: 'IMAGE_GENERATION_INVALID_INPUT', message: 'too large' }],
      [429, { error: 'image_generation_rate_limited' }],
      [503, { code: 'PROVIDER_UNAVAILABLE', message: 'down' }],
    ];
    for (const [status, body] of refused) {
      const err = classifyHttp(status, body, {}, 'create');
      expect({ status, maybeSent: err.maybeSent }).toEqual({ status, maybeSent: false });
    }
  });

  it.each(rows.filter(([status]) => status >= 401 && status <= 403))(
    'a create answered %i by a page that is not the service’s: ambiguous, still about the key or credits',
    (status, _code, kind) => {
      const html = `<html><head><title>${status}</title></head><body>corporate proxy</body></html>`;
      const err = classifyHttp(status, html, { 'content-type': 'text/html' }, 'create');
      expect(err).toMatchObject({ kind, maybeSent: true, code: `HTTP_${status}` });
      // The pause message says what to fix and that the generation is looked for, not sent again.
      expect(err.message).toMatch(status === 402 ? /credits/ : /API key/);
      expect(err.message).toMatch(/may have been accepted anyway: it is looked for/);
      expect(err.message).not.toContain('<html>');
    },
  );

  it('treats other statuses sensibly: 408 retryable, 413 job, redirects pause the queue', () => {
    expect(classifyHttp(408, '', {}).kind).toBe('retryable');
    expect(classifyHttp(413, '', {}).kind).toBe('job');
    expect(classifyHttp(301, '', {}).kind).toBe('queue');
  });

  it('reads Retry-After in seconds and as an HTTP date, header name in any case', () => {
    expect(classifyHttp(429, '', { 'retry-after': '7' }).retryAfterMs).toBe(7000);
    expect(classifyHttp(503, '', { 'Retry-After': ['3', '9'] }).retryAfterMs).toBe(3000);
    const future = new Date(Date.now() + 3_600_000).toUTCString();
    const fromDate = classifyHttp(429, '', { 'retry-after': future }).retryAfterMs;
    expect(fromDate).toBeGreaterThan(3_500_000);
    expect(fromDate).toBeLessThanOrEqual(3_600_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('parses delta seconds and dates relative to now', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
  });
  it('turns a date in the past into 0 and nonsense into null', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
  });
});

describe('codeSuffix', () => {
  it('strips the image route prefix and ignores case', () => {
    expect(codeSuffix('IMAGE_GENERATION_RATE_LIMITED')).toBe('RATE_LIMITED');
    expect(codeSuffix('image_generation_timeout')).toBe('TIMEOUT');
    expect(codeSuffix('RATE_LIMITED')).toBe('RATE_LIMITED');
  });
});

function sysError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyNetworkError', () => {
  it('connection refused or unknown host: offline, nothing sent', () => {
    for (const err of [
      sysError('ECONNREFUSED'),
      sysError('ENOTFOUND'),
      sysError('EAI_AGAIN'),
      sysError('ENETUNREACH'),
      // fetch wraps the socket error in a TypeError's cause
      new TypeError('fetch failed', { cause: sysError('ECONNREFUSED') }),
      // happy-eyeballs connects fail with one error per address
      new AggregateError([sysError('ECONNREFUSED'), sysError('EHOSTUNREACH')], 'connect failed'),
    ]) {
      const api = classifyNetworkError(err, 'request');
      expect(api.kind).toBe('retryable');
      expect(api.code).toBe('NETWORK');
      expect(api.offline).toBe(true);
      expect(api.maybeSent).toBe(false);
      expect(api.status).toBeNull();
      expect(api.cause).toBe(err);
    }
  });

  it('connect timeout: offline, nothing sent, code TIMEOUT', () => {
    const api = classifyNetworkError(new undiciErrors.ConnectTimeoutError(), 'request');
    expect(api).toMatchObject({ kind: 'retryable', code: 'TIMEOUT', offline: true, maybeSent: false });
  });

  it('header and body timeouts after sending: maybe sent', () => {
    const headers = classifyNetworkError(new undiciErrors.HeadersTimeoutError(), 'request');
    expect(headers).toMatchObject({ kind: 'retryable', code: 'TIMEOUT', offline: false, maybeSent: true });
    const body = classifyNetworkError(new undiciErrors.BodyTimeoutError(), 'response');
    expect(body).toMatchObject({ kind: 'retryable', code: 'TIMEOUT', offline: false, maybeSent: true });
  });

  it('a reset or closed socket after connecting: maybe sent', () => {
    for (const err of [
      new undiciErrors.SocketError('other side closed'),
      sysError('ECONNRESET'),
      sysError('EPIPE'),
    ]) {
      expect(classifyNetworkError(err, 'request')).toMatchObject({
        kind: 'retryable',
        code: 'NETWORK',
        offline: false,
        maybeSent: true,
      });
    }
  });

  it('phase connect means nothing was written, whatever the error', () => {
    expect(classifyNetworkError(sysError('ECONNRESET'), 'connect').maybeSent).toBe(false);
  });

  it('an abort is its own code and keeps the maybe-sent answer of its phase', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(classifyNetworkError(abort, 'request')).toMatchObject({ code: 'ABORTED', maybeSent: true });
    expect(classifyNetworkError(abort, 'connect')).toMatchObject({ code: 'ABORTED', maybeSent: false });
  });

  it('passes an ApiError through unchanged and copes with non-errors', () => {
    const original = classifyHttp(500, '', {});
    expect(classifyNetworkError(original, 'response')).toBe(original);
    expect(classifyNetworkError('boom', 'request')).toMatchObject({ code: 'NETWORK', maybeSent: true });
    expect(classifyNetworkError(undefined, 'request').message).toMatch(/unknown network error/);
  });
});

describe('ApiError', () => {
  it('serializes its fields but not its cause', () => {
    const err = classifyNetworkError(sysError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'request');
    const json = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'ApiError',
      kind: 'retryable',
      code: 'NETWORK',
      offline: true,
      maybeSent: false,
    });
    expect(json.message).toBe(err.message);
    expect(json).not.toHaveProperty('cause');
  });

  it('copies keep every field', () => {
    const err = classifyHttp(429, { code: 'RATE_LIMITED', message: 'm' }, { 'retry-after': '2' });
    const copy = err.withMessage('other').withLastFrame({ id: 'gen_1', status: 'IN_QUEUE' });
    expect(copy).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED', status: 429, retryAfterMs: 2000 });
    expect(copy.message).toBe('other');
    expect(copy.lastFrame).toEqual({ id: 'gen_1', status: 'IN_QUEUE' });
    expect(err.lastFrame).toBeUndefined();
  });
});
