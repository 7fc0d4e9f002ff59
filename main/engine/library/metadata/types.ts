// What Qwen Studio writes into every saved image. The record is versioned (`v`) so a later app can read
// files written by this one; readers accept any record whose `app` is ours and whose `v` they know.

export const RECORD_APP = 'qwen-studio';
export const RECORD_VERSION = 1;

export interface StudioRecord {
  v: 1;
  app: 'qwen-studio';
  model: string;
  /** The full request body as sent (GenerationInput plus anything the batch added). */
  input: Record<string, unknown>;
  prompt: string;
  negativePrompt: string | null;
  /** The prompt the service says it really used (after prompt expansion), when it told us. */
  actualPrompt: string | null;
  remoteId: string | null;
  batch: { id: number; name: string } | null;
  credits: number | null;
  /** sha256 of each local reference image, in request order. */
  referenceHashes: string[];
  seed: number | null;
  /** ISO 8601. */
  createdAt: string;
  /** sha256 of the bytes exactly as downloaded, before any metadata was added. */
  downloadedSha256: string;
  /** Pixel size of the stored image, when known; shown as `Size:` in the parameters text. */
  width?: number;
  height?: number;
  /**
   * Only present when a container's size limit (JPEG segments hold at most 64 KB) forced fields out of
   * the embedded copy: the names of the fields that were shortened or emptied. The database keeps them whole.
   */
  truncated?: string[];
}

/** What goes into a file: the A1111-style text and the JSON record. */
export interface EmbeddedMetadata {
  parameters: string;
  record: StudioRecord;
}

export type EmbedFormat = 'png' | 'jpeg' | 'webp';

export interface ReadMetadataResult {
  format: 'png' | 'jpeg' | 'webp' | 'gif' | null;
  /** Ours, or a foreign A1111-style text (PNG `parameters` chunk, EXIF UserComment, our XMP property). */
  parameters: string | null;
  /** Our JSON record, or null when the file has none (or one this version cannot read). */
  record: StudioRecord | null;
  /** Other text found on the way: PNG text chunks by keyword, EXIF ImageDescription/Software, JPEG comments. */
  other: Record<string, string>;
}

/** A parsed record is ours when it says so; anything else found under our key is ignored. */
export function asStudioRecord(value: unknown): StudioRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (r.app !== RECORD_APP || r.v !== RECORD_VERSION) return null;
  if (typeof r.prompt !== 'string' || typeof r.model !== 'string') return null;
  if (typeof r.input !== 'object' || r.input === null) return null;
  return value as StudioRecord;
}
