// The API routes proper: create (plain and SSE), poll, and the running list, with the faults that
// belong to each.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import { LIMITS, MODELS, type Model } from '../../shared/api.ts';
import { apiView, createView, runningItem } from './api-view.ts';
import { parseCreateBody, type CreateRequest, type Upload } from './create-input.ts';
import { defaultAspect, outputSize, type GenerationPlan } from './generation.ts';
import { ApiError, readBody, sendJson } from './http-util.ts';
import { streamGeneration } from './sse.ts';
import type { SimState } from './state.ts';

/** Four references at the per-file cap, plus room for the text fields. */
const MAX_BODY_BYTES = LIMITS.references * LIMITS.referenceBytes + 1024 * 1024;

export interface RouteContext {
  state: SimState;
  req: IncomingMessage;
  res: ServerResponse;
  /** Key fingerprint of the caller. */
  owner: string;
  /** Scheme, host and port the caller reached us on: the base of every URL we hand out. */
  origin: string;
  maxImageSide: number;
  creditsPerImage: number | undefined;
  sseKeepAliveMs: number;
  log: (line: string) => void;
}

export function isModel(name: string): name is Model {
  return (MODELS as readonly string[]).includes(name);
}

export async function handleCreate(ctx: RouteContext, modelName: string, sse: boolean): Promise<void> {
  const { state, req, res } = ctx;
  if (!isModel(modelName)) {
    throw new ApiError(
      400,
      'UNSUPPORTED_MODEL',
      `Model "${modelName}" is not supported; use one of ${MODELS.join(', ')}.`,
    );
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  const { faults, faultRandom } = state;

  if (faultRandom.chance(faults.rateLimit429)) {
    state.ledger.countFault('rateLimit429');
    throw rateLimited(state, 'Too many requests (simulated rate limit). Wait and retry.');
  }
  if (faultRandom.chance(faults.create5xx)) {
    state.ledger.countFault('create5xx');
    throw state.nextCreate5xx() === 500
      ? new ApiError(500, 'FAILED', 'The service failed to accept the generation (simulated). Retry later.')
      : new ApiError(
          503,
          'PROVIDER_UNAVAILABLE',
          'The image provider is unavailable (simulated). Retry later.',
        );
  }

  const request = await parseCreateBody(req.headers['content-type'], body, modelName, { jsonOnly: sse });
  const prompt = request.input.prompt;
  const patternRejects = state.rejectPattern?.test(prompt) ?? false;
  if (patternRejects || faultRandom.chance(faults.rejectRate)) {
    state.ledger.countFault(patternRejects ? 'rejectPattern' : 'rejectRate');
    throw new ApiError(
      422,
      'CONTENT_REJECTED',
      'The prompt or a reference image was rejected by content moderation (simulated). Change it and try again.',
    );
  }
  const plan = await planGeneration(ctx, modelName, request);
  // From here to accept() nothing awaits, so concurrent creates cannot all slip under the cap or balance.
  const now = Date.now();
  if (faults.concurrencyCap !== null && state.running(ctx.owner, now).length >= faults.concurrencyCap) {
    state.ledger.countFault('concurrencyCap');
    throw rateLimited(
      state,
      `Too many generations running for this key (at most ${faults.concurrencyCap}). Wait for one to finish and retry.`,
    );
  }
  const cost = plan.creditsPerImage * plan.numImages;
  const left = state.creditsLeft(now);
  if (cost > left) {
    state.ledger.countFault('credits');
    throw new ApiError(
      402,
      'INSUFFICIENT_CREDITS',
      `Not enough credits: this generation needs ${cost}, the workspace has ${left} left. Top up in the skills.video billing page.`,
    );
  }

  const failsByPattern = state.failPattern?.test(prompt) ?? false;
  plan.fails = failsByPattern || faultRandom.chance(faults.failRate);
  if (plan.fails) state.ledger.countFault(failsByPattern ? 'failPattern' : 'failRate');
  plan.canceled = !plan.fails && faultRandom.chance(faults.remoteCancel);
  if (plan.canceled) state.ledger.countFault('remoteCancel');
  const generation = state.accept(plan);
  const fate = plan.fails ? ', will fail' : plan.canceled ? ', will be canceled' : '';
  ctx.log(
    `accepted ${generation.id} (${modelName}, ${plan.numImages} image(s), ${Math.round(plan.durationMs)} ms${fate})`,
  );
  if (faultRandom.chance(faults.acceptThen5xx)) {
    // Accepted and billed, but a gateway on the way answers instead: the generation runs on regardless.
    state.ledger.countFault('acceptThen5xx');
    if (state.nextAcceptThen5xx() === 502) {
      sendProxyPage(res, 502, 'Bad Gateway');
      return;
    }
    throw new ApiError(504, 'TIMEOUT', 'The generation request timed out (simulated). Retry later.');
  }
  if (faultRandom.chance(faults.dropResponse)) {
    state.ledger.countFault('dropResponse');
    req.socket.destroy();
    return;
  }
  if (sse) {
    streamGeneration(ctx, generation);
    return;
  }
  sendJson(res, 200, createView(state, generation, ctx.origin));
}

/** What a reverse proxy in front of the service answers when the service is slow or gone: HTML. */
function sendProxyPage(res: ServerResponse, status: number, reason: string): void {
  const html = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, {
    'content-type': 'text/html',
    'content-length': String(Buffer.byteLength(html)),
  });
  res.end(html);
}

async function planGeneration(
  ctx: RouteContext,
  model: Model,
  request: CreateRequest,
): Promise<GenerationPlan> {
  const { state } = ctx;
  const { input, references } = request;
  const uploads = references.flatMap((ref) => (ref.kind === 'file' ? [ref.upload] : []));
  for (const upload of uploads)
    state.refs.put(upload.sha256, { bytes: upload.bytes, contentType: upload.contentType });
  const last = references.at(-1);
  const lastUpload = last?.kind === 'file' ? await imageSize(last.upload) : null;

  const normalized: Record<string, unknown> = { prompt: input.prompt };
  if (references.length > 0) {
    normalized.image_urls = references.map((ref) =>
      ref.kind === 'url' ? ref.url : refUrl(ctx.origin, ref.upload),
    );
  }
  normalized.negative_prompt = input.negative_prompt ?? '';
  if (input.image_size) normalized.image_size = input.image_size;
  else if (input.aspect_ratio) normalized.aspect_ratio = input.aspect_ratio;
  else if (references.length === 0) normalized.aspect_ratio = defaultAspect(model);
  const expands = model !== 'qwen/qwen-image' && input.enable_prompt_expansion !== false;
  // How `n` combines with `num_images` is not documented: here `num_images` wins, `n` stands in for it.
  const numImages = model === 'qwen/qwen-image' ? (input.n ?? 1) : (input.num_images ?? input.n ?? 1);
  if (model !== 'qwen/qwen-image') {
    normalized.enable_prompt_expansion = expands;
    normalized.num_images = numImages;
  }
  if (input.n !== undefined) normalized.n = input.n;
  normalized.enable_safety_checker = input.enable_safety_checker ?? model === 'qwen/qwen-image-2-pro';
  if (input.seed !== undefined) normalized.seed = input.seed;
  normalized.output_format = input.output_format ?? 'png';
  if (model === 'qwen/qwen-image-2-pro') normalized.sync_mode = request.syncMode ?? false;

  const { faults, timingRandom, idRandom } = state;
  const jitter = timingRandom.between(-faults.jitterMs, faults.jitterMs);
  const { width, height } = outputSize(input, model, lastUpload, ctx.maxImageSide);
  return {
    id: `gen_${idRandom.hex(20)}`,
    model,
    input: normalized,
    sent: { ...input },
    prompt: input.prompt,
    owner: ctx.owner,
    createdAt: Date.now(),
    durationMs: Math.max(0, faults.latencyMs + jitter),
    // Decided only once the create is sure to be accepted, so a refused create draws no outcome.
    fails: false,
    canceled: false,
    numImages,
    width,
    height,
    format: input.output_format ?? 'png',
    renderSeed: input.seed ?? Math.floor(idRandom.next() * LIMITS.seedMax),
    actualPrompt: expands ? `${input.prompt} — expanded by simulator` : input.prompt,
    creditsPerImage: ctx.creditsPerImage ?? (model === 'qwen/qwen-image-2-pro' ? 40 : 20),
    uploads: uploads.map(({ fileName, contentType, size, sha256 }) => ({
      fileName,
      contentType,
      size,
      sha256,
    })),
  };
}

async function imageSize(upload: Upload): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(upload.bytes).metadata();
    if (meta.width && meta.height) return { width: meta.width, height: meta.height };
  } catch {
    // Falls through to the same answer as a header without dimensions.
  }
  throw new ApiError(
    400,
    'INVALID_INPUT',
    `Reference file "${upload.fileName}" could not be read as an image.`,
  );
}

function refUrl(origin: string, upload: Upload): string {
  return `${origin}/api/files/refs/${upload.sha256}/${encodeURIComponent(upload.fileName)}`;
}

function rateLimited(state: SimState, message: string): ApiError {
  const seconds = state.faults.retryAfterSeconds;
  return new ApiError(
    429,
    'RATE_LIMITED',
    message,
    seconds === null ? {} : { 'retry-after': String(seconds) },
  );
}

export function handlePoll(ctx: RouteContext, id: string): void {
  const { state } = ctx;
  if (state.faultRandom.chance(state.faults.poll5xx)) {
    state.ledger.countFault('poll5xx');
    const status = state.nextPoll5xx();
    throw status === 502
      ? new ApiError(502, 'FAILED', 'Bad gateway while reading the generation (simulated). Retry.')
      : status === 503
        ? new ApiError(503, 'PROVIDER_UNAVAILABLE', 'The service is unavailable (simulated). Retry.')
        : new ApiError(504, 'TIMEOUT', 'The service timed out reading the generation (simulated). Retry.');
  }
  const generation = state.generations.get(id);
  // Another key's generation is as invisible as an unknown one: keys see their own workspace only.
  if (!generation || generation.plan.owner !== ctx.owner) {
    throw new ApiError(404, null, `No generation with id "${id}" for this API key.`);
  }
  sendJson(ctx.res, 200, apiView(state, generation, Date.now(), ctx.origin));
}

export function handleRunning(ctx: RouteContext, limitParam: string | null): void {
  const limit = limitParam === null ? 50 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ApiError(
      400,
      'INVALID_INPUT',
      `limit must be a whole number from 1 to 100 (got "${limitParam}").`,
    );
  }
  const now = Date.now();
  const items = ctx.state
    .running(ctx.owner, now)
    .slice(0, limit)
    .map((generation) => runningItem(ctx.state, generation, now));
  sendJson(ctx.res, 200, items);
}

export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
