// Thumbnails: small WebP files named by the content hash of their source, so one picture saved twice has
// one thumbnail and a thumbnail never goes stale. Made right after a download (through the queue) and on
// demand when the UI asks for one that is missing.
//
// The event loop is never blocked: sharp decodes and encodes on libuv's thread pool, and the queue keeps
// at most `concurrency` images in flight so thumbnails cannot starve file I/O (which uses the same pool)
// or pile up memory when a large batch finishes at once.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { sharp } from '../files/lazy-modules.ts';
import { nullLogger } from '../log.ts';
import { writeFileAtomic } from '../files/atomic-write.ts';
import { isStorageFault } from '../files/storage-fault.ts';
import type { Logger } from '../log.ts';

export const DEFAULT_THUMB_SIZE = 320;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `<thumbsDir>/<sha[0..2]>/<sha>-<size>.webp`. Throws for anything but a lower-case sha256 hex digest. */
export function thumbPath(thumbsDir: string, sha256: string, size = DEFAULT_THUMB_SIZE): string {
  if (!SHA256_HEX.test(sha256)) {
    throw new Error(`thumbnail key ${JSON.stringify(sha256)} is not a lower-case sha256 hex digest`);
  }
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`thumbnail size ${size} is not a positive whole number`);
  return path.join(thumbsDir, sha256.slice(0, 2), `${sha256}-${size}.webp`);
}

/** Thumbnails being made right now, by target path: a second request waits for the first one's work. */
const inFlight = new Map<string, Promise<string>>();

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

async function makeThumbnail(srcPath: string, target: string, size: number): Promise<string> {
  if (await exists(target)) return target;
  try {
    // From memory rather than from the path: libvips' cache would otherwise keep the source file open,
    // and an open file cannot be deleted or renamed on Windows.
    const input = await readFile(srcPath);
    const webp = await sharp(input)
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 78 })
      .toBuffer();
    await writeFileAtomic(target, webp);
    return target;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Could not make a thumbnail of ${srcPath} (${reason}) — the file may be damaged; the image itself is kept.`,
      { cause: err },
    );
  }
}

/**
 * The path of the `size` px thumbnail of `srcPath`, made if missing: the image turned upright by its EXIF
 * orientation, fitted inside size×size (never enlarged), as WebP. An existing thumbnail is returned as is;
 * concurrent calls for the same image share one piece of work. Rejects when the source cannot be read or
 * decoded (no file is left behind then).
 */
export function ensureThumbnail(
  srcPath: string,
  sha256: string,
  thumbsDir: string,
  size = DEFAULT_THUMB_SIZE,
): Promise<string> {
  let target: string;
  try {
    target = thumbPath(thumbsDir, sha256, size);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  const running = inFlight.get(target);
  if (running) return running;
  // A smaller size is made from the default thumbnail when there is one: a fraction of the original's pixels.
  const bigger = size < DEFAULT_THUMB_SIZE ? thumbPath(thumbsDir, sha256, DEFAULT_THUMB_SIZE) : null;
  const work = (async () => {
    const from = bigger !== null && (await exists(bigger)) ? bigger : srcPath;
    return makeThumbnail(from, target, size);
  })().finally(() => inFlight.delete(target));
  inFlight.set(target, work);
  return work;
}

export interface ThumbnailQueueOptions {
  /** Where failures go; by default nowhere. */
  log?: Logger;
  /** Thumbnail size in px. Default 320. */
  size?: number;
  /**
   * Told when a thumbnail failed because our storage did (disk full, I/O error), besides the log line, with
   * the time (Date.now()) its work began.
   */
  onStorageFault?: (err: unknown, startedAt: number) => void;
}

/**
 * Background thumbnailing for freshly downloaded images: at most `concurrency` at a time, the same image
 * queued twice made once, and failures logged (a broken thumbnail must never fail a download or the
 * queue): `enqueue` resolves with the thumbnail's path, or null when it could not be made.
 */
export class ThumbnailQueue {
  private readonly thumbsDir: string;
  private readonly concurrency: number;
  private readonly log: Logger;
  private readonly size: number;
  private readonly onStorageFault: (err: unknown, startedAt: number) => void;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Map<string, Promise<string | null>>();
  private idleWaiters: (() => void)[] = [];

  constructor(thumbsDir: string, concurrency = 2, options: ThumbnailQueueOptions = {}) {
    this.thumbsDir = thumbsDir;
    this.concurrency = Math.max(1, Math.floor(concurrency));
    this.log = options.log ?? nullLogger();
    this.size = options.size ?? DEFAULT_THUMB_SIZE;
    this.onStorageFault = options.onStorageFault ?? (() => undefined);
  }

  enqueue(src: string, sha: string): Promise<string | null> {
    const queued = this.pending.get(sha);
    if (queued) return queued;
    let startedAt = 0;
    const job = this.slot()
      .then(() => {
        startedAt = Date.now();
        return ensureThumbnail(src, sha, this.thumbsDir, this.size);
      })
      .then(
        (file) => file,
        (err: unknown) => {
          this.log.warn('thumbnail failed', {
            src,
            sha256: sha,
            error: err instanceof Error ? err.message : String(err),
          });
          if (isStorageFault(err)) this.onStorageFault(err, startedAt);
          return null;
        },
      )
      .finally(() => {
        this.pending.delete(sha);
        this.release();
      });
    this.pending.set(sha, job);
    return job;
  }

  /** Resolves once nothing is queued or running (at once when the queue is already empty). */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve)); // the slot is handed over by release()
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
      return;
    }
    this.running--;
    if (this.pending.size === 0 && this.running === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
