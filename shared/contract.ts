// Every operation the UI can ask of the engine and every event the engine pushes, each declared once: its
// input schema and what it answers side by side. One entry here plus one line in its domain's handler map
// (main/engine/handlers.ts, over a service) = a new operation, reachable over Electron IPC and the browser
// bridge; the CLI calls the same service. Payloads are validated against `input` on the engine side of every
// transport.
import type { CollectionInfo, DuplicateGroup, SavedSearch, TagInfo, UsageRow } from './library.ts';
import { z } from 'zod';
import type { BatchPlan, BatchSummary, JobRow, QueueStatus, AssetRow, PromptEntry } from './domain.ts';
import { batchSpecSchema, generationParamsSchema, JOB_STATES } from './domain.ts';
import type { SweepGrid } from './sweep.ts';
import { presetNameSchema, presetSchema, type NamedPreset, type PresetFile } from './preset.ts';
import type { Settings } from './settings.ts';
import { settingsSchema } from './settings.ts';
import { CONTROL_FREE, INPUT_LIMITS, formatLimit } from './input-limits.ts';
import type { ErrorReply } from './errors.ts';

/**
 * What a method answers (or an event carries): a type-only marker beside the input, so an operation is declared
 * in one place. Nothing reads its value.
 */
function out<T>(): T {
  return undefined as T;
}

const id = z.number().int().positive();
const none = z.strictObject({});
const name = z.string().trim().min(1, 'a name is needed').max(200, 'names are limited to 200 characters');
const path = z.string().trim().min(1, 'a path is needed').max(4096);
/** Search text: bounded, and free of control characters (a NUL or an escape sequence is never a search). */
const queryText = z
  .string()
  .max(
    INPUT_LIMITS.queryChars,
    `search text is limited to ${formatLimit(INPUT_LIMITS.queryChars)} characters`,
  )
  .regex(CONTROL_FREE, 'search text may not contain control characters — remove them and search again');
const rating = z.number().int().min(0, 'a rating is 0 (none) to 5').max(5, 'a rating is 0 (none) to 5');
const tagList = z.array(z.string().trim().min(1).max(100, 'tags are limited to 100 characters')).max(100);
/** Which images a bulk action covers: these ids, or every image a search matches ("all N matching"). */
const selection = z.union([
  z.strictObject({ ids: z.array(id).min(1, 'select at least one image').max(100_000) }),
  z.strictObject({ query: queryText }),
]);
export type Selection = z.infer<typeof selection>;

/** A parameter change: a value sets the parameter, null removes it (back to the service's default). */
const jobParamsEdit = z.strictObject(
  Object.fromEntries(
    Object.entries(generationParamsSchema.shape).map(([k, v]) => [k, (v as z.ZodType).nullable()]),
  ) as {
    [K in keyof typeof generationParamsSchema.shape]: z.ZodNullable<(typeof generationParamsSchema.shape)[K]>;
  },
);
const wildcardName = z.string().trim().min(1, 'a wildcard needs a name').max(200);

export const contract = {
  'app.info': { input: none, output: out<AppInfo>() },
  /** "Try it without a key": run against a local simulator, clearly labelled as such in the UI. */
  'app.useSimulator': { input: none, output: out<AppInfo>() },
  'settings.get': { input: none, output: out<Settings>() },
  'settings.update': { input: settingsSchema.partial(), output: out<Settings>() },
  'key.set': {
    input: z.strictObject({ key: z.string().trim().min(8, 'that does not look like an API key').max(512) }),
    output: out<AppInfo>(),
  },
  'key.clear': { input: none, output: out<AppInfo>() },
  'key.test': { input: none, output: out<{ ok: boolean; message: string }>() },
  /** Parses a dropped prompt file (.txt, .csv, .jsonl) with the engine's own reader: same rules as the CLI. */
  'prompts.parseFile': {
    input: z.strictObject({
      fileName: z.string().min(1).max(255),
      text: z
        .string()
        .max(
          INPUT_LIMITS.promptFileBytes,
          'the prompt file is larger than 64 MB — split it into several files',
        ),
    }),
    output: out<ParsedPromptFile>(),
  },
  'batch.plan': { input: batchSpecSchema, output: out<BatchPlan>() },
  'batch.create': {
    input: batchSpecSchema,
    output: out<{ batchId: number; jobs: number; estimateCredits: number }>(),
  },
  'batch.list': { input: none, output: out<BatchSummary[]>() },
  'batch.pause': { input: z.strictObject({ id }), output: out<BatchSummary | null>() },
  'batch.resume': { input: z.strictObject({ id }), output: out<BatchSummary | null>() },
  'batch.cancel': { input: z.strictObject({ id }), output: out<BatchSummary | null>() },
  'batch.retry': { input: z.strictObject({ id }), output: out<BatchSummary | null>() },
  'batch.rename': { input: z.strictObject({ id, name }), output: out<BatchSummary | null>() },
  /**
   * Moves a waiting batch in the queue (the scheduler claims jobs in this order): top, bottom, one place up
   * or down, or just before another waiting batch (drag and drop).
   */
  'batch.move': {
    input: z.strictObject({
      id,
      move: z.union([z.enum(['top', 'bottom', 'up', 'down']), z.strictObject({ before: id })]),
    }),
    output: out<BatchSummary>(),
  },
  'batch.priority': {
    input: z.strictObject({ id, priority: z.number().int().min(-2).max(2) }),
    output: out<BatchSummary>(),
  },
  /** Raises, lowers or removes (null) a batch's credit budget; a batch paused at its budget continues. */
  'batch.budget': {
    input: z.strictObject({
      id,
      maxCredits: z.number().int().positive('a budget is 1 credit or more').nullable(),
    }),
    output: out<BatchSummary>(),
  },
  'batch.duplicate': { input: z.strictObject({ id }), output: out<BatchSummary>() },
  /** The same parameter change on every job of the batch that was not sent yet. */
  'batch.editParams': {
    input: z.strictObject({ id, params: jobParamsEdit }),
    output: out<{ edited: number; skipped: number }>(),
  },
  /** Each finished job's images (library ids), for the Queue's job table. */
  'batch.images': { input: z.strictObject({ id }), output: out<BatchImages>() },
  /** A sweep batch as its grid: axes, prompts and each job in its cell with its images. */
  'batch.sweep': { input: z.strictObject({ id }), output: out<SweepGrid>() },
  /** Writes the sweep's contact sheet (one labelled PNG); without `out` the app asks where (null: closed). */
  'batch.sheet': {
    input: z.strictObject({ id, out: path.optional(), dark: z.boolean().default(false) }),
    output: out<{ path: string; width: number; height: number; cells: number; missing: number } | null>(),
  },
  'jobs.list': {
    input: z.strictObject({
      batchId: id.optional(),
      states: z.array(z.enum(JOB_STATES)).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    output: out<{ total: number; rows: JobRow[] }>(),
  },
  'job.pause': { input: z.strictObject({ id }), output: out<JobRow>() },
  'job.resume': { input: z.strictObject({ id }), output: out<JobRow>() },
  'job.cancel': { input: z.strictObject({ id }), output: out<JobRow>() },
  'job.retry': { input: z.strictObject({ id }), output: out<JobRow>() },
  'job.drop': { input: z.strictObject({ id }), output: out<JobRow>() },
  /** Edits a queued or paused job that was never sent. */
  'job.edit': {
    input: z.strictObject({
      id,
      prompt: z.string().trim().min(1).max(5000).optional(),
      params: jobParamsEdit.optional(),
    }),
    output: out<JobRow>(),
  },
  /** Retries a failed or canceled job with other parameters. */
  'job.retryWith': {
    input: z.strictObject({
      id,
      prompt: z.string().trim().min(1).max(5000).optional(),
      params: jobParamsEdit.optional(),
    }),
    output: out<JobRow>(),
  },
  'presets.list': { input: none, output: out<NamedPreset[]>() },
  /** Saves (or replaces) a preset; `isDefault` makes it the one a new draft and `run` start from. */
  'presets.save': {
    input: z.strictObject({
      name: presetNameSchema,
      preset: presetSchema,
      isDefault: z.boolean().default(false),
    }),
    output: out<NamedPreset>(),
  },
  'presets.remove': {
    input: z.strictObject({ name: presetNameSchema }),
    output: out<{ removed: boolean }>(),
  },
  'presets.setDefault': {
    input: z.strictObject({ name: presetNameSchema.nullable() }),
    output: out<NamedPreset[]>(),
  },
  'presets.export': { input: none, output: out<PresetFile>() },
  /** Adds the presets of an exported file (its text); a name already used is replaced. */
  'presets.import': {
    input: z.strictObject({ text: z.string().max(4 * 1024 * 1024) }),
    output: out<{ imported: number }>(),
  },
  'wildcards.list': { input: none, output: out<WildcardInfo[]>() },
  'wildcards.read': {
    input: z.strictObject({ name: wildcardName }),
    output: out<{ name: string; text: string }>(),
  },
  /** Saves a wildcard file (checked line by line first); an existing one is replaced. */
  'wildcards.write': {
    input: z.strictObject({ name: wildcardName, text: z.string().max(4 * 1024 * 1024) }),
    output: out<WildcardInfo>(),
  },
  'wildcards.remove': { input: z.strictObject({ name: wildcardName }), output: out<{ removed: boolean }>() },
  'queue.status': { input: none, output: out<QueueStatus>() },
  'queue.pause': { input: none, output: out<QueueStatus>() },
  'queue.resume': { input: none, output: out<QueueStatus>() },
  'refs.add': {
    input: z.strictObject({
      fileName: z.string().min(1).max(255),
      /** Base64 of the file's bytes (the page has no file system access). */
      dataBase64: z
        .string()
        .min(1)
        .max(40 * 1024 * 1024),
    }),
    output: out<RefInfo>(),
  },
  /** Turns a library image into a reference image (stored once, content-addressed). */
  'refs.fromAsset': { input: z.strictObject({ id }), output: out<RefInfo>() },
  /** A page of the library: the full query language (see library.syntax), newest first, by relevance or best first. */
  'library.search': {
    input: z.strictObject({
      text: queryText.default(''),
      sort: z.enum(['newest', 'relevance', 'best']).default('newest'),
      offset: z.number().int().min(0).default(0),
      /** At most SEARCH_LIMIT_MAX (shared/library.ts): the engine refuses more with OVER_LIMIT. */
      limit: z.number().int().min(1).default(200),
      /** Keyset paging (newest first): the previous page's `next`. Cheaper than a deep offset. */
      after: z.number().int().nullable().default(null),
      /** Count every match (default); a "load more" page can skip it. */
      count: z.boolean().default(true),
    }),
    output: out<LibraryPage>(),
  },
  /** The search language's help: one entry per operator, for the "?" popover. */
  'library.syntax': { input: none, output: out<QuerySyntax>() },
  'library.get': { input: z.strictObject({ id }), output: out<AssetDetail | null>() },
  /** Sets flags, notes and tags on a selection; everything absent is left alone. */
  'library.update': {
    input: z
      .strictObject({
        selection,
        favorite: z.boolean().optional(),
        rating: rating.optional(),
        rejected: z.boolean().optional(),
        notes: z.string().max(10_000, 'notes are limited to 10,000 characters').nullable().optional(),
        addTags: tagList.optional(),
        removeTags: tagList.optional(),
      })
      .refine(
        (u) =>
          u.favorite !== undefined ||
          u.rating !== undefined ||
          u.rejected !== undefined ||
          u.notes !== undefined ||
          (u.addTags?.length ?? 0) > 0 ||
          (u.removeTags?.length ?? 0) > 0,
        'say what to change: favorite, rating, rejected, notes, addTags or removeTags',
      ),
    output: out<{ images: number; changed: number }>(),
  },
  /** Autocomplete for tag fields: tags starting with the text first, most used first. */
  'library.tags.suggest': {
    input: z.strictObject({
      prefix: z.string().max(100).default(''),
      limit: z.number().int().min(1).max(50).default(10),
    }),
    output: out<TagInfo[]>(),
  },
  /** Every tag in use, by name, with how many images carry it. */
  'library.tags.list': { input: none, output: out<TagInfo[]>() },
  /** Renames a tag on every image; the engine refuses an empty name or one another tag already has. */
  'library.tags.rename': {
    input: z.strictObject({ from: z.string().trim().min(1).max(100), to: z.string().trim().max(100) }),
    output: out<TagInfo[]>(),
  },
  /** Removes the tag from every image; the images themselves stay. */
  'library.tags.delete': {
    input: z.strictObject({ name: z.string().trim().min(1).max(100) }),
    output: out<{ deleted: boolean }>(),
  },
  /** Moves the selection to the trash; the returned token undoes it. */
  'library.trash': { input: z.strictObject({ selection }), output: out<TrashResult>() },
  /**
   * Starts a bulk action over a selection (above all "all N matching" a search) as a background task with
   * progress and Cancel: an update (flags, tags), a collection add/remove, or the trash. A canceled action
   * keeps what it did; its result says how many images it changed.
   */
  'library.bulk': {
    input: z.strictObject({
      selection,
      action: z.discriminatedUnion('kind', [
        z.strictObject({
          kind: z.literal('update'),
          favorite: z.boolean().optional(),
          rating: rating.optional(),
          rejected: z.boolean().optional(),
          addTags: tagList.optional(),
          removeTags: tagList.optional(),
        }),
        z.strictObject({ kind: z.literal('collection'), id, remove: z.boolean().default(false) }),
        z.strictObject({ kind: z.literal('trash') }),
      ]),
    }),
    output: out<{ task: TaskInfo }>(),
  },
  'library.undo': { input: z.strictObject({ token: id }), output: out<UndoResult>() },
  'library.usage': {
    input: z.strictObject({ by: z.enum(['batch', 'collection']).default('batch') }),
    output: out<DiskUsage>(),
  },
  'library.duplicates': { input: none, output: out<DuplicatesReport>() },
  /**
   * Starts exporting the selection (originals + metadata.csv/jsonl) as a background task. Without `out`,
   * the app asks where with a native dialog (see AppInfo.canPickPaths); the answer's task is null when the
   * person closed it.
   */
  'library.export': {
    input: z.strictObject({ selection, format: z.enum(['zip', 'folder']), out: path.optional() }),
    output: out<{ task: TaskInfo | null }>(),
  },
  /** Starts importing a folder of images (duplicates skipped) as a background task; `folder` as for export. */
  'library.import': {
    input: z.strictObject({ folder: path.optional() }),
    output: out<{ task: TaskInfo | null }>(),
  },
  /** Whether the catalog lists nothing while the data folder holds images (a lost or emptied studio.db). */
  'library.rebuildOffer': { input: none, output: out<{ needed: boolean }>() },
  /** Rebuilds an empty catalog from the records inside the images, as a background task. */
  'library.rebuild': { input: none, output: out<{ task: TaskInfo }>() },
  'tasks.list': { input: none, output: out<TaskInfo[]>() },
  'task.cancel': { input: z.strictObject({ id }), output: out<TaskInfo | null>() },
  'collections.list': { input: none, output: out<CollectionInfo[]>() },
  'collections.create': { input: z.strictObject({ name }), output: out<CollectionInfo>() },
  'collections.rename': { input: z.strictObject({ id, name }), output: out<CollectionInfo[]>() },
  'collections.delete': { input: z.strictObject({ id }), output: out<{ deleted: boolean }>() },
  'collections.add': { input: z.strictObject({ id, selection }), output: out<{ changed: number }>() },
  'collections.remove': { input: z.strictObject({ id, selection }), output: out<{ changed: number }>() },
  /** "Pick the best": the images of a round (2 to 500, trashed ones left out) and a seed for its pairs. */
  'ranking.start': {
    input: z.strictObject({
      selection,
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .optional(),
    }),
    output: out<RankingRound>(),
  },
  /** The next pair of a round after the pairs already shown in it, or null when the round is over. */
  'ranking.next': {
    input: z.strictObject({
      ids: z.array(id).min(2).max(500),
      shown: z.array(z.tuple([id, id])).max(5000),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1),
    }),
    output: out<RankingPair | null>(),
  },
  /** The person preferred `winner` to `loser`: both Elo scores move; the token takes it back. */
  'ranking.choose': { input: z.strictObject({ winner: id, loser: id }), output: out<ChoiceReceipt>() },
  'ranking.undo': {
    input: z.strictObject({ token: id }),
    output: out<{ winner: AssetRow; loser: AssetRow }>(),
  },
  'searches.list': { input: none, output: out<SavedSearch[]>() },
  /** Saves the query under a name; saving an existing name replaces its query. */
  'searches.save': { input: z.strictObject({ name, query: queryText }), output: out<SavedSearch>() },
  'searches.rename': { input: z.strictObject({ id, name }), output: out<SavedSearch[]>() },
  'searches.delete': { input: z.strictObject({ id }), output: out<{ deleted: boolean }>() },
} as const satisfies Record<string, { input: z.ZodType; output: unknown }>;

export type Method = keyof typeof contract;
/** A bulk action of library.bulk (an update, a collection add/remove, the trash). */
export type BulkAction = z.input<(typeof contract)['library.bulk']['input']>['action'];
export type Input<M extends Method> = z.input<(typeof contract)[M]['input']>;
export type ParsedInput<M extends Method> = z.output<(typeof contract)[M]['input']>;
/** What a method answers, declared beside its input. */
export type Output<M extends Method> = (typeof contract)[M]['output'];
/** Where `batch.move` puts a waiting batch. */
export type BatchMove = Input<'batch.move'>['move'];

export interface AppInfo {
  version: string;
  dataDir: string;
  apiBase: string;
  hasKey: boolean;
  /**
   * The key's storage: 'os' (safeStorage backed by the OS), 'weak' (no OS secret store), 'env' (read from
   * the environment), 'session' (pasted in the bridge's page: kept in memory for this run), 'none'.
   */
  keyStorage: 'os' | 'weak' | 'env' | 'session' | 'none';
  /** True when the API base is a local simulator (the "try without a key" mode). */
  simulator: boolean;
  /** True when the engine can ask for a file or folder itself (a native dialog); else the page asks for a path. */
  canPickPaths: boolean;
  /** The operating system's preferred language (BCP 47) in the app; null in the bridge (the page asks its browser). */
  locale: string | null;
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
  tags: string[];
  collections: { id: number; name: string }[];
}

/** A prompt file row's reference as the page is told it: a URL, or the file name of a local image to add. */
export type RowRef = { url: string } | { file: string };

export interface ParsedPromptFile {
  entries: PromptEntry[];
  /**
   * Per entry, its references in the row's order (the order they are sent): URLs as written, local images by
   * file name — the page has no file system, so the person adds those images and they are matched by name.
   */
  rowRefs: RowRef[][];
  /** Things the page should tell the person (e.g. two local images of the same file name). */
  warnings: string[];
}

export interface LibraryPage {
  /** Every match (what "all N matching" covers); null when the call asked not to count. */
  total: number | null;
  hasMore: boolean;
  rows: AssetRow[];
  /** Pass as `after` for the next page (newest first); null on the last page or when sorted by relevance. */
  next: number | null;
  /** Parts of the query read differently from how they look (e.g. `rating>=lots` searched as text). */
  warnings: string[];
}

export interface QuerySyntax {
  /** The whole help as plain text (what the CLI prints). */
  text: string;
  entries: { syntax: string; meaning: string }[];
}

export type { CollectionInfo, DuplicateGroup, SavedSearch, TagInfo, UsageRow };

export interface RankingRound {
  ids: number[];
  /** Choices the round has (about log2 n per image). */
  total: number;
  seed: number;
}

export interface RankingPair {
  left: AssetRow;
  right: AssetRow;
  /** Choices made so far in this round, and how many it has. */
  done: number;
  total: number;
}

export interface ChoiceReceipt {
  /** Give it to ranking.undo to take the choice back. */
  token: number;
  winner: AssetRow;
  loser: AssetRow;
}

export interface WildcardInfo {
  name: string;
  /** Options (lines that are neither blank nor comments). */
  options: number;
  bytes: number;
  updatedAt: number;
}

export interface DiskUsage {
  rows: UsageRow[];
  total: { assets: number; files: number; bytes: number };
}

export interface DuplicatesReport {
  groups: number;
  /** Images beyond the one kept per group: what trashing the extra copies would remove. */
  extra: number;
  reclaimableBytes: number;
  /** The largest groups first, at most 200. */
  list: DuplicateGroup[];
}

export interface TrashResult {
  /** Give it to library.undo; 0 when nothing was moved. */
  token: number;
  /** Images moved to the trash. */
  count: number;
  files: number;
  /** Files that could not be moved (their images are still hidden); say which. */
  failed: { path: string; error: string }[];
}

export interface UndoResult {
  restored: number;
  filesRestored: number;
  /** Files that went to the system trash: restore them from there. */
  filesNotRestored: string[];
}

export interface ExportTaskResult {
  out: string;
  files: number;
  bytes: number;
  /** Files that were missing on disk and left out. */
  missing: number;
}

export interface BulkTaskResult {
  /** What the action did, for the person's language: 'update', 'collection' or 'trash'. */
  action: 'update' | 'collection' | 'trash';
  /** Images the selection covered when the action started. */
  images: number;
  /** Images gone through before it ended (all of them unless canceled). */
  done: number;
  /** Rows or links actually changed (an image already tagged is not counted again). */
  changed: number;
  /** The trash's undo token (null for other actions, or when nothing was trashed). */
  token: number | null;
}

export interface ImportTaskResult {
  scanned: number;
  imported: number;
  duplicates: number;
  skipped: { path: string; reason: string }[];
}

export interface RebuildTaskResult {
  /** Image files found in the library folder. */
  scanned: number;
  /** Images listed again with their batch, job, prompt, seed and credits. */
  generated: number;
  /** Images without our record, listed as imported. */
  imported: number;
  batches: number;
  jobs: number;
  credits: number;
  skipped: { path: string; reason: string }[];
}

export type TaskState = 'running' | 'done' | 'failed' | 'canceled';

interface TaskBase {
  id: number;
  state: TaskState;
  done: number;
  total: number;
  /** What is happening, or how it ended, in words for the person. */
  message: string;
  startedAt: number;
}
/** Per job of a batch that has images: their library ids, in order (trashed ones left out). */
export type BatchImages = { jobId: number; assetIds: number[] }[];

/** A long operation running in the engine; its progress arrives as `task` events. */
export type TaskInfo =
  | (TaskBase & { kind: 'export'; result?: ExportTaskResult })
  | (TaskBase & { kind: 'import'; result?: ImportTaskResult })
  | (TaskBase & { kind: 'rebuild'; result?: RebuildTaskResult })
  | (TaskBase & { kind: 'bulk'; result?: BulkTaskResult });

/** Events pushed from the engine to every open view, each with what it carries. */
export const events = {
  job: out<JobRow>(),
  queue: out<QueueStatus>(),
  batch: out<BatchSummary>(),
  asset: out<AssetRow>(),
  /** Progress and the end of a background task (export, import, rebuild, bulk). */
  task: out<TaskInfo>(),
  /** A native menu item (or its shortcut) or OS notice in the desktop app; never sent by the browser bridge. */
  menu: out<MenuEvent>(),
};
export type EventPayloads = typeof events;
export type EventName = keyof EventPayloads;
export const EVENT_NAMES = Object.keys(events) as EventName[];

export type MenuAction = 'new-batch' | 'run' | 'focus-compose' | 'focus-queue' | 'focus-library';
/** A menu item, or a click on the OS notice that a batch finished (the Library showing that batch). */
export type MenuEvent = { action: MenuAction } | { action: 'open-batch'; batchId: number };

/** A call's answer as it crosses a process boundary: the result, or the error's code and message. */
export type CallReply<M extends Method = Method> = { result: Output<M> } | ErrorReply;

/** The typed client every transport exposes to the page. */
export interface StudioApi {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /**
   * A URL the page may load for a local file: an asset's image, its thumbnail (made on demand; 404 when the
   * image file is missing), or a stored reference (by sha256).
   */
  mediaUrl(kind: 'asset' | 'thumb' | 'tile' | 'ref', id: number | string): string;
}

/**
 * `window.studio` in the app. Its `call` answers with the reply itself rather than throwing: an Error
 * crossing the context bridge keeps only its message, and the page needs the code too.
 */
export interface PreloadApi extends Omit<StudioApi, 'call'> {
  call<M extends Method>(method: M, input: Input<M>): Promise<CallReply<M>>;
}
