// Fetches one finished result from the CDN into the library folder. A file only ever appears under its
// final name complete, checked and fsynced: the bytes are received in memory (at most `maxBytes`), checked,
// given their embedded metadata by the caller's `prepare`, and written once through the atomic-write helper
// (temporary file, fsync, rename). Any failure leaves everything already stored alone.
//
// How completeness is judged: the byte count must match Content-Length when one is sent, and the file's
// own structure must be whole (PNG chunks up to IEND, JPEG EOI, WebP RIFF size, GIF trailer; see
// image-format.ts). `sharp().metadata()` then parses the header for the dimensions. We deliberately do not
// decode every pixel here: truncation is the failure that happens in practice (TLS already guards the bytes
// that do arrive), and the thumbnailer decodes the whole image right after anyway.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sharp } from '../files/lazy-modules.ts';
import type { Metadata } from 'sharp';
import type { Dispatcher } from 'undici';
import { undici } from '../files/lazy-modules.ts';
import {
  extensionFor,
  findTruncation,
  formatFromMime,
  mimeFor,
  sniffImageFormat,
  type ImageFormat,
} from './image-format.ts';
import { writeFileAtomic } from '../files/atomic-write.ts';

/**
 * What the caller should do next: `expired` → poll the generation again for a fresh link; `transient` →
 * retry later with backoff; `invalid` → these bytes will never be an image, fail the job; `disk` → pause
 * the queue until the person frees space or fixes the folder.
 */
export type DownloadErrorKind = 'expired' | 'transient' | 'invalid' | 'disk';

export class DownloadError extends Error {
  readonly kind: DownloadErrorKind;
  /** The HTTP status that caused the failure, when there was one. */
  readonly status: number | null;

  constructor(
    kind: DownloadErrorKind,
    message: string,
    options: { status?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DownloadError';
    this.kind = kind;
    this.status = options.status ?? null;
  }
}

export interface DownloadedImage {
  path: string;
  /** sha256 and size of the bytes as downloaded (what the service made). */
  sha256: string;
  bytes: number;
  /** sha256 and size of the stored file (the downloaded bytes plus what `prepare` added); null when reused. */
  fileSha256: string | null;
  fileBytes: number | null;
  width: number;
  height: number;
  format: ImageFormat;
  /** The MIME type of the stored bytes (from the bytes, not from the server's header). */
  contentType: string;
  /** True when the bytes were already in the library and that file is returned instead of a new one. */
  reused: boolean;
  /**
   * True when `expectedFormat` was given and the bytes are another (valid) format. The image is still
   * kept under the extension of its real format: a paid result is never thrown away over a label.
   */
  unexpectedFormat: boolean;
}

export interface DownloadOptions {
  url: string;
  /** Target folder (created if missing). */
  dir: string;
  /** Human part of the file name, already slugged by the caller, e.g. "0001-a-red-car". */
  baseName: string;
  expectedFormat?: 'png' | 'jpeg' | 'webp';
  /** Default 100 MB. */
  maxBytes?: number;
  /** Aborting rejects with the signal's reason (an AbortError by default), not with a DownloadError. */
  signal?: AbortSignal;
  /** Used as is (redirects are followed on top of it); `timeouts.connectMs` applies only without one. */
  dispatcher?: Dispatcher;
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  /**
   * The library's lookup: an absolute path of a stored file with these bytes. If that file exists with
   * the same size, the new file is dropped and that path returned with `reused: true`.
   */
  findExisting?: (sha256: string) => string | null;
  /**
   * Whether a file already on disk holds these downloaded bytes. Default: same size and same sha256. The
   * library passes a check that ignores the metadata it embeds after download, so a file it has already
   * annotated is recognised as the same image.
   */
  sameContent?: (existingPath: string, sha256: string, bytes: number) => Promise<boolean>;
  /**
   * The bytes to store for checked image bytes (e.g. with metadata embedded), so the file is written once.
   * Not called for a reused file. Default: the downloaded bytes.
   */
  prepare?: (bytes: Buffer, image: CheckedImage) => Buffer;
}

/** What the download learnt about the bytes before storing them. */
export interface CheckedImage {
  sha256: string;
  format: ImageFormat;
  width: number;
  height: number;
}

async function sameBytes(existingPath: string, sha256: string, bytes: number): Promise<boolean> {
  return (await isFileOfSize(existingPath, bytes)) && (await sha256File(existingPath)) === sha256;
}

export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
const DEFAULT_TIMEOUTS = { connectMs: 15_000, headersMs: 60_000, bodyMs: 60_000 };
const MAX_REDIRECTS = 5;

// Content types a CDN may put on any file; everything else that is not an image contradicts image bytes.
const GENERIC_BINARY_TYPES = new Set([
  'application/octet-stream',
  'binary/octet-stream',
  'application/binary',
]);

const defaultAgents = new Map<number, Dispatcher>();

function dispatcherFor(opts: DownloadOptions, connectMs: number): Dispatcher {
  const redirect = undici().interceptors.redirect({
    maxRedirections: MAX_REDIRECTS,
    throwOnMaxRedirect: true,
  });
  if (opts.dispatcher) return opts.dispatcher.compose(redirect);
  let agent = defaultAgents.get(connectMs);
  if (!agent) {
    agent = new (undici().Agent)({ connectTimeout: connectMs }).compose(redirect);
    defaultAgents.set(connectMs, agent);
  }
  return agent;
}

export async function downloadImage(opts: DownloadOptions): Promise<DownloadedImage> {
  const { dir } = opts;
  checkBaseName(opts.baseName);
  const url = parseUrl(opts.url);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  opts.signal?.throwIfAborted();

  // Prepare the disk before touching the network: a full or read-only disk should not spend the link.
  await disk(dir, () => mkdir(dir, { recursive: true }));
  const fetched = await fetchBytes(url, opts, maxBytes);
  const buf = fetched.bytes;
  const checked = await checkImage(buf, fetched.contentType, url);
  const sha256 = fetched.sha256;
  const common = {
    sha256,
    bytes: buf.length,
    width: checked.width,
    height: checked.height,
    format: checked.format,
    contentType: mimeFor(checked.format),
    unexpectedFormat: opts.expectedFormat !== undefined && opts.expectedFormat !== checked.format,
  };
  const reused = (p: string): DownloadedImage => ({
    ...common,
    path: p,
    reused: true,
    fileSha256: null,
    fileBytes: null,
  });

  const same = opts.sameContent ?? sameBytes;
  const known = opts.findExisting?.(sha256) ?? null;
  if (known !== null && (await exists(known)) && (await same(known, sha256, buf.length)))
    return reused(known);

  const ext = extensionFor(checked.format);
  let finalPath = path.join(dir, `${opts.baseName}-${sha256.slice(0, 10)}.${ext}`);
  if ((await exists(finalPath)) && (await same(finalPath, sha256, buf.length))) return reused(finalPath);
  if (await exists(finalPath)) {
    // A different file holds the short name (a 40-bit prefix collision, or a damaged file): never
    // overwrite it; the full hash cannot collide.
    finalPath = path.join(dir, `${opts.baseName}-${sha256}.${ext}`);
  }
  const stored = opts.prepare ? opts.prepare(buf, { sha256, ...checked }) : buf;
  opts.signal?.throwIfAborted();
  await disk(dir, () => writeFileAtomic(finalPath, stored));
  return {
    ...common,
    path: finalPath,
    reused: false,
    fileSha256: stored === buf ? sha256 : createHash('sha256').update(stored).digest('hex'),
    fileBytes: stored.length,
  };
}

interface Fetched {
  sha256: string;
  bytes: Buffer;
  contentType: string;
}

async function fetchBytes(url: URL, opts: DownloadOptions, maxBytes: number): Promise<Fetched> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const host = url.host;
  let contentLength: number | null = null;
  let received = 0;
  try {
    // No Authorization here, ever: the CDN link carries its own access and the API key stays with the API.
    const res = await undici().request(url, {
      method: 'GET',
      dispatcher: dispatcherFor(opts, timeouts.connectMs),
      signal: opts.signal,
      headers: {
        accept: 'image/png,image/jpeg,image/webp,image/gif;q=0.9,*/*;q=0.1',
        // A compressed transfer would make the bytes differ from the image and Content-Length meaningless.
        'accept-encoding': 'identity',
        'user-agent': 'qwen-studio',
      },
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
    });
    const { statusCode, headers, body } = res;
    if (statusCode < 200 || statusCode >= 300 || statusCode === 204 || statusCode === 206) {
      const sample = await readSample(body);
      throw statusError(statusCode, host, sample);
    }
    const contentType = headerValue(headers['content-type']) ?? '';
    contentLength = parseLength(headerValue(headers['content-length']));
    if (contentLength !== null && contentLength > maxBytes) {
      discard(body);
      throw tooLarge(contentLength, maxBytes, host);
    }

    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) throw tooLarge(received, maxBytes, host);
      hash.update(chunk);
      chunks.push(chunk);
    }
    if (contentLength !== null && received !== contentLength) {
      throw new DownloadError(
        'transient',
        `The download from ${host} was cut short: got ${received} of ${contentLength} bytes — it will be retried.`,
      );
    }
    return { sha256: hash.digest('hex'), bytes: Buffer.concat(chunks, received), contentType };
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    throw networkError(err, host, received, contentLength);
  }
}

async function checkImage(
  buf: Buffer,
  contentType: string,
  url: URL,
): Promise<{ format: ImageFormat; width: number; height: number }> {
  const host = url.host;
  if (buf.length === 0) {
    throw new DownloadError(
      'transient',
      `The result link on ${host} sent an empty file — it will be retried.`,
    );
  }
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  // Any image/* label is tolerated even if it names another format: the bytes decide. A label that is not
  // an image at all (text/html, application/json, …) means we were handed a page, not the result.
  if (mime !== '' && !mime.startsWith('image/') && !GENERIC_BINARY_TYPES.has(mime)) {
    throw new DownloadError(
      'invalid',
      `The result link on ${host} returned ${mime} instead of an image${describeSample(buf)}.`,
    );
  }
  const format = sniffImageFormat(buf.subarray(0, 16));
  if (format === null) {
    const declared = formatFromMime(mime);
    throw new DownloadError(
      'invalid',
      `The result from ${host} is not a PNG, JPEG, WebP or GIF image` +
        (declared ? ` although it was labelled ${mime}` : '') +
        describeSample(buf) +
        '.',
    );
  }
  const truncation = findTruncation(format, buf);
  if (truncation !== null) {
    throw new DownloadError(
      'transient',
      `The download from ${host} was cut short: ${truncation} (${buf.length} bytes received) — it will be retried.`,
    );
  }
  let meta: Metadata;
  try {
    // From memory, not from the path: sharp may keep a file open (on Windows that blocks the rename).
    meta = await sharp(buf).metadata();
  } catch (err) {
    throw new DownloadError(
      'invalid',
      `The result from ${host} looks like ${format.toUpperCase()} but cannot be read: ${errorText(err)}.`,
      { cause: err },
    );
  }
  if (!meta.width || !meta.height) {
    throw new DownloadError('invalid', `The result from ${host} has no readable width and height.`);
  }
  return { format, width: meta.width, height: meta.height };
}

/** Streaming sha256 of a file, hex. */
export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(filePath), hash);
  return hash.digest('hex');
}

/**
 * A human file-name part: letters and digits of any script (CJK included) kept and lower-cased, every run
 * of anything else collapsed to one '-', trimmed, cut to `maxLen` characters; "image" when nothing is left.
 * Device names like "con" need no care: stored names always carry a hash suffix.
 */
export function slugForFile(text: string, maxLen = 48): string {
  const slug = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  // Cut by code points so no surrogate pair is split, then drop a dangling separator or combining mark.
  const cut = Array.from(slug)
    .slice(0, Math.max(1, maxLen))
    .join('')
    .replace(/[-\p{M}]+$/u, '');
  return cut === '' ? 'image' : cut;
}

/** The 'disk' (or, for running out of file handles, 'transient') DownloadError for a file-system failure. */
export function downloadErrorFromFs(err: unknown, dir: string): DownloadError {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  const opts = { cause: err };
  switch (code) {
    case 'ENOSPC':
      return new DownloadError(
        'disk',
        `The disk holding ${dir} is full — free some space, then resume the queue.`,
        opts,
      );
    case 'EDQUOT':
      return new DownloadError(
        'disk',
        `Your disk quota on the disk holding ${dir} is used up — free some space, then resume the queue.`,
        opts,
      );
    case 'EACCES':
    case 'EPERM':
      return new DownloadError(
        'disk',
        `Cannot write to ${dir}: permission denied — fix the folder's permissions or choose another data folder, then resume the queue.`,
        opts,
      );
    case 'EROFS':
      return new DownloadError(
        'disk',
        `Cannot write to ${dir}: the disk is read-only — choose another data folder, then resume the queue.`,
        opts,
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return new DownloadError(
        'disk',
        `Cannot use ${dir} as a folder: part of that path is a file — choose another data folder, then resume the queue.`,
        opts,
      );
    case 'EMFILE':
    case 'ENFILE':
      return new DownloadError(
        'transient',
        `Too many files are open to save into ${dir} right now — it will be retried.`,
        opts,
      );
    default:
      return new DownloadError(
        'disk',
        `Could not save the image in ${dir} (${code || 'error'}: ${errorText(err)}) — check the disk, then resume the queue.`,
        opts,
      );
  }
}

// ---- helpers -------------------------------------------------------------------------------------------

async function disk<T>(dir: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw downloadErrorFromFs(err, dir);
  }
}

async function isFileOfSize(p: string, size: number): Promise<boolean> {
  try {
    const s = await stat(p);
    return s.isFile() && s.size === size;
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

function checkBaseName(baseName: string): void {
  // The caller slugs it; a separator or a leading dot here is a programming error, not a user's mistake.
  if (baseName === '' || /[/\\\0]/.test(baseName) || baseName.startsWith('.')) {
    throw new TypeError(
      `downloadImage: baseName must be a plain file-name part, got ${JSON.stringify(baseName)}`,
    );
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DownloadError(
      'invalid',
      `The result link is not a valid URL (${JSON.stringify(raw.slice(0, 80))}).`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DownloadError(
      'invalid',
      `The result link uses ${url.protocol} — only http and https links can be downloaded.`,
    );
  }
  return url;
}

function statusError(status: number, host: string, sample: string): DownloadError {
  const detail = sample ? ` (${sample})` : '';
  if (status === 401 || status === 403 || status === 404 || status === 410) {
    return new DownloadError(
      'expired',
      `The result link on ${host} answered ${status}${detail}: it is no longer valid — fetch the generation again for a fresh link.`,
      { status },
    );
  }
  if (status === 408 || status === 429 || status >= 500) {
    return new DownloadError(
      'transient',
      `The result link on ${host} answered ${status}${detail} — it will be retried.`,
      {
        status,
      },
    );
  }
  if (status >= 400) {
    // Other refusals (400 from a signed-URL check, 416, …) are also cured by a freshly issued link.
    return new DownloadError(
      'expired',
      `The result link on ${host} answered ${status}${detail} — fetch the generation again for a fresh link.`,
      { status },
    );
  }
  if (status >= 300) {
    return new DownloadError(
      'transient',
      `The result link on ${host} redirected (${status}) without a usable target — it will be retried.`,
      {
        status,
      },
    );
  }
  return new DownloadError('invalid', `The result link on ${host} answered ${status} without the image.`, {
    status,
  });
}

const NETWORK_WORDS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'could not connect in time',
  UND_ERR_HEADERS_TIMEOUT: 'the server did not answer in time',
  UND_ERR_BODY_TIMEOUT: 'the transfer stalled',
  UND_ERR_REDIRECT_MAX: 'too many redirects',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved',
};

function networkError(
  err: unknown,
  host: string,
  received: number,
  contentLength: number | null,
): DownloadError {
  const code = errorCode(err);
  const what = NETWORK_WORDS[code] ?? errorText(err);
  if (contentLength !== null && received < contentLength) {
    return new DownloadError(
      'transient',
      `The download from ${host} was cut short: got ${received} of ${contentLength} bytes (${what}) — it will be retried.`,
      { cause: err },
    );
  }
  return new DownloadError(
    'transient',
    `Could not download the result from ${host}: ${what} — it will be retried.`,
    {
      cause: err,
    },
  );
}

function tooLarge(bytes: number, maxBytes: number, host: string): DownloadError {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return new DownloadError(
    'invalid',
    `The result from ${host} is larger than the ${mb(maxBytes)} limit (at least ${mb(bytes)}); it was not saved.`,
  );
}

/** Drops a body we will not read; undici reports the destroy as an error event nobody needs. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** A little of an error body, so "AccessDenied"-style answers show up in the message. */
async function readSample(body: Dispatcher.ResponseData['body']): Promise<string> {
  try {
    let text = '';
    for await (const chunk of body as AsyncIterable<Buffer>) {
      text += chunk.toString('utf8');
      if (text.length >= 200) break; // leaving the loop destroys the body
    }
    return printable(text, 120);
  } catch {
    return '';
  }
}

function describeSample(buf: Buffer): string {
  const text = printable(buf.subarray(0, 200).toString('utf8'), 80);
  return text ? ` (it starts with "${text}")` : '';
}

function printable(text: string, max: number): string {
  const clean = text
    .replace(/[\p{Cc}\ufffd]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function parseLength(v: string | undefined): number | null {
  if (v === undefined || !/^\d+$/.test(v.trim())) return null;
  return Number(v.trim());
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return '';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
