// Every operation the UI can ask of the engine and every event the engine pushes. One entry here plus one
// handler in main/engine/handlers.ts = a new operation, reachable over Electron IPC, the browser bridge and
// (directly) from the CLI. Payloads are validated against `input` on the engine side of every transport.
import { z } from 'zod';
import type { BatchPlan, BatchSummary, JobRow, QueueStatus, AssetRow, PromptEntry } from './domain.ts';
import { batchSpecSchema, JOB_STATES } from './domain.ts';
import type { Settings } from './settings.ts';
import { settingsSchema } from './settings.ts';

const id = z.number().int().positive();
const none = z.strictObject({});

export const contract = {
  'app.info': { input: none },
  /** "Try it without a key": run against a local simulator, clearly labelled as such in the UI. */
  'app.useSimulator': { input: none },
  'settings.get': { input: none },
  'settings.update': { input: settingsSchema.partial() },
  'key.set': {
    input: z.strictObject({ key: z.string().trim().min(8, 'that does not look like an API key').max(512) }),
  },
  'key.clear': { input: none },
  'key.test': { input: none },
  /** Parses a dropped prompt file (.txt, .csv, .jsonl) with the engine's own reader: same rules as the CLI. */
  'prompts.parseFile': {
    input: z.strictObject({
      fileName: z.string().min(1).max(255),
      text: z.string().max(64 * 1024 * 1024, 'the prompt file is larger than 64 MB — split it'),
    }),
  },
  'batch.plan': { input: batchSpecSchema },
  'batch.create': { input: batchSpecSchema },
  'batch.list': { input: none },
  'batch.pause': { input: z.strictObject({ id }) },
  'batch.resume': { input: z.strictObject({ id }) },
  'batch.cancel': { input: z.strictObject({ id }) },
  'batch.retry': { input: z.strictObject({ id }) },
  'jobs.list': {
    input: z.strictObject({
      batchId: id.optional(),
      states: z.array(z.enum(JOB_STATES)).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
  },
  'job.pause': { input: z.strictObject({ id }) },
  'job.resume': { input: z.strictObject({ id }) },
  'job.cancel': { input: z.strictObject({ id }) },
  'job.retry': { input: z.strictObject({ id }) },
  'job.drop': { input: z.strictObject({ id }) },
  'queue.status': { input: none },
  'queue.pause': { input: none },
  'queue.resume': { input: none },
  'refs.add': {
    input: z.strictObject({
      fileName: z.string().min(1).max(255),
      /** Base64 of the file's bytes (the page has no file system access). */
      dataBase64: z
        .string()
        .min(1)
        .max(40 * 1024 * 1024),
    }),
  },
  /** Turns a library image into a reference image (stored once, content-addressed). */
  'refs.fromAsset': { input: z.strictObject({ id }) },
  'library.search': {
    input: z.strictObject({
      text: z.string().max(1000).default(''),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
  },
  'library.get': { input: z.strictObject({ id }) },
} as const satisfies Record<string, { input: z.ZodType }>;

export type Method = keyof typeof contract;
export type Input<M extends Method> = z.input<(typeof contract)[M]['input']>;
export type ParsedInput<M extends Method> = z.output<(typeof contract)[M]['input']>;

export interface AppInfo {
  version: string;
  dataDir: string;
  apiBase: string;
  hasKey: boolean;
  /** The key's storage: 'os' (safeStorage backed by the OS), 'weak' (no OS secret store), 'env' (CLI/bridge), 'none'. */
  keyStorage: 'os' | 'weak' | 'env' | 'none';
  /** True when the API base is a local simulator (the "try without a key" mode). */
  simulator: boolean;
}

export interface RefInfo {
  token: string;
  sha256: string;
  fileName: string;
  mime: string;
  bytes: number;
  width: number;
  height: number;
}

export interface AssetDetail extends AssetRow {
  job: JobRow | null;
  batchName: string | null;
  /** The stored reference images the job was generated with (for "re-run with these settings"). */
  refs: RefInfo[];
}

export interface ParsedPromptFile {
  entries: PromptEntry[];
  /** Things the page should tell the person (e.g. local reference paths it cannot import from a drop). */
  warnings: string[];
}

export interface LibraryPage {
  /** Size of the whole library when the search text is empty; null for a filtered search (not counted). */
  total: number | null;
  hasMore: boolean;
  rows: AssetRow[];
}

export interface Outputs {
  'app.info': AppInfo;
  'app.useSimulator': AppInfo;
  'settings.get': Settings;
  'settings.update': Settings;
  'key.set': AppInfo;
  'key.clear': AppInfo;
  'key.test': { ok: boolean; message: string };
  'prompts.parseFile': ParsedPromptFile;
  'batch.plan': BatchPlan;
  'batch.create': { batchId: number; jobs: number; estimateCredits: number };
  'batch.list': BatchSummary[];
  'batch.pause': BatchSummary | null;
  'batch.resume': BatchSummary | null;
  'batch.cancel': BatchSummary | null;
  'batch.retry': BatchSummary | null;
  'jobs.list': { total: number; rows: JobRow[] };
  'job.pause': JobRow;
  'job.resume': JobRow;
  'job.cancel': JobRow;
  'job.retry': JobRow;
  'job.drop': JobRow;
  'queue.status': QueueStatus;
  'queue.pause': QueueStatus;
  'queue.resume': QueueStatus;
  'refs.add': RefInfo;
  'refs.fromAsset': RefInfo;
  'library.search': LibraryPage;
  'library.get': AssetDetail | null;
}

export type Output<M extends Method> = Outputs[M];

/** Events pushed from the engine to every open view. */
export interface EventPayloads {
  job: JobRow;
  queue: QueueStatus;
  batch: BatchSummary;
  asset: AssetRow;
  /** A native menu item (or its shortcut) in the desktop app; never sent by the browser bridge. */
  menu: MenuEvent;
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: readonly EventName[] = ['job', 'queue', 'batch', 'asset', 'menu'];

export type MenuAction = 'new-batch' | 'run' | 'focus-compose' | 'focus-queue' | 'focus-library';
export interface MenuEvent {
  action: MenuAction;
}

/** What a transport returns for a failed call: a message a person can act on, never a stack. */
export interface ContractError {
  error: { message: string; code: string };
}

/** The typed client every transport exposes to the page (`window.studio` in the app). */
export interface StudioApi {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** A URL the page may load for a local file: an asset's image, or a stored reference (by sha256). */
  mediaUrl(kind: 'asset' | 'ref', id: number | string): string;
}
