// Shapes of the library's answers, shared by the engine (main/engine/library) and the UI contract.

/** The most images one search lists at a time, for the app, the bridge and the CLI alike. */
export const SEARCH_LIMIT_MAX = 10_000;

export interface TagInfo {
  id: number;
  name: string;
  /** Images carrying the tag (trashed ones included). */
  uses: number;
}

export interface CollectionInfo {
  id: number;
  name: string;
  /** Images in it, not counting the trash. */
  count: number;
  createdAt: number;
}

export interface SavedSearch {
  id: number;
  name: string;
  query: string;
  createdAt: number;
  updatedAt: number;
}

export interface TrashReceipt {
  /** Give it to undo(). */
  token: number;
  assets: number;
  /** Files moved out of the library (a file still used by another image stays). */
  files: number;
  /** Files that could not be moved; they stay where they were and their images are still in the trash. */
  failed: { path: string; error: string }[];
  /** Stopped by a cancel: `assets` are those that went before it; the others are back in the library. */
  canceled?: boolean;
}

export interface UndoReport {
  assets: number;
  filesRestored: number;
  /** Files we cannot bring back (they went to the system trash): restore them from there. */
  filesNotRestored: string[];
}

export interface DuplicateGroup {
  /** The shared content hash. */
  hash: string;
  ids: number[];
  /** The one to keep: a favorite, else the best rated, else the oldest. */
  keep: number;
  /** Bytes freed by trashing all but `keep` (files shared between them counted once). */
  reclaimableBytes: number;
}

export interface UsageRow {
  /** Batch or collection id; null for images without a batch (imported). */
  id: number | null;
  name: string;
  assets: number;
  files: number;
  bytes: number;
}
