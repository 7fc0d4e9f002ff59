// The simulator's CDN: result links (tokens that may expire and are reissued on a fresh poll), the
// uploaded reference files, and the rendered bytes of each result, cached so a URL always serves the same.
import { createHash } from 'node:crypto';
import type { Random } from './prng.ts';
import type { SimGeneration } from './generation.ts';
import { CONTENT_TYPES, EXTENSIONS, renderImage } from './render.ts';

export interface ResultLink {
  generationId: string;
  index: number;
  /** Epoch ms after which the link answers 403; null = never. */
  expiresAt: number | null;
  fetched: boolean;
}

export class ResultLinks {
  readonly #random: Random;
  readonly #links = new Map<string, ResultLink>();
  /** Without a TTL each image keeps one link, so polling twice gives the same URL. */
  readonly #stable = new Map<string, string>();

  constructor(random: Random) {
    this.#random = random;
  }

  /** A token for image `index` of a generation: a fresh one (expiring) when `ttlMs` is set. */
  issue(generationId: string, index: number, ttlMs: number | null, now: number): string {
    const key = `${generationId}:${index}`;
    if (ttlMs === null) {
      const existing = this.#stable.get(key);
      if (existing) return existing;
    }
    const token = this.#random.hex(24);
    this.#links.set(token, {
      generationId,
      index,
      expiresAt: ttlMs === null ? null : now + ttlMs,
      fetched: false,
    });
    if (ttlMs === null) this.#stable.set(key, token);
    return token;
  }

  lookup(token: string): ResultLink | undefined {
    return this.#links.get(token);
  }
}

export function resultFileName(generation: SimGeneration, index: number): string {
  return `${generation.id}_${index}.${EXTENSIONS[generation.plan.format]}`;
}

export interface StoredRef {
  bytes: Buffer;
  contentType: string;
}

/** Uploaded references, content-addressed: the URL that replaces a file part in the echoed input. */
export class RefFiles {
  readonly #bySha = new Map<string, StoredRef>();

  put(sha256: string, ref: StoredRef): void {
    this.#bySha.set(sha256, ref);
  }

  get(sha256: string): StoredRef | undefined {
    return this.#bySha.get(sha256);
  }
}

/**
 * Rendered results, made on first download and kept: rendering is the only costly thing the simulator
 * does, so nothing is rendered that nobody fetches, and nothing twice.
 */
export class RenderedImages {
  readonly #cache = new Map<string, Promise<Buffer>>();

  bytes(generation: SimGeneration, index: number): Promise<Buffer> {
    const key = `${generation.id}:${index}`;
    let pending = this.#cache.get(key);
    if (!pending) {
      pending = render(generation, index);
      this.#cache.set(key, pending);
      pending.catch(() => this.#cache.delete(key));
    }
    return pending;
  }
}

async function render(generation: SimGeneration, index: number): Promise<Buffer> {
  const { plan } = generation;
  const bytes = await renderImage({
    id: plan.id,
    index,
    count: plan.numImages,
    prompt: plan.prompt,
    seed: plan.renderSeed,
    model: plan.model,
    width: plan.width,
    height: plan.height,
    format: plan.format,
  });
  generation.recordImage({
    index,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
    format: plan.format,
    width: plan.width,
    height: plan.height,
  });
  return bytes;
}

export function contentTypeOf(generation: SimGeneration): string {
  return CONTENT_TYPES[generation.plan.format];
}
