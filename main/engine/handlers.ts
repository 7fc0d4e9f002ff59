// The engine side of the UI contract (shared/contract.ts): one handler per method over a `Studio`, the
// validating dispatcher every transport calls (Electron IPC, the browser bridge), and the event mapping.
// Transports stay thin: they move bytes and check who is calling; everything else happens here.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  contract,
  type AppInfo,
  type AssetDetail,
  type EventName,
  type EventPayloads,
  type Method,
  type Output,
  type ParsedInput,
  type RefInfo,
  type Selection as ContractSelection,
} from '../../shared/contract.ts';
import { apiOrigin } from '../../shared/api-base.ts';
import { DEFAULT_API_BASE } from '../../shared/api.ts';
import { plural } from '../../shared/plural.ts';
import type { JobRow, PromptEntry } from '../../shared/domain.ts';
import { parsePromptText } from './batch/input-file.ts';
import { StudioError, describeIssues, toStudioError } from './errors.ts';
import type { Logger } from './log.ts';
import { redact } from './redact.ts';
import { checkSearchLimit, exportDestination } from './services/library.ts';
import { batchImages } from './services/batch-images.ts';
import { QUERY_SYNTAX, describeQuerySyntax } from './search/query.ts';
import type { JobRecord } from './store/jobs.ts';
import type { RefRecord } from './store/refs.ts';
import type { Studio } from './studio.ts';
import { storedFile } from './files/stored-file.ts';
import { tasksOf } from './tasks.ts';
import { bulkTask } from './services/bulk.ts';
import type { Priority } from './store/queue-order.ts';

export interface KeyStore {
  get(): string | null;
  set(key: string): void;
  clear(): void;
  kind(): AppInfo['keyStorage'];
}

export interface HandlerEnv {
  keyStore: KeyStore;
  version: string;
  /** Starts a local simulator for "try without a key" and returns its API base. */
  startSimulator?: () => Promise<string>;
  /**
   * Asks the person for a destination or source (a native dialog in the app); null when they closed it.
   * Without it (the browser bridge), the page asks for a typed path.
   */
  pickPath?: (kind: PickKind) => Promise<string | null>;
  /** The system's preferred language (Electron's); the bridge leaves it to the browser. */
  locale?: string;
  /**
   * Asks the person whether the API key may go to a new service address (a native dialog naming the host,
   * in the app). Without it (the browser bridge), the address changes only with --api-base at start.
   */
  confirmApiBase?: (url: string) => Promise<boolean>;
}

export type PickKind = 'export-zip' | 'export-folder' | 'import-folder' | 'export-sheet';

export type Handlers = { [M in Method]: (input: ParsedInput<M>) => Promise<Output<M>> };

/** The key the simulator of "try without a key" accepts; it only ever lives in memory. */
const SIMULATOR_KEY = 'simulator';

/** What the page may see of a job: the row, without the raw remote answer (which holds signed URLs). */
export function toJobRow(j: JobRecord): JobRow {
  return {
    id: j.id,
    batchId: j.batchId,
    seq: j.seq,
    state: j.state,
    prompt: j.prompt,
    input: j.input,
    refHashes: j.refHashes,
    remoteId: j.remoteId,
    remoteStatus: j.remoteStatus,
    attempts: j.attempts,
    errorClass: j.errorClass,
    errorCode: j.errorCode,
    errorMessage: j.errorMessage,
    credits: j.credits,
    actualPrompt: j.actualPrompt,
    cell: j.cell,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
  };
}

function toRefInfo(r: RefRecord): RefInfo {
  return {
    token: `sha256:${r.sha256}`,
    sha256: r.sha256,
    fileName: r.fileName,
    mime: r.mime,
    bytes: r.bytes,
    width: r.width,
    height: r.height,
  };
}

// dispatch() only receives the handlers, yet must redact the key from any message and log our bugs: the
// handlers carry both.
const CONTEXT = new WeakMap<Handlers, { secrets: () => (string | null)[]; log: Logger }>();

export function createHandlers(studio: Studio, env: HandlerEnv): Handlers {
  // Simulator mode is a property of this run only: a restart goes back to the real service.
  let simulatorBase: string | null = null;

  const info = (): AppInfo => ({
    version: env.version,
    dataDir: studio.dataDir,
    apiBase: studio.apiBase(),
    hasKey: studio.apiKey() !== null,
    keyStorage: simulatorBase ? 'none' : env.keyStore.kind(),
    simulator: simulatorBase !== null,
    canPickPaths: env.pickPath !== undefined,
    locale: env.locale ?? null,
  });
  const tasks = tasksOf(studio);
  const lib = studio.library;
  /** A selection as ids, resolved now: later writes (a flag this very call sets) do not change it. */
  const ids = (sel: ContractSelection): number[] =>
    lib.resolve('ids' in sel ? sel.ids : { query: sel.query });

  const leaveSimulator = () => {
    if (simulatorBase === null) return;
    simulatorBase = null;
    studio.setApiBaseOverride(null);
  };

  const job = (id: number): JobRecord => {
    const j = studio.stores.jobs.get(id);
    if (!j)
      throw new StudioError(
        'NOT_FOUND',
        `Job ${id} does not exist (it may belong to a deleted data folder).`,
      );
    return j;
  };
  const batch = (id: number) => {
    const b = studio.batchSummary(id);
    if (!b)
      throw new StudioError(
        'NOT_FOUND',
        `Batch ${id} does not exist (it may belong to a deleted data folder).`,
      );
    return b;
  };
  const jobAction =
    (action: (id: number) => JobRecord) =>
    async ({ id }: { id: number }) => {
      job(id);
      return toJobRow(action(id));
    };
  const batchAction =
    (action: (id: number) => unknown) =>
    async ({ id }: { id: number }) => {
      batch(id);
      action(id);
      return studio.batchSummary(id);
    };

  const handlers: Handlers = {
    'app.info': async () => info(),
    'app.useSimulator': async () => {
      if (!env.startSimulator) {
        throw new StudioError(
          'NOT_AVAILABLE',
          'The local simulator is not part of this build; paste an API key instead.',
        );
      }
      const base = await env.startSimulator();
      simulatorBase = base;
      studio.setApiBaseOverride(base);
      studio.setApiKey(SIMULATOR_KEY);
      return info();
    },

    'settings.get': async () => studio.settings(),
    'settings.update': async (patch) => {
      if (patch.apiBase !== undefined && !(await keyMayGo(studio, env, patch.apiBase)))
        return studio.settings();
      studio.updateSettings(patch);
      return studio.settings();
    },

    'key.set': async ({ key }) => {
      env.keyStore.set(key);
      leaveSimulator();
      studio.setApiKey(key);
      return info();
    },
    'key.clear': async () => {
      env.keyStore.clear();
      leaveSimulator();
      studio.setApiKey(null);
      return info();
    },
    'key.test': async () => studio.testConnection(),

    'prompts.parseFile': async ({ fileName, text }) => {
      const warnings: string[] = [];
      const entries: PromptEntry[] = parsePromptText(text, fileName).map(({ refPaths, ...entry }) => {
        // A dropped file has no folder the page could import its local images from; say so instead of
        // reading paths a file names from wherever the engine happens to run.
        if (refPaths?.length) {
          warnings.push(
            `${entry.origin ?? fileName}: ${refPaths.length} local reference image(s) skipped — add them with the reference picker`,
          );
        }
        delete entry.refSources; // the order of local paths: for the command line, never for the page
        return entry;
      });
      return { entries, warnings };
    },
    'batch.plan': async (spec) => studio.plan(spec).plan,
    'batch.create': async (spec) => {
      const { batchId, plan } = studio.enqueue(spec);
      return { batchId, jobs: plan.jobs.length, estimateCredits: plan.estimateCredits };
    },
    'batch.list': async () => studio.batchSummaries(),
    'batch.pause': batchAction((id) => studio.scheduler.pauseBatch(id)),
    'batch.resume': async ({ id }) => studio.resumeBatch(id),
    'batch.cancel': batchAction((id) => studio.scheduler.cancelBatch(id)),
    'batch.retry': batchAction((id) => studio.scheduler.retryBatch(id)),
    'batch.rename': async ({ id, name }) => {
      batch(id);
      studio.stores.batches.rename(id, name);
      const b = studio.batchSummary(id);
      if (b) studio.emit('batch', b);
      return b;
    },

    'batch.move': async ({ id, move }) => studio.moveBatch(id, move),
    'batch.priority': async ({ id, priority }) => studio.setBatchPriority(id, priority as Priority),
    'batch.budget': async ({ id, maxCredits }) => studio.setBudget(id, maxCredits),
    'batch.duplicate': async ({ id }) => studio.duplicateBatch(id),
    'batch.editParams': async ({ id, params }) => studio.editBatchParams(id, { params }),
    'batch.images': async ({ id }) => batchImages(studio.stores.db, id),
    'batch.sweep': async ({ id }) => studio.sweepGrid(id),
    'batch.sheet': async ({ id, out, dark }) => {
      onlyFromDialog(env, out);
      let target: string | null;
      if (out !== undefined) target = typedPath(out, 'The contact sheet', join(homedir(), 'sheet.png'));
      else if (env.pickPath) target = await env.pickPath('export-sheet');
      else
        throw new StudioError(
          'INVALID_INPUT',
          'Say where to save the contact sheet: a full path to a .png file.',
        );
      if (target === null) return null;
      return studio.contactSheet(id, target.toLowerCase().endsWith('.png') ? target : `${target}.png`, {
        dark,
      });
    },

    'jobs.list': async (q) => {
      const { total, rows } = studio.stores.jobs.list(q);
      return { total, rows: rows.map(toJobRow) };
    },
    'job.pause': jobAction((id) => studio.scheduler.pauseJob(id)),
    'job.resume': jobAction((id) => studio.scheduler.resumeJob(id)),
    'job.cancel': jobAction((id) => studio.scheduler.cancelJob(id)),
    'job.retry': jobAction((id) => studio.scheduler.retryJob(id)),
    'job.drop': jobAction((id) => studio.scheduler.dropUncertain(id)),
    'job.edit': async ({ id, prompt, params }) =>
      toJobRow(studio.editJob(id, { ...(prompt ? { prompt } : {}), ...(params ? { params } : {}) })),
    'job.retryWith': async ({ id, prompt, params }) =>
      toJobRow(studio.retryJobWith(id, { ...(prompt ? { prompt } : {}), ...(params ? { params } : {}) })),
    'presets.list': async () => studio.presets.list(),
    'presets.save': async ({ name, preset, isDefault }) => studio.presets.save(name, preset, isDefault),
    'presets.remove': async ({ name }) => {
      studio.presets.remove(name);
      return { removed: true };
    },
    'presets.setDefault': async ({ name }) => {
      studio.presets.setDefault(name);
      return studio.presets.list();
    },
    'presets.export': async () => studio.presets.exportFile(),
    'presets.import': async ({ text }) => {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw new StudioError(
          'INVALID_INPUT',
          'That file is not JSON — choose a file exported from Presets.',
        );
      }
      return { imported: studio.presets.importFile(data) };
    },
    'wildcards.list': async () => studio.wildcards.list(),
    'wildcards.read': async ({ name }) => studio.wildcards.read(name),
    'wildcards.write': async ({ name, text }) => studio.wildcards.write(name, text),
    'wildcards.remove': async ({ name }) => {
      studio.wildcards.remove(name);
      return { removed: true };
    },

    'queue.status': async () => studio.queueStatus(),
    'queue.pause': async () => {
      studio.scheduler.pause('user');
      return studio.queueStatus();
    },
    'queue.resume': async () => {
      studio.scheduler.resume();
      return studio.queueStatus();
    },

    'refs.add': async ({ fileName, dataBase64 }) => {
      const data = Buffer.from(dataBase64, 'base64');
      const { ref } = await studio.addReference({ data, fileName });
      return toRefInfo(ref);
    },
    'refs.fromAsset': async ({ id }) => {
      const asset = studio.stores.assets.get(id);
      if (!asset) throw new StudioError('NOT_FOUND', `Image ${id} is not in the library any more.`);
      const file = storedFile(studio.dataDir, asset.path);
      if (!file) {
        throw new StudioError('NOT_FOUND', `Image ${id}'s image file is missing from the library folder.`);
      }
      const { ref } = await studio.addReference(file);
      return toRefInfo(ref);
    },

    'library.search': async ({ text, sort, offset, limit, after, count }) => {
      checkSearchLimit(limit);
      // One row past the page says whether there is more, whatever the sort.
      const r = lib.search(text, { sort, offset, limit: limit + 1, after, count });
      const hasMore = r.rows.length > limit;
      const rows = hasMore ? r.rows.slice(0, limit) : r.rows;
      // Keyset paging only means something newest first; relevance pages by offset.
      const next = hasMore && sort === 'newest' ? (rows.at(-1)?.sortKey ?? null) : null;
      return { total: r.total, hasMore, rows, next, warnings: r.warnings };
    },
    'library.syntax': async () => ({
      text: describeQuerySyntax(),
      entries: QUERY_SYNTAX.map((e) => ({ syntax: e.syntax, meaning: e.meaning })),
    }),
    'library.get': async ({ id }): Promise<AssetDetail | null> => {
      const asset = lib.get(id);
      // A trashed image is gone as far as the page is concerned (undo brings it back).
      if (!asset || asset.deletedAt != null) return null;
      const j = asset.jobId == null ? undefined : studio.stores.jobs.get(asset.jobId);
      const refs = (j?.refHashes ?? []).flatMap((sha) => {
        const r = studio.stores.refs.get(sha);
        return r ? [toRefInfo(r)] : [];
      });
      return {
        ...asset,
        job: j ? toJobRow(j) : null,
        batchName: asset.batchId == null ? null : (studio.stores.batches.get(asset.batchId)?.name ?? null),
        refs,
      };
    },
    'library.update': async (u) => {
      const sel = ids(u.selection);
      let changed = 0;
      if (u.favorite !== undefined) changed += lib.setFavorite(sel, u.favorite);
      if (u.rating !== undefined) changed += lib.setRating(sel, u.rating);
      if (u.rejected !== undefined) changed += lib.setRejected(sel, u.rejected);
      if (u.notes !== undefined) changed += lib.setNotes(sel, u.notes);
      if (u.addTags?.length) changed += lib.addTags(sel, u.addTags);
      if (u.removeTags?.length) changed += lib.removeTags(sel, u.removeTags);
      return { images: sel.length, changed };
    },
    'library.tags.suggest': async ({ prefix, limit }) => lib.tagSuggestions(prefix, limit),
    'library.tags.list': async () => lib.tags(),
    'library.tags.rename': async ({ from, to }) => {
      lib.renameTag(from, to);
      return lib.tags();
    },
    'library.tags.delete': async ({ name }) => ({ deleted: lib.deleteTag(name) }),
    'library.trash': async ({ selection }) => {
      const r = await studio.trash(ids(selection));
      return { token: r.token, count: r.assets, files: r.files, failed: r.failed };
    },
    'library.bulk': async ({ selection, action }) => {
      const sel = 'ids' in selection ? selection.ids : { query: selection.query };
      const job = bulkTask({ library: lib, trash: (chosen) => studio.trash(chosen) }, sel, action);
      return { task: tasks.start('bulk', job.message, job.run) };
    },
    'library.undo': async ({ token }) => {
      const r = await studio.undoTrash(token);
      return { restored: r.assets, filesRestored: r.filesRestored, filesNotRestored: r.filesNotRestored };
    },
    'library.usage': async ({ by }) => lib.diskUsage({ by }),
    'library.duplicates': async () => {
      const groups = lib.duplicates();
      return {
        groups: groups.length,
        extra: groups.reduce((n, g) => n + g.ids.length - 1, 0),
        reclaimableBytes: groups.reduce((n, g) => n + g.reclaimableBytes, 0),
        list: groups.slice(0, 200),
      };
    },
    'library.export': async ({ selection, format, out }) => {
      onlyFromDialog(env, out);
      const chosen = ids(selection);
      if (chosen.length === 0) {
        throw new StudioError(
          'NOTHING_SELECTED',
          'Nothing to export: no image is in the selection any more.',
        );
      }
      const target = await exportTarget(env, format, out);
      if (target === null) return { task: null };
      const task = tasks.start(
        'export',
        `Exporting ${plural(chosen.length, 'image')} to ${target}…`,
        async (t) => {
          const r = await studio.exportAssets(chosen, target, {
            signal: t.signal,
            onProgress: (p) =>
              t.progress(p.done, p.total, `Exported ${p.done} of ${plural(p.total, 'image')}…`),
          });
          const missing = r.missing.length
            ? ` ${plural(r.missing.length, 'file was', 'files were')} missing on disk and left out.`
            : '';
          return {
            result: { out: r.out, files: r.files, bytes: r.bytes, missing: r.missing.length },
            message: `Exported ${plural(r.files, 'image')} (${megabytes(r.bytes)}) to ${r.out}.${missing}`,
          };
        },
      );
      return { task };
    },
    'library.import': async ({ folder }) => {
      onlyFromDialog(env, folder);
      const source = await importSource(env, folder);
      if (source === null) return { task: null };
      const task = tasks.start('import', `Looking for images in ${source}…`, async (t) => {
        const r = await studio.importFolder(source, {
          signal: t.signal,
          onProgress: (p) =>
            t.progress(
              p.done,
              p.total,
              `Checked ${p.done} of ${plural(p.total, 'file')}: ${p.imported} imported, ${p.duplicates} already in the library`,
            ),
        });
        const canceled = t.signal.aborted;
        const parts = [
          `${canceled ? 'Import canceled: ' : ''}${plural(r.imported, 'image')} imported from ${source}`,
          r.duplicates ? `${plural(r.duplicates, 'duplicate')} skipped` : '',
          r.skipped.length ? `${plural(r.skipped.length, 'file')} could not be read` : '',
        ].filter(Boolean);
        return {
          result: {
            scanned: r.scanned,
            imported: r.imported,
            duplicates: r.duplicates,
            skipped: r.skipped.slice(0, 200),
          },
          message: `${parts.join('; ')}.`,
          canceled,
        };
      });
      return { task };
    },
    'library.rebuildOffer': async () => ({ needed: await studio.catalogNeedsRebuild() }),
    'library.rebuild': async () => {
      const task = tasks.start('rebuild', 'Reading the records inside the images…', async (t) => {
        const r = await studio.rebuildCatalog({
          signal: t.signal,
          onProgress: (p) => t.progress(p.done, p.total, `Read ${p.done} of ${plural(p.total, 'image')}`),
        });
        const canceled = t.signal.aborted;
        return {
          result: { ...r, skipped: r.skipped.slice(0, 200) },
          message: canceled
            ? 'Rebuild canceled: nothing was added to the catalog.'
            : `${plural(r.generated + r.imported, 'image')} back in the library: ${plural(r.batches, 'batch', 'batches')}, ` +
              `${plural(r.jobs, 'finished job')}, ${Math.round(r.credits)} credits. Tags, ratings and ` +
              `collections are kept only in the catalog and its backups.`,
          canceled,
        };
      });
      return { task };
    },
    'tasks.list': async () => tasks.list(),
    'task.cancel': async ({ id }) => tasks.cancel(id),

    'collections.list': async () => lib.collections(),
    'collections.create': async ({ name }) => {
      const id = lib.createCollection(name);
      return lib.collections().find((c) => c.id === id)!;
    },
    'collections.rename': async ({ id, name }) => {
      lib.renameCollection(id, name);
      return lib.collections();
    },
    'collections.delete': async ({ id }) => ({ deleted: lib.deleteCollection(id) }),
    'collections.add': async ({ id, selection }) => ({ changed: lib.addToCollection(id, ids(selection)) }),
    'collections.remove': async ({ id, selection }) => ({
      changed: lib.removeFromCollection(id, ids(selection)),
    }),

    'ranking.start': async ({ selection, seed }) => ({
      ...studio.ranking.pool(ids(selection)),
      seed: seed ?? Math.floor(Math.random() * 2 ** 32),
    }),
    'ranking.next': async ({ ids: pool, shown, seed }) => studio.ranking.next(pool, shown, seed),
    'ranking.choose': async ({ winner, loser }) => studio.ranking.choose(winner, loser),
    'ranking.undo': async ({ token }) => studio.ranking.undo(token),

    'searches.list': async () => lib.savedSearches(),
    'searches.save': async ({ name, query }) => lib.saveSearch(name, query),
    'searches.rename': async ({ id, name }) => {
      lib.renameSavedSearch(id, name);
      return lib.savedSearches();
    },
    'searches.delete': async ({ id }) => ({ deleted: lib.deleteSavedSearch(id) }),
  };
  CONTEXT.set(handlers, { secrets: () => [studio.apiKey(), env.keyStore.get()], log: studio.log });
  return handlers;
}

function megabytes(n: number): string {
  return n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A path typed by the person: absolute (or `~/…`), so it never depends on where the engine was started. */
function typedPath(raw: string, what: string, example: string): string {
  const p = raw === '~' || raw.startsWith('~/') ? join(homedir(), raw.slice(1)) : raw;
  if (!isAbsolute(p)) {
    throw new StudioError('BAD_PATH', `${what} must be a full path, such as ${example} ("${raw}" is not).`);
  }
  return resolve(p);
}

/**
 * Whether the key may be sent to `next`: the same origin as now, or the official service, needs nobody's
 * word; any other origin is the person's decision (a native dialog the page cannot answer). Until they say
 * yes the address is not saved, so no request carries the key there.
 */
async function keyMayGo(studio: Studio, env: HandlerEnv, next: string): Promise<boolean> {
  const origin = apiOrigin(next);
  if (origin === apiOrigin(studio.settings().apiBase) || origin === apiOrigin(DEFAULT_API_BASE)) return true;
  if (!env.confirmApiBase) {
    throw new StudioError(
      'INVALID_INPUT',
      `The API key is not sent to ${new URL(next).host} from here: start the studio with --api-base ${next} ` +
        'to use that service.',
    );
  }
  return env.confirmApiBase(next);
}

/** In the app, paths come from native dialogs only: the page names no file on this machine. */
function onlyFromDialog(env: HandlerEnv, typed: string | undefined): void {
  if (typed !== undefined && env.pickPath) {
    throw new StudioError(
      'INVALID_INPUT',
      'In the app, files and folders are chosen in a dialog; a typed path is not accepted.',
    );
  }
}

/** Where an export goes: a picked or typed path, then the library service's rules. */
async function exportTarget(
  env: HandlerEnv,
  format: 'zip' | 'folder',
  out: string | undefined,
): Promise<string | null> {
  let target: string;
  if (out === undefined) {
    if (!env.pickPath) {
      throw new StudioError(
        'INVALID_INPUT',
        'Say where to export to: a full path to a .zip file or a folder.',
      );
    }
    const picked = await env.pickPath(format === 'zip' ? 'export-zip' : 'export-folder');
    if (picked === null) return null;
    target = picked;
  } else {
    const example = format === 'zip' ? join(homedir(), 'export.zip') : join(homedir(), 'Pictures', 'export');
    target = typedPath(out, 'The export destination', example);
  }
  // A dialog has already asked about replacing; a typed path never replaces anything.
  return exportDestination(format, target, { confirmed: out === undefined });
}

async function importSource(env: HandlerEnv, folder: string | undefined): Promise<string | null> {
  let source: string;
  if (folder === undefined) {
    if (!env.pickPath) throw new StudioError('INVALID_INPUT', 'Say which folder to import: its full path.');
    const picked = await env.pickPath('import-folder');
    if (picked === null) return null;
    source = picked;
  } else {
    source = typedPath(folder, 'The folder to import', join(homedir(), 'Pictures'));
  }
  if (!existsSync(source)) throw new StudioError('NOT_FOUND', `${source} was not found — check the path.`);
  if (!statSync(source).isDirectory()) {
    throw new StudioError('BAD_PATH', `${source} is a file — choose the folder that holds the images.`);
  }
  return source;
}

function isMethod(name: string): name is Method {
  return Object.hasOwn(contract, name);
}

/**
 * Validates `raw` with the contract's schema and calls the handler. Throws StudioError only, its message
 * redacted: a user's mistake as the handler said it, anything else logged (stack included) as INTERNAL.
 */
export async function dispatch(handlers: Handlers, method: string, raw: unknown): Promise<unknown> {
  if (!isMethod(method))
    throw new StudioError('UNKNOWN_METHOD', `There is no operation called "${method.slice(0, 100)}".`);
  const parsed = contract[method].input.safeParse(raw ?? {});
  if (!parsed.success) throw new StudioError('INVALID_INPUT', describeIssues(parsed.error));
  const handler = handlers[method] as (input: unknown) => Promise<unknown>;
  try {
    return await handler(parsed.data);
  } catch (err) {
    const context = CONTEXT.get(handlers);
    const e = toStudioError(err, method);
    if (!e.isUserMistake) context?.log.error('call failed', { method, err });
    const message = redact(e.message, context?.secrets() ?? []);
    throw message === e.message ? e : new StudioError(e.code, message);
  }
}

/** Forwards the studio's events as contract payloads; returns the unsubscribe function. */
export function subscribeEvents(
  studio: Studio,
  send: <E extends EventName>(event: E, payload: EventPayloads[E]) => void,
): () => void {
  const onJob = (j: JobRecord) => send('job', toJobRow(j));
  const onQueue = (q: EventPayloads['queue']) => send('queue', q);
  const onBatch = (b: EventPayloads['batch']) => send('batch', b);
  const onAsset = (a: EventPayloads['asset']) => send('asset', a);
  const onTask = (t: EventPayloads['task']) => send('task', t);
  const tasks = tasksOf(studio);
  studio.on('job', onJob);
  studio.on('queue', onQueue);
  studio.on('batch', onBatch);
  studio.on('asset', onAsset);
  tasks.on('task', onTask);
  return () => {
    studio.off('job', onJob);
    studio.off('queue', onQueue);
    studio.off('batch', onBatch);
    studio.off('asset', onAsset);
    tasks.off('task', onTask);
  };
}
