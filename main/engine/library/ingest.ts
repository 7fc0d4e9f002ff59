// A downloaded result entering the library: the record embedded in the file (A1111 `parameters` text plus
// our JSON record, added to the bytes before they are first written, so each image is written and fsynced
// once), the asset row, and a thumbnail made in the background.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { GenerationInput } from '../../../shared/api.ts';
import type { AssetRow } from '../../../shared/domain.ts';
import type { JobRecord } from '../store/jobs.ts';
import type { Stores } from '../store/stores.ts';
import type { CheckedImage, DownloadedImage } from './download.ts';
import { toA1111Parameters } from './metadata/a1111.ts';
import { embedMetadata, embedMetadataInFile, readMetadata, stripMetadata } from './metadata/embed.ts';
import type { EmbeddedMetadata, StudioRecord } from './metadata/types.ts';
import type { ThumbnailQueue } from './thumbs.ts';

export class Ingest {
  private readonly stores: Stores;
  private readonly thumbs: ThumbnailQueue;

  constructor(stores: Stores, thumbs: ThumbnailQueue) {
    this.stores = stores;
    this.thumbs = thumbs;
  }

  /** What image `idx` of `job` carries inside its file. */
  metadataFor(job: JobRecord, img: CheckedImage, idx: number, imageCount: number): EmbeddedMetadata {
    const batch = this.stores.batches.get(job.batchId);
    const record: StudioRecord = {
      v: 1,
      app: 'qwen-studio',
      model: job.model,
      input: idx > 0 ? { ...job.input, image_index: idx } : { ...job.input },
      prompt: job.prompt,
      negativePrompt: job.input.negative_prompt ?? null,
      actualPrompt: job.actualPrompt,
      remoteId: job.remoteId,
      batch: batch ? { id: batch.id, name: batch.name } : null,
      credits: job.credits === null ? null : job.credits / Math.max(1, imageCount),
      referenceHashes: job.refHashes,
      seed: job.input.seed ?? null,
      createdAt: new Date(job.completedAt ?? Date.now()).toISOString(),
      downloadedSha256: img.sha256,
      width: img.width,
      height: img.height,
    };
    return { parameters: toA1111Parameters(record), record };
  }

  /** For the downloader: the bytes to store for image `idx` of `job` (GIFs carry no record). */
  prepare(job: JobRecord, idx: number, imageCount: number): (bytes: Buffer, img: CheckedImage) => Buffer {
    return (bytes, img) =>
      img.format === 'gif'
        ? bytes
        : embedMetadata(bytes, img.format, this.metadataFor(job, img, idx, imageCount));
  }

  /**
   * Records a stored image as an asset of `job` and queues its thumbnail. A reused file (the same image
   * already in the library) keeps the record it has; one without a record gets it now.
   */
  async record(
    job: JobRecord,
    img: DownloadedImage,
    idx: number,
    imageCount: number,
  ): Promise<AssetRow | null> {
    const stored = await this.storedFile(job, img, idx, imageCount);
    const assetId = this.stores.assets.add({
      jobId: job.id,
      batchId: job.batchId,
      idx,
      sha256: img.sha256,
      fileSha256: stored.sha256,
      path: img.path,
      bytes: stored.bytes,
      width: img.width,
      height: img.height,
      format: img.format,
      prompt: job.prompt,
      source: 'generated',
      model: job.model,
      negativePrompt: job.input.negative_prompt ?? null,
      actualPrompt: job.actualPrompt,
      aspectRatio: job.input.aspect_ratio ?? null,
      imageSize: job.input.image_size ?? null,
      seed: job.input.seed ?? null,
      credits: job.credits === null ? null : job.credits / imageCount,
      params: paramsOf(job.input),
    });
    const asset = this.stores.assets.get(assetId);
    if (asset) void this.thumbs.enqueue(asset.path, stored.sha256);
    return asset;
  }

  private async storedFile(
    job: JobRecord,
    img: DownloadedImage,
    idx: number,
    imageCount: number,
  ): Promise<{ sha256: string; bytes: number }> {
    if (img.fileSha256 !== null && img.fileBytes !== null)
      return { sha256: img.fileSha256, bytes: img.fileBytes };
    const current = await readFile(img.path);
    if (img.format === 'gif' || readMetadata(current).record) {
      return { sha256: createHash('sha256').update(current).digest('hex'), bytes: current.length };
    }
    return embedMetadataInFile(img.path, img.format, this.metadataFor(job, img, idx, imageCount));
  }
}

/** A file already on disk is this image when, without the metadata we embed, it has the downloaded bytes. */
export async function sameImageIgnoringMetadata(existingPath: string, sha256: string): Promise<boolean> {
  try {
    return (
      createHash('sha256')
        .update(stripMetadata(await readFile(existingPath)))
        .digest('hex') === sha256
    );
  } catch {
    return false;
  }
}

/** The request parameters an image was made with, for the library (the prompt has its own column). */
function paramsOf(input: GenerationInput): Record<string, unknown> {
  const { prompt: _prompt, ...rest } = input;
  return rest;
}
