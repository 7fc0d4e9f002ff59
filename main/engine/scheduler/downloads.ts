// Downloading finished generations into the library: a queue with its own concurrency, retries with
// backoff, fresh links when a CDN link expired (its own, larger allowance: an expired link is not the
// download's fault), and a pause with reason "disk" when our storage refuses the file.
import { join } from 'node:path';
import { normalizeStatus, resultImages } from '../../../shared/api.ts';
import { DownloadError, slugForFile } from '../library/download.ts';
import { sameImageIgnoringMetadata, type Ingest } from '../library/ingest.ts';
import type { JobRecord } from '../store/jobs.ts';
import { backoffMs } from './backoff.ts';
import { failJob, moveJob, type SchedulerContext } from './context.ts';
import { isStorageFault, storageFaultMessage } from '../files/storage-fault.ts';
import { storedFile } from '../files/stored-file.ts';

const MAX_LINK_REFRESHES = 20;
const monthFolder = (t: number) => new Date(t).toISOString().slice(0, 7);

export class Downloads {
  private readonly ctx: SchedulerContext;
  private readonly ingest: Ingest;
  private readonly queue: number[] = [];
  private readonly active = new Map<number, AbortController>();

  constructor(ctx: SchedulerContext, ingest: Ingest) {
    this.ctx = ctx;
    this.ingest = ingest;
  }

  /** Something is downloading or waiting to. */
  get busy(): boolean {
    return this.active.size > 0 || this.queue.length > 0;
  }

  enqueue(jobId: number): void {
    if (this.active.has(jobId) || this.queue.includes(jobId)) return;
    this.queue.push(jobId);
    this.drain();
  }

  abortAll(): void {
    this.queue.length = 0;
    for (const c of this.active.values()) c.abort();
  }

  private drain(): void {
    const { ctx } = this;
    while (
      ctx.isRunning() &&
      this.queue.length > 0 &&
      this.active.size < ctx.settings().downloadConcurrency
    ) {
      const id = this.queue.shift()!;
      const ctl = new AbortController();
      this.active.set(id, ctl);
      ctx.track(
        this.download(id, ctl.signal)
          .catch((err: unknown) => ctx.taskFailed(err, 'downloading a result'))
          .finally(() => {
            this.active.delete(id);
            this.drain();
            ctx.pump();
          }),
      );
    }
  }

  private async download(id: number, signal: AbortSignal): Promise<void> {
    const { ctx } = this;
    let job = ctx.stores.jobs.get(id);
    if (!job || job.state !== 'downloading' || !job.result) return;
    let images = resultImages(job.result);
    if (images.length === 0) {
      failJob(ctx, job, 'downloading', {
        errorClass: 'job',
        errorCode: 'NO_IMAGES',
        errorMessage: 'The service finished without returning any image.',
      });
      return;
    }
    const have = new Set(
      ctx.stores.assets
        .forJob(id)
        .filter((a) => ctx.fs.exists(a.path))
        .map((a) => a.idx),
    );
    const dir = join(ctx.dataDir, 'library', monthFolder(job.completedAt ?? ctx.clock.now()));
    const baseName = `${job.batchId}-${String(job.seq).padStart(4, '0')}-${slugForFile(job.prompt, 40)}`;
    let refreshes = 0;
    for (let idx = 0; idx < images.length; idx++) {
      if (have.has(idx)) continue;
      for (;;) {
        if (signal.aborted) return;
        const startedAt = ctx.clock.now();
        try {
          const img = await ctx.fs.download({
            url: images[idx]!.url,
            dir,
            baseName: images.length > 1 ? `${baseName}-${idx + 1}` : baseName,
            signal,
            findExisting: (sha) => {
              const known = ctx.stores.assets.pathForSha(sha);
              return known === null ? null : storedFile(ctx.dataDir, known);
            },
            sameContent: sameImageIgnoringMetadata,
            prepare: this.ingest.prepare(job, idx, images.length),
          });
          const asset = await this.ingest.record(job, img, idx, images.length);
          if (asset) ctx.emit('asset', asset);
          break;
        } catch (err) {
          if (signal.aborted) return;
          const de = err instanceof DownloadError ? err : null;
          if (de?.kind === 'expired' && refreshes < MAX_LINK_REFRESHES) {
            refreshes++;
            const fresh = await this.refreshResult(job, signal);
            if (fresh) {
              job = fresh;
              images = resultImages(fresh.result!);
              continue;
            }
          }
          if (de?.kind === 'disk' || (!de && isStorageFault(err))) {
            // Our storage, not the download: nothing is counted against the job, the queue waits for space.
            // A write begun before the last Resume failed on the disk as it was then: simply try again.
            if (startedAt <= ctx.lastResumeAt()) {
              await ctx.clock.sleep(250, signal);
              continue;
            }
            ctx.log.warn('download stopped by storage', { job: id, idx, err });
            ctx.setPaused('disk', de?.message ?? storageFaultMessage(err, dir));
            return;
          }
          const attempts: number = job.downloadAttempts + 1;
          ctx.stores.jobs.patch(id, 'downloading', { downloadAttempts: attempts });
          job = { ...job, downloadAttempts: attempts };
          ctx.log.warn('download failed', { job: id, idx, kind: de?.kind, err });
          if (attempts >= ctx.limits.maxDownloadAttempts) {
            failJob(ctx, job, 'downloading', {
              errorClass: 'retryable',
              errorCode: de?.kind === 'expired' ? 'DOWNLOAD_EXPIRED' : 'DOWNLOAD_FAILED',
              errorMessage:
                `The image was generated (and paid for) but could not be downloaded after ${attempts} attempts: ` +
                `${(err as Error).message}. Retry downloads it again without a new charge.`,
            });
            return;
          }
          await ctx.clock.sleep(backoffMs(attempts, { baseMs: 500, capMs: 30_000 }), signal);
        }
      }
    }
    moveJob(ctx, job, 'downloading', 'done', { errorClass: null, errorCode: null, errorMessage: null });
  }

  /** An expired link: ask the service for the generation again, which carries fresh URLs. */
  private async refreshResult(job: JobRecord, signal: AbortSignal): Promise<JobRecord | null> {
    const client = this.ctx.getClient();
    if (!client || !job.remoteId) return null;
    try {
      const gen = await client.get(job.remoteId, signal);
      if (normalizeStatus(gen.status) !== 'completed' || resultImages(gen).length === 0) return null;
      this.ctx.stores.jobs.patch(job.id, 'downloading', { result: gen });
      return { ...job, result: gen };
    } catch (err) {
      this.ctx.log.warn('refreshing result URLs failed', { job: job.id, err });
      return null;
    }
  }
}
