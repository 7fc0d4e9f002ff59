// What every part of the scheduler shares: the stores, the injected world (clock, client, file system) and
// the few moves they all make (fail a job, put it back in the queue, pause everything). Each part (submit,
// follow, downloads, connectivity, actions) takes this and nothing global, so each one is unit-tested with
// fakes.
import { existsSync, readFileSync } from 'node:fs';
import type { AssetRow, JobState, PauseReason, QueueStatus } from '../../../shared/domain.ts';
import type { SkillsClient } from '../api/client.ts';
import type { DownloadOptions, DownloadedImage } from '../library/download.ts';
import type { Logger } from '../log.ts';
import type { JobPatch, JobRecord } from '../store/jobs.ts';
import type { Stores } from '../store/stores.ts';
import { sleep } from './sleep.ts';

export type Timer = ReturnType<typeof setTimeout>;

/** Time, injected: tests drive it with fake timers or their own implementation. */
export interface Clock {
  now(): number;
  /** Resolves true after `ms`, or false at once when the signal aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t),
};

/** The file system as the scheduler uses it: reference files are read, results are downloaded and stored. */
export interface SchedulerFs {
  exists(path: string): boolean;
  readFile(path: string): Buffer;
  download(opts: DownloadOptions): Promise<DownloadedImage>;
}

export interface SchedulerSettings {
  /** Ceiling of generations at the service at once. */
  concurrency: number;
  downloadConcurrency: number;
  /** Use the SSE create for JSON requests (one request per generation instead of create + polls). */
  stream: boolean;
}

/** Tuning, all with defaults; tests shorten them. */
export interface SchedulerLimits {
  maxSubmitAttempts: number;
  maxDownloadAttempts: number;
  /** How long a generation is followed before the job fails with FOLLOW_TIMEOUT (retry follows again). */
  pollTimeoutMs: number;
  /** How long a clean stop waits for creates already sent to be answered. */
  drainMs: number;
  /** After an ambiguous create: how many times the running list is read before the job becomes uncertain. */
  reconcileLooks: number;
  /** …and how long to wait between those looks (a fresh job may not be listed yet). */
  reconcileSpacingMs: number;
}

export const DEFAULT_LIMITS: SchedulerLimits = {
  maxSubmitAttempts: 6,
  maxDownloadAttempts: 6,
  pollTimeoutMs: 30 * 60_000,
  drainMs: 5_000,
  reconcileLooks: 4,
  reconcileSpacingMs: 1_500,
};

export interface SchedulerEvents {
  job: [JobRecord];
  queue: [QueueStatus];
  batch: [number];
  asset: [AssetRow];
  /** Nothing is in flight and nothing more will start without a person (or a timer) acting. */
  settled: [];
}

export interface SchedulerContext {
  readonly stores: Stores;
  readonly dataDir: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly fs: SchedulerFs;
  readonly limits: SchedulerLimits;
  getClient(): SkillsClient | null;
  settings(): SchedulerSettings;
  emit<K extends keyof SchedulerEvents>(event: K, ...args: SchedulerEvents[K]): void;
  /** Started and not stopping. */
  isRunning(): boolean;
  isStopping(): boolean;
  setPaused(reason: PauseReason, message: string): void;
  /**
   * When the queue was last resumed (clock time; 0 if never). A storage fault from work begun before then
   * belongs to the disk the person has since fixed: that work is retried instead of pausing again.
   */
  lastResumeAt(): number;
  /** An error escaped a background task: a storage fault pauses with reason "disk", anything else is logged. */
  taskFailed(err: unknown, where: string): void;
  emitQueue(): void;
  /** Look for work (debounced by the scheduler). */
  pump(): void;
  /** Keeps a background task so a stop can wait for it. */
  track(p: Promise<unknown>): void;
}

/** Moves a job between states and tells listeners; a job someone else already moved on is left alone. */
export function moveJob(
  ctx: SchedulerContext,
  job: JobRecord,
  from: JobState,
  to: JobState,
  patch: JobPatch = {},
  detail?: string,
): JobRecord | null {
  const r = ctx.stores.jobs.transition(job.id, from, to, patch, detail);
  if (r) ctx.emit('job', r);
  return r;
}

export function failJob(ctx: SchedulerContext, job: JobRecord, from: JobState, patch: JobPatch): void {
  moveJob(ctx, job, from, 'failed', patch);
}

/** Back to the queue from `submitting` (nothing reached the service, or it said no for now). */
export function requeueJob(ctx: SchedulerContext, job: JobRecord, patch: JobPatch, detail: string): void {
  moveJob(ctx, job, 'submitting', 'queued', { sentAt: null, ...patch }, detail);
}

export function pauseReasonFor(status: number | null): PauseReason {
  if (status === 402) return 'credits';
  if (status === 403) return 'forbidden';
  return 'auth';
}

/** Reads reference files with Node; downloads with the library's downloader (given by the caller). */
export function nodeFs(download: SchedulerFs['download']): SchedulerFs {
  return { exists: existsSync, readFile: (p) => readFileSync(p), download };
}
