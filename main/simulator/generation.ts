// One accepted generation. Its whole future is decided when it is accepted (duration, outcome), and its
// status is read off the clock, so a thousand of them cost no timers.
import {
  aspectPixels,
  IMAGE_SIZE_PIXELS,
  type ServiceInput,
  type Model,
  type OutputFormat,
} from '../../shared/api.ts';
import type { LedgerGeneration, LedgerImage, LedgerUpload, LedgerUsage } from './ledger.ts';

export type SimStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELED';

export interface GenerationPlan {
  id: string;
  model: Model;
  /** The normalized input the service echoes back (defaults filled, files replaced by URLs). */
  input: Record<string, unknown>;
  /** The fields as the client sent them, before any default was filled in. */
  sent: Record<string, unknown>;
  prompt: string;
  /** Fingerprint of the key that created it (never the key itself). */
  owner: string;
  createdAt: number;
  durationMs: number;
  fails: boolean;
  /** Canceled by the service (as from the dashboard) half way through: it never completes. */
  canceled: boolean;
  numImages: number;
  width: number;
  height: number;
  format: OutputFormat;
  /** The seed drawn into the image: the requested one, or one the simulator picked. */
  renderSeed: number;
  actualPrompt: string;
  creditsPerImage: number;
  uploads: LedgerUpload[];
}

const FREE: LedgerUsage = { total: 0, subscription: 0, permanent: 0 };

export class SimGeneration implements LedgerGeneration {
  readonly plan: GenerationPlan;
  readonly images: LedgerImage[] = [];
  /** The service moves a task to IN_PROGRESS about a quarter of the way through. */
  readonly startAt: number;
  readonly endAt: number;

  constructor(plan: GenerationPlan) {
    this.plan = plan;
    this.startAt = plan.createdAt + plan.durationMs / 4;
    this.endAt = plan.createdAt + (plan.canceled ? plan.durationMs / 2 : plan.durationMs);
  }

  get id(): string {
    return this.plan.id;
  }
  get model(): string {
    return this.plan.model;
  }
  get input(): Record<string, unknown> {
    return this.plan.input;
  }
  get sent(): Record<string, unknown> {
    return this.plan.sent;
  }
  get prompt(): string {
    return this.plan.prompt;
  }
  get createdAt(): number {
    return this.plan.createdAt;
  }
  get uploads(): LedgerUpload[] {
    return this.plan.uploads;
  }
  get cost(): number {
    return this.plan.creditsPerImage * this.plan.numImages;
  }

  statusAt(now: number): SimStatus {
    if (now >= this.endAt) return this.plan.canceled ? 'CANCELED' : this.plan.fails ? 'FAILED' : 'COMPLETED';
    return now >= this.startAt ? 'IN_PROGRESS' : 'IN_QUEUE';
  }

  /** Charged at completion only; a failed or canceled generation is refunded, so it costs nothing. */
  usageAt(now: number): LedgerUsage {
    if (this.statusAt(now) !== 'COMPLETED') return { ...FREE };
    return { total: this.cost, subscription: this.cost, permanent: 0 };
  }

  get status(): SimStatus {
    return this.statusAt(Date.now());
  }
  get completedAt(): number | null {
    return Date.now() >= this.endAt ? this.endAt : null;
  }
  get usage(): LedgerUsage {
    return this.usageAt(Date.now());
  }

  recordImage(image: LedgerImage): void {
    this.images.push(image);
    this.images.sort((a, b) => a.index - b.index);
  }

  toJSON(): LedgerGeneration {
    return {
      id: this.id,
      model: this.model,
      input: this.input,
      sent: this.sent,
      prompt: this.prompt,
      status: this.status,
      createdAt: this.createdAt,
      completedAt: this.completedAt,
      usage: this.usage,
      uploads: this.uploads,
      images: this.images,
    };
  }
}

const MIN_PIXELS = 512 * 512;
const MAX_PIXELS = 2048 * 2048;

/**
 * The size the service would render: the image_size preset, else the aspect ratio, else (docs: "when absent
 * the size of the last input image is used") the last reference when it is an uploaded file; then scaled
 * down so the longest side fits `maxSide`, which is what the simulator really renders and reports.
 */
export function outputSize(
  input: ServiceInput,
  model: Model,
  lastUpload: { width: number; height: number } | null,
  maxSide: number,
): { width: number; height: number } {
  let size: { width: number; height: number };
  if (input.image_size) size = IMAGE_SIZE_PIXELS[input.image_size];
  else if (input.aspect_ratio) size = aspectPixels(input.aspect_ratio);
  else if (lastUpload) size = withinPixelBounds(lastUpload);
  else size = aspectPixels(defaultAspect(model));
  const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
  return {
    width: Math.max(1, Math.round(size.width * scale)),
    height: Math.max(1, Math.round(size.height * scale)),
  };
}

export function defaultAspect(model: Model): '16:9' | '1:1' {
  return model === 'qwen/qwen-image' ? '16:9' : '1:1';
}

function withinPixelBounds(size: { width: number; height: number }): { width: number; height: number } {
  const pixels = size.width * size.height;
  const target = Math.min(MAX_PIXELS, Math.max(MIN_PIXELS, pixels));
  const scale = Math.sqrt(target / pixels);
  return { width: Math.round(size.width * scale), height: Math.round(size.height * scale) };
}
