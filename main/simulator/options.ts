// What can be configured on the simulator: the faults it injects (changeable at runtime) and the options
// fixed at start. One zod schema checks fault patches from code, from the command line and from
// POST /__sim/faults alike.
import { z } from 'zod';

export interface SimulatorFaults {
  /** Probability a create answers 429 RATE_LIMITED (0..1). */
  rateLimit429: number;
  /** Retry-After header value on 429s; null = header omitted. */
  retryAfterSeconds: number | null;
  /** Probability a create answers 500 FAILED / 503 PROVIDER_UNAVAILABLE (alternating). */
  create5xx: number;
  /** Probability a GET /v1/generation/{id} answers 502/503/504 (in turn). */
  poll5xx: number;
  /** Probability an accepted generation ends FAILED (code IMAGE_GENERATION_FAILED). */
  failRate: number;
  /** Probability a create answers 422 IMAGE_GENERATION_CONTENT_REJECTED. */
  rejectRate: number;
  /** Regex source: prompts matching it are always rejected with 422. */
  rejectPattern: string | null;
  /** Regex source: generations whose prompt matches always end FAILED. */
  failPattern: string | null;
  /** Probability a create is accepted (the ledger counts it) but the socket is destroyed before any answer. */
  dropResponse: number;
  /** Probability an SSE stream is cut after the first frame, before the terminal frame. */
  sseDrop: number;
  /** Result URLs expire this long after they are issued (then 403); a fresh poll issues fresh URLs. */
  linkTtlMs: number | null;
  /** Probability the first fetch of a given result URL answers 500. */
  downloadFailOnce: number;
  /** Probability a download sends the full Content-Length but only part of the body, then cuts the socket. */
  truncate: number;
  /** Max generations not yet terminal per key; a create beyond it answers 429 RATE_LIMITED. */
  concurrencyCap: number | null;
  /** Generation duration accepted → terminal, in ms. */
  latencyMs: number;
  /** ± uniform jitter on latencyMs. */
  jitterMs: number;
  /** Extra delay before each API answer, in ms. */
  httpDelayMs: number;
  /** Workspace balance in credits; a create that would exceed it answers 402. null = unlimited. */
  credits: number | null;
  /**
   * Probability a create is accepted and billed, then answered by a gateway error instead of the generation:
   * a proxy's HTML 502 page and a 504 IMAGE_GENERATION_TIMEOUT JSON body, in turn. The generation exists.
   */
  acceptThen5xx: number;
  /** Older status names (starting, processing, succeeded, failed, canceled) and no `input` in create answers. */
  legacyStatuses: boolean;
  /** Probability an accepted generation is canceled by the service half way through (status CANCELED). */
  remoteCancel: number;
  /** The create answer shows `usage` already filled in at IN_QUEUE, as the docs' example does. */
  usageInCreate: boolean;
  /** `: keep-alive` comments between SSE frames (not documented; off shows a client does not need them). */
  sseKeepAlive: boolean;
}

export interface SimulatorOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator listens beyond loopback only when asked to. */
  host?: string;
  /** Accepted keys; null/undefined = any non-empty Bearer token. */
  apiKeys?: string[] | null;
  /** Keys that get 403. */
  forbiddenKeys?: string[];
  faults?: Partial<SimulatorFaults>;
  /** PRNG seed so fault sequences are reproducible (default 1). */
  seed?: number;
  /** Cap on the rendered image's longest side (default 1024); reported width/height are the rendered ones. */
  maxImageSide?: number;
  /** Credits per image for every model; default 20 (qwen-image-2, qwen-image) or 40 (qwen-image-2-pro). */
  creditsPerImage?: number;
  /** Interval of the `: keep-alive` comment on SSE streams (default 1000 ms). */
  sseKeepAliveMs?: number;
  log?: (line: string) => void;
}

export const DEFAULT_FAULTS: SimulatorFaults = {
  rateLimit429: 0,
  retryAfterSeconds: 1,
  create5xx: 0,
  poll5xx: 0,
  failRate: 0,
  rejectRate: 0,
  rejectPattern: null,
  failPattern: null,
  dropResponse: 0,
  sseDrop: 0,
  linkTtlMs: null,
  downloadFailOnce: 0,
  truncate: 0,
  concurrencyCap: null,
  latencyMs: 1500,
  jitterMs: 500,
  httpDelayMs: 0,
  credits: null,
  acceptThen5xx: 0,
  legacyStatuses: false,
  remoteCancel: 0,
  usageInCreate: false,
  sseKeepAlive: true,
};

/** `--chaos`: every fault on at a rate a well-behaved client must shrug off. */
export const CHAOS_FAULTS: Partial<SimulatorFaults> = {
  rateLimit429: 0.05,
  retryAfterSeconds: 1,
  create5xx: 0.03,
  poll5xx: 0.05,
  failRate: 0.03,
  rejectRate: 0.02,
  dropResponse: 0.02,
  sseDrop: 0.1,
  linkTtlMs: 30_000,
  downloadFailOnce: 0.05,
  truncate: 0.03,
  concurrencyCap: 8,
  acceptThen5xx: 0.03,
  remoteCancel: 0.02,
};

const probability = z.number().min(0).max(1);
const nonNegative = z.number().min(0);
/** Timers cannot wait longer than about 24 days; a day is more than any test or benchmark needs. */
const duration = z.number().min(0).max(86_400_000);
const regexSource = z
  .string()
  .refine(
    (source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid regular expression' },
  )
  .nullable();

export const faultsPatchSchema = z
  .strictObject({
    rateLimit429: probability,
    retryAfterSeconds: z.number().int().min(0).nullable(),
    create5xx: probability,
    poll5xx: probability,
    failRate: probability,
    rejectRate: probability,
    rejectPattern: regexSource,
    failPattern: regexSource,
    dropResponse: probability,
    sseDrop: probability,
    linkTtlMs: duration.nullable(),
    downloadFailOnce: probability,
    truncate: probability,
    concurrencyCap: z.number().int().min(1).nullable(),
    latencyMs: duration,
    jitterMs: duration,
    httpDelayMs: duration,
    credits: nonNegative.nullable(),
    acceptThen5xx: probability,
    legacyStatuses: z.boolean(),
    remoteCancel: probability,
    usageInCreate: z.boolean(),
    sseKeepAlive: z.boolean(),
  })
  .partial();

/** Checks a patch of faults; throws an Error naming each bad field. */
export function checkFaultsPatch(patch: unknown): Partial<SimulatorFaults> {
  const result = faultsPatchSchema.safeParse(patch);
  if (!result.success) throw new Error(`invalid simulator faults: ${z.prettifyError(result.error)}`);
  return result.data;
}
