// The skills.video client: create (JSON or multipart), create with a live event stream, poll one
// generation, list the running ones. It validates before sending (a refused field costs nothing here but
// may cost a round trip and a confusing message there) and turns every failure into a classified ApiError.
import { createParser } from 'eventsource-parser';
import type { Dispatcher, FormData } from 'undici';
import { undici } from '../files/lazy-modules.ts';
import pkg from '../../../package.json' with { type: 'json' };
import {
  LIMITS,
  MODELS,
  documentedDefaults,
  generationInputSchema,
  generationSchema,
  isTerminal,
  normalizeStatus,
  runningListSchema,
  type Generation,
  type GenerationInput,
  type Model,
  type RunningItem,
} from '../../../shared/api.ts';
import {
  ApiError,
  classifyHttp,
  classifyNetworkError,
  describeNetworkError,
  type CallKind,
} from './errors.ts';
import { scrubStrings } from './scrub.ts';

export interface ClientTimeouts {
  /** Establishing a connection (only applies to the client's own dispatcher). */
  connectMs?: number;
  /** From sending a request to receiving the answer's headers. */
  headersMs?: number;
  /** Longest silence while reading an answer's body. */
  bodyMs?: number;
  /** Longest silence on an event stream: longer than bodyMs, as a stream may idle between frames. */
  sseIdleMs?: number;
}

export interface ClientOptions {
  /** e.g. https://open.skills.video/api (a trailing slash is fine); routes are `${baseUrl}/v1/...`. */
  baseUrl: string;
  apiKey: string;
  timeouts?: ClientTimeouts;
  /** Default: the client's own keep-alive pool, closed by close(). A given dispatcher is the caller's to close. */
  dispatcher?: Dispatcher;
  userAgent?: string;
  /** The `workspace` of the running list (a setting); empty or absent: the key's default workspace. */
  workspace?: string;
}

/** A local reference image, sent as a multipart file part. */
export interface LocalFile {
  fileName: string;
  contentType: string;
  data: Uint8Array;
  /**
   * Its place among all the references in the order the user gave them (files and `image_urls` together,
   * from 0); the URLs fill the other places in their own order. Without one, files go before the URLs.
   */
  position?: number;
}

const DEFAULT_TIMEOUTS: Required<ClientTimeouts> = {
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 60_000,
  sseIdleMs: 90_000,
};

/** Generation objects are small; anything past this is not one. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Enough of an error body to find its code and message (an HTML error page may be much longer). */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

const RUNNING_LIMIT_DEFAULT = 100;

/** Fields the older model does not define (API.md: sibling routes). */
const UNSUPPORTED_FIELDS: Partial<Record<Model, readonly (keyof GenerationInput)[]>> = {
  'qwen/qwen-image': ['image_size', 'num_images', 'enable_prompt_expansion'],
};

export const DEFAULT_USER_AGENT = `qwen-studio/${pkg.version}`;

function invalidInput(message: string): ApiError {
  return new ApiError({ kind: 'job', code: 'INVALID_INPUT', message, maybeSent: false });
}

/**
 * Checks a request before it is sent, the way the service would: the schema's limits, the model's own
 * fields, and the reference count across URLs and local files. Returns the body to send (no undefined or
 * null fields, prompt trimmed).
 */
export function validateGenerationInput(
  model: Model,
  input: GenerationInput,
  files: readonly LocalFile[] = [],
): GenerationInput {
  if (!(MODELS as readonly string[]).includes(model)) {
    throw invalidInput(`model: "${String(model)}" is not one of ${MODELS.join(', ')}`);
  }
  const parsed = generationInputSchema.safeParse(input);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; ');
    throw invalidInput(message);
  }
  const body = Object.fromEntries(
    Object.entries(parsed.data).filter(([, value]) => value !== undefined && value !== null),
  ) as GenerationInput;

  for (const field of UNSUPPORTED_FIELDS[model] ?? []) {
    if (body[field] !== undefined) throw invalidInput(`${field}: not supported by ${model}`);
  }
  const urls = body.image_urls?.length ?? 0;
  if (files.length + urls > LIMITS.references) {
    throw invalidInput(
      `image_urls: at most ${LIMITS.references} reference images (got ${files.length} local files and ${urls} URLs)`,
    );
  }
  for (const file of files) {
    if (!file.fileName) throw invalidInput('image_urls: a local reference file has no name');
    if (file.data.byteLength === 0)
      throw invalidInput(`image_urls: reference file ${file.fileName} is empty`);
    if (file.data.byteLength > LIMITS.referenceBytes) {
      throw invalidInput(
        `image_urls: reference file ${file.fileName} is larger than ${LIMITS.referenceBytes / (1024 * 1024)} MB`,
      );
    }
  }
  return body;
}

/**
 * The references in the order they are sent: each file at its `position`, the URLs in the free places in
 * their own order (files without a position first). Refuses positions that clash or fall outside the list.
 */
export function orderReferences(
  files: readonly LocalFile[],
  urls: readonly string[],
): Array<LocalFile | string> {
  const total = files.length + urls.length;
  const slots: Array<LocalFile | string | undefined> = Array.from({ length: total }, () => undefined);
  for (const file of files) {
    if (file.position === undefined) continue;
    const p = file.position;
    if (!Number.isInteger(p) || p < 0 || p >= total || slots[p] !== undefined) {
      throw invalidInput(
        `image_urls: reference file ${file.fileName} has position ${p}, which is not a free place among ${total} references`,
      );
    }
    slots[p] = file;
  }
  const rest: Array<LocalFile | string> = [...files.filter((f) => f.position === undefined), ...urls];
  return Array.from(slots, (slot) => slot ?? rest.shift()!);
}

/**
 * The multipart form of a create: the references under the one name `image_urls` in the user's order,
 * files and URLs mixed; other fields as text, and only those that differ from the model's documented
 * defaults (the docs do not say the service turns form text back into numbers and booleans).
 */
function toFormData(model: Model, body: GenerationInput, files: readonly LocalFile[]): FormData {
  const form = new (undici().FormData)();
  const defaults = documentedDefaults(model);
  for (const [name, value] of Object.entries(body)) {
    if (name === 'image_urls') continue;
    if (defaults[name] === value) continue;
    form.append(name, String(value));
  }
  for (const ref of orderReferences(files, body.image_urls ?? [])) {
    if (typeof ref === 'string') {
      form.append('image_urls', ref);
      continue;
    }
    // Copy into a plain ArrayBuffer: the caller's view may sit on a larger or shared buffer.
    const bytes = new Uint8Array(ref.data.byteLength);
    bytes.set(ref.data);
    form.append('image_urls', new Blob([bytes], { type: ref.contentType }), ref.fileName);
  }
  return form;
}

/** Reads a body up to `limit` bytes; past it, stops reading and reports truncation. */
async function readText(
  body: Dispatcher.ResponseData['body'],
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function isEventStream(headers: Dispatcher.ResponseData['headers']): boolean {
  const type = headers['content-type'];
  const value = Array.isArray(type) ? type[0] : type;
  return typeof value === 'string' && value.toLowerCase().startsWith('text/event-stream');
}

interface SendOptions {
  method: 'GET' | 'POST';
  path: string;
  body?: string | FormData;
  accept: string;
  bodyTimeout: number;
  signal: AbortSignal | undefined;
  onWrite?: (() => void) | undefined;
}

/**
 * Runs `hook` the moment a request is about to be written to its connection — after the connection (and
 * TLS) is up, before any byte of it leaves — and never when no connection was made. A hook that throws
 * stops the request there, unsent, and the call fails with the hook's error.
 */
function beforeWrite(hook: () => void): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) =>
    dispatch(
      opts,
      new Proxy(handler, {
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop, target);
          if (typeof value !== 'function') return value;
          if (prop !== 'onRequestStart') return value.bind(target);
          return (controller: Dispatcher.DispatchController, context: unknown) => {
            value.call(target, controller, context);
            try {
              hook();
            } catch (err) {
              controller.abort(err instanceof Error ? err : new Error(String(err)));
            }
          };
        },
      }),
    );
}

export class SkillsClient {
  readonly #origin: string;
  readonly #basePath: string;
  readonly #apiKey: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #timeouts: Required<ClientTimeouts>;
  readonly #userAgent: string;
  readonly #workspace: string;
  #closed = false;
  #destroyed = false;

  constructor(opts: ClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new Error(
        `The API base URL "${opts.baseUrl}" is not a valid URL: use e.g. https://open.skills.video/api`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`The API base URL "${opts.baseUrl}" must start with http:// or https://`);
    }
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#apiKey = (opts.apiKey ?? '').trim();
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...stripUndefined(opts.timeouts ?? {}) };
    this.#userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.#workspace = (opts.workspace ?? '').trim();
    this.#ownsDispatcher = !opts.dispatcher;
    this.#dispatcher =
      opts.dispatcher ??
      new (undici().Agent)({
        connections: 32,
        keepAliveTimeout: 30_000,
        connect: { timeout: this.#timeouts.connectMs },
      });
  }

  /**
   * Submits a generation: JSON, or multipart when local reference files are given. `onWrite` runs just
   * before the request is written to the network (see beforeWrite): the caller records that it is sent.
   */
  async create(
    model: Model,
    input: GenerationInput,
    files: LocalFile[] = [],
    signal?: AbortSignal,
    onWrite?: () => void,
  ): Promise<Generation> {
    const body = validateGenerationInput(model, input, files);
    const res = await this.#send({
      method: 'POST',
      path: `/v1/generation/${model}`,
      body: files.length > 0 ? toFormData(model, body, files) : JSON.stringify(body),
      accept: 'application/json',
      bodyTimeout: this.#timeouts.bodyMs,
      signal,
      onWrite,
    });
    return this.#readGeneration(res, true, `the create on ${model}`);
  }

  /**
   * Submits a generation and follows its event stream. Every frame goes to `onFrame` as it arrives (the
   * first one carries the id: store it before anything else). Resolves with the terminal frame; a stream
   * that ends early throws STREAM_DROPPED with `lastFrame`, so the caller can poll by id.
   */
  async createStream(
    model: Model,
    input: GenerationInput,
    onFrame: (g: Generation) => void,
    signal?: AbortSignal,
    onWrite?: () => void,
  ): Promise<Generation> {
    if (typeof onFrame !== 'function') {
      // Local files cannot go over the stream route: use create() with files, then poll.
      throw new TypeError(
        'createStream(model, input, onFrame, signal) takes JSON input only; onFrame must be a function',
      );
    }
    const body = validateGenerationInput(model, input);
    const res = await this.#send({
      method: 'POST',
      path: `/v1/generation/sse/${model}`,
      body: JSON.stringify(body),
      accept: 'text/event-stream',
      bodyTimeout: this.#timeouts.sseIdleMs,
      signal,
      onWrite,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw await this.#httpError(res, 'create');
    }
    if (!isEventStream(res.headers)) {
      // A service that answers with a plain generation object: treat it as a one-frame stream.
      const gen = await this.#readGeneration(res, true, `the stream create on ${model}`);
      onFrame(gen);
      if (isTerminal(normalizeStatus(gen.status))) return gen;
      throw streamDropped(gen, undefined);
    }
    return this.#followStream(res, onFrame, signal);
  }

  /** The current state of one generation. */
  async get(id: string, signal?: AbortSignal): Promise<Generation> {
    if (typeof id !== 'string' || id.trim() === '') throw invalidInput('id: a generation id is required');
    const res = await this.#send({
      method: 'GET',
      path: `/v1/generation/${encodeURIComponent(id)}`,
      accept: 'application/json',
      bodyTimeout: this.#timeouts.bodyMs,
      signal,
    });
    return this.#readGeneration(res, false, `generation ${id}`);
  }

  /** Queued and in-progress generations of the key's workspace (limit clamped to 1..100). */
  async running(limit: number = RUNNING_LIMIT_DEFAULT, signal?: AbortSignal): Promise<RunningItem[]> {
    const n = Number.isFinite(limit) ? Math.min(100, Math.max(1, Math.trunc(limit))) : RUNNING_LIMIT_DEFAULT;
    const res = await this.#send({
      method: 'GET',
      path: `/v1/generations/running?limit=${n}${this.#workspace ? `&workspace=${encodeURIComponent(this.#workspace)}` : ''}`,
      accept: 'application/json',
      bodyTimeout: this.#timeouts.bodyMs,
      signal,
    });
    const value = await this.#readJson(res, false, 'the running list');
    const parsed = runningListSchema.safeParse(value);
    if (!parsed.success) throw badResponse('the running list', parsed.error.issues[0]?.message, false);
    return parsed.data;
  }

  /** Closes the client's own connection pool (waits for requests in flight); a given dispatcher is left open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher && !this.#destroyed) await this.#dispatcher.close();
  }

  /** Closes the client's own pool now, failing requests in flight (quitting while streams are open). */
  async destroy(): Promise<void> {
    this.#closed = true;
    if (!this.#ownsDispatcher || this.#destroyed) return;
    this.#destroyed = true;
    await this.#dispatcher.destroy();
  }

  async #send(opts: SendOptions): Promise<Dispatcher.ResponseData> {
    if (this.#apiKey === '') {
      throw new ApiError({
        kind: 'queue',
        code: 'NO_API_KEY',
        message:
          'No API key is set: add your skills.video API key in the settings (or SKILLS_VIDEO_API_KEY), then resume.',
      });
    }
    if (!/^[\x21-\x7e]+$/.test(this.#apiKey)) {
      throw new ApiError({
        kind: 'queue',
        code: 'NO_API_KEY',
        message:
          'The API key contains spaces or characters that cannot be sent: paste the key again, then resume.',
      });
    }
    if (this.#closed) {
      throw new ApiError({
        kind: 'retryable',
        code: 'ABORTED',
        message: 'The API client was closed (the engine is shutting down); nothing was sent.',
      });
    }
    if (opts.signal?.aborted) throw classifyNetworkError(opts.signal.reason ?? abortError(), 'connect');
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: opts.accept,
      'user-agent': this.#userAgent,
    };
    if (typeof opts.body === 'string') headers['content-type'] = 'application/json';
    // The hook's own failure stopped the request before it was written: it is passed on as it is.
    let hookFailed: { error: unknown } | null = null;
    const onWrite = opts.onWrite;
    const dispatcher = onWrite
      ? this.#dispatcher.compose(
          beforeWrite(() => {
            try {
              onWrite();
            } catch (error) {
              hookFailed = { error };
              throw error;
            }
          }),
        )
      : this.#dispatcher;
    try {
      return await dispatcher.request({
        origin: this.#origin,
        path: this.#basePath + opts.path,
        method: opts.method,
        headers,
        body: opts.body ?? null,
        signal: opts.signal ?? null,
        headersTimeout: this.#timeouts.headersMs,
        bodyTimeout: opts.bodyTimeout,
      });
    } catch (err) {
      if (hookFailed) throw (hookFailed as { error: unknown }).error;
      throw this.#scrub(classifyNetworkError(err, 'request'));
    }
  }

  async #readJson(res: Dispatcher.ResponseData, create: boolean, what: string): Promise<unknown> {
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw await this.#httpError(res, create ? 'create' : 'read');
    }
    let text: string;
    try {
      const read = await readText(res.body, MAX_ANSWER_BYTES);
      if (read.truncated) throw badResponse(what, `larger than ${MAX_ANSWER_BYTES} bytes`, create);
      text = read.text;
    } catch (err) {
      throw this.#scrub(err instanceof ApiError ? err : classifyNetworkError(err, 'response'));
    }
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      throw badResponse(what, 'not JSON', create);
    }
    return scrubStrings(value, this.#secrets());
  }

  async #readGeneration(res: Dispatcher.ResponseData, create: boolean, what: string): Promise<Generation> {
    const value = await this.#readJson(res, create, what);
    const parsed = generationSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badResponse(
        what,
        issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : undefined,
        create,
      );
    }
    return parsed.data;
  }

  async #httpError(res: Dispatcher.ResponseData, call: CallKind): Promise<ApiError> {
    let text = '';
    try {
      text = (await readText(res.body, MAX_ERROR_BODY_BYTES)).text;
    } catch {
      // The status alone classifies the error; a body cut short only loses the service's wording.
    }
    return this.#scrub(classifyHttp(res.statusCode, text, res.headers, call));
  }

  async #followStream(
    res: Dispatcher.ResponseData,
    onFrame: (g: Generation) => void,
    signal: AbortSignal | undefined,
  ): Promise<Generation> {
    let lastFrame: Generation | null = null;
    let terminal: Generation | null = null;
    let callbackFailure: { error: unknown } | null = null;

    const parser = createParser({
      onEvent: (event) => {
        if (terminal || callbackFailure) return;
        const gen = parseFrame(event.data, this.#secrets());
        // Frames without a generation (pings, unknown event kinds) and frames of another id are not ours.
        if (!gen || (lastFrame && gen.id !== lastFrame.id)) return;
        lastFrame = gen;
        try {
          onFrame(gen);
        } catch (error) {
          callbackFailure = { error };
          return;
        }
        if (isTerminal(normalizeStatus(gen.status))) terminal = gen;
      },
    });

    const decoder = new TextDecoder();
    let failure: unknown;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (terminal || callbackFailure) break;
      }
      // A last frame not followed by a blank line still counts.
      if (!terminal && !callbackFailure) parser.feed(`${decoder.decode()}\n\n`);
    } catch (err) {
      failure = err;
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }

    const failed = callbackFailure as { error: unknown } | null;
    if (failed) throw failed.error;
    if (terminal) return terminal;
    if (failure !== undefined && signal?.aborted) {
      throw this.#scrub(classifyNetworkError(failure, 'response')).withLastFrame(lastFrame);
    }
    throw this.#scrub(streamDropped(lastFrame, failure));
  }

  /** The key must never travel inside an error, even if the service echoes it back. */
  #scrub(err: ApiError): ApiError {
    return err.scrubbed(this.#secrets());
  }

  #secrets(): string[] {
    return this.#apiKey ? [this.#apiKey] : [];
  }
}

function parseFrame(data: string, secrets: readonly string[]): Generation | null {
  if (!data.trim()) return null;
  try {
    const parsed = generationSchema.safeParse(scrubStrings(JSON.parse(data), secrets));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function streamDropped(lastFrame: Generation | null, cause: unknown): ApiError {
  const why = cause === undefined ? 'the service closed it' : describeNetworkError(cause);
  const next = lastFrame
    ? `generation ${lastFrame.id} will be followed by polling.`
    : 'no generation id arrived, so the running list must be checked before sending it again.';
  return new ApiError({
    kind: 'retryable',
    code: 'STREAM_DROPPED',
    message: `The live progress stream ended before the generation finished (${why}); ${next}`,
    maybeSent: true,
    lastFrame,
    cause,
  });
}

function badResponse(what: string, detail: string | undefined, create: boolean): ApiError {
  return new ApiError({
    kind: 'retryable',
    code: 'BAD_RESPONSE',
    message: `The service's answer to ${what} was not understood${detail ? ` (${detail})` : ''}.`,
    // A 2xx to a create that we cannot read may still have been accepted.
    maybeSent: create,
  });
}

function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
