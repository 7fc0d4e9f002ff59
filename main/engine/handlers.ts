// The engine side of the UI contract (shared/contract.ts): one thin handler per method over the studio's
// services, the validating dispatcher every transport calls (Electron IPC, the browser bridge), and the event
// mapping. Transports stay thin: they move bytes and check who is calling; the services decide the rest.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  contract,
  type AppInfo,
  type EventName,
  type EventPayloads,
  type Method,
  type Output,
  type ParsedInput,
} from '../../shared/contract.ts';
import { apiOrigin } from '../../shared/api-base.ts';
import { DEFAULT_API_BASE } from '../../shared/api.ts';
import type { JobEdit } from './batch/job-edit.ts';
import { StudioError, describeIssues, toStudioError } from './errors.ts';
import type { Logger } from './log.ts';
import { redact } from './redact.ts';
import { toJobRow } from './services/jobs.ts';
import { exportDestination, importSource } from './services/library.ts';
import type { JobRecord } from './store/jobs.ts';
import type { Priority } from './store/queue-order.ts';
import type { Studio } from './studio.ts';

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

/** The handlers of one domain: every contract method whose name starts with one of `P` and a dot. */
type Domain<P extends string> = {
  [M in Method as M extends `${P}.${string}` ? M : never]: Handlers[M];
};

// dispatch() only receives the handlers, yet must redact the key from any message and log our bugs: the
// handlers carry both.
const CONTEXT = new WeakMap<Handlers, { secrets: () => (string | null)[]; log: Logger }>();

/**
 * The contract's handlers: thin per-domain maps over the studio's services, which own every rule. What is
 * left here is what only a transport knows — where a path came from (a dialog or typed), the key store, the
 * simulator of "try without a key".
 */
export function createHandlers(studio: Studio, env: HandlerEnv): Handlers {
  const handlers: Handlers = {
    ...appHandlers(studio, env),
    ...batchHandlers(studio, env),
    ...jobHandlers(studio),
    ...queueHandlers(studio),
    ...presetHandlers(studio),
    ...wildcardHandlers(studio),
    ...refHandlers(studio),
    ...libraryHandlers(studio, env),
    ...taskHandlers(studio),
    ...collectionHandlers(studio),
    ...searchHandlers(studio),
    ...rankingHandlers(studio),
  };
  CONTEXT.set(handlers, { secrets: () => [studio.settings.apiKey(), env.keyStore.get()], log: studio.log });
  return handlers;
}

function appHandlers(studio: Studio, env: HandlerEnv): Domain<'app' | 'settings' | 'key' | 'prompts'> {
  const { settings } = studio;
  // Simulator mode is a property of this run only: a restart goes back to the real service.
  let simulatorBase: string | null = null;
  const info = (): AppInfo => ({
    version: env.version,
    dataDir: studio.dataDir,
    apiBase: settings.apiBase(),
    hasKey: settings.apiKey() !== null,
    keyStorage: simulatorBase ? 'none' : env.keyStore.kind(),
    simulator: simulatorBase !== null,
    canPickPaths: env.pickPath !== undefined,
    locale: env.locale ?? null,
  });
  const leaveSimulator = () => {
    if (simulatorBase === null) return;
    simulatorBase = null;
    settings.setApiBaseOverride(null);
  };
  return {
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
      settings.setApiBaseOverride(base);
      settings.setApiKey(SIMULATOR_KEY);
      return info();
    },
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => {
      if (patch.apiBase !== undefined && !(await keyMayGo(studio, env, patch.apiBase))) return settings.get();
      return settings.update(patch);
    },
    'key.set': async ({ key }) => {
      env.keyStore.set(key);
      leaveSimulator();
      settings.setApiKey(key);
      return info();
    },
    'key.clear': async () => {
      env.keyStore.clear();
      leaveSimulator();
      settings.setApiKey(null);
      return info();
    },
    'key.test': async () => settings.testConnection(),
    'prompts.parseFile': async ({ fileName, text }) => studio.batches.parsePromptFile(fileName, text),
  };
}

function batchHandlers(studio: Studio, env: HandlerEnv): Domain<'batch'> {
  const { batches } = studio;
  return {
    'batch.plan': async (spec) => batches.plan(spec).plan,
    'batch.create': async (spec) => {
      const { batchId, plan } = batches.create(spec);
      return { batchId, jobs: plan.jobs.length, estimateCredits: plan.estimateCredits };
    },
    'batch.list': async () => batches.list(),
    'batch.pause': async ({ id }) => batches.pause(id),
    'batch.resume': async ({ id }) => batches.resume(id),
    'batch.cancel': async ({ id }) => batches.cancel(id),
    'batch.retry': async ({ id }) => batches.retry(id),
    'batch.rename': async ({ id, name }) => batches.rename(id, name),
    'batch.move': async ({ id, move }) => batches.move(id, move),
    'batch.priority': async ({ id, priority }) => batches.setPriority(id, priority as Priority),
    'batch.budget': async ({ id, maxCredits }) => batches.setBudget(id, maxCredits),
    'batch.duplicate': async ({ id }) => batches.duplicate(id),
    'batch.editParams': async ({ id, params }) => batches.editParams(id, { params }),
    'batch.images': async ({ id }) => batches.images(id),
    'batch.sweep': async ({ id }) => batches.sweep(id),
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
      return target === null ? null : batches.contactSheet(id, target, { dark });
    },
  };
}

function jobHandlers(studio: Studio): Domain<'job' | 'jobs'> {
  const { jobs } = studio;
  const edit = (prompt: string | undefined, params: JobEdit['params'] | undefined): JobEdit => ({
    ...(prompt ? { prompt } : {}),
    ...(params ? { params } : {}),
  });
  return {
    'jobs.list': async (q) => {
      const { total, rows } = jobs.list(q);
      return { total, rows: rows.map(toJobRow) };
    },
    'job.pause': async ({ id }) => toJobRow(jobs.pause(id)),
    'job.resume': async ({ id }) => toJobRow(jobs.resume(id)),
    'job.cancel': async ({ id }) => toJobRow(jobs.cancel(id)),
    'job.retry': async ({ id }) => toJobRow(jobs.retry(id)),
    'job.drop': async ({ id }) => toJobRow(jobs.drop(id)),
    'job.edit': async ({ id, prompt, params }) => toJobRow(jobs.edit(id, edit(prompt, params))),
    'job.retryWith': async ({ id, prompt, params }) => toJobRow(jobs.retryWith(id, edit(prompt, params))),
  };
}

function queueHandlers(studio: Studio): Domain<'queue'> {
  const { queue } = studio;
  return {
    'queue.status': async () => queue.status(),
    'queue.pause': async () => queue.pause(),
    'queue.resume': async () => queue.resume(),
  };
}

function presetHandlers(studio: Studio): Domain<'presets'> {
  const { presets } = studio;
  return {
    'presets.list': async () => presets.list(),
    'presets.save': async ({ name, preset, isDefault }) => presets.save(name, preset, isDefault),
    'presets.remove': async ({ name }) => {
      presets.remove(name);
      return { removed: true };
    },
    'presets.setDefault': async ({ name }) => {
      presets.setDefault(name);
      return presets.list();
    },
    'presets.export': async () => presets.exportFile(),
    'presets.import': async ({ text }) => ({ imported: presets.importText(text) }),
  };
}

function wildcardHandlers(studio: Studio): Domain<'wildcards'> {
  const { wildcards } = studio;
  return {
    'wildcards.list': async () => wildcards.list(),
    'wildcards.read': async ({ name }) => wildcards.read(name),
    'wildcards.write': async ({ name, text }) => wildcards.write(name, text),
    'wildcards.remove': async ({ name }) => {
      wildcards.remove(name);
      return { removed: true };
    },
  };
}

function refHandlers(studio: Studio): Domain<'refs'> {
  const { refs } = studio;
  return {
    'refs.add': async ({ fileName, dataBase64 }) =>
      refs.add({ data: Buffer.from(dataBase64, 'base64'), fileName }),
    'refs.fromAsset': async ({ id }) => refs.fromAsset(id),
  };
}

function libraryHandlers(studio: Studio, env: HandlerEnv): Domain<'library'> {
  const { library, catalog } = studio;
  return {
    'library.search': async (q) => library.page(q),
    'library.syntax': async () => library.syntax(),
    'library.get': async ({ id }) => library.detail(id),
    'library.update': async ({ selection, ...changes }) => library.update(selection, changes),
    'library.tags.suggest': async ({ prefix, limit }) => library.tagSuggestions(prefix, limit),
    'library.tags.list': async () => library.tags(),
    'library.tags.rename': async ({ from, to }) => library.renameTag(from, to),
    'library.tags.delete': async ({ name }) => ({ deleted: library.deleteTag(name) }),
    'library.trash': async ({ selection }) => library.trash(selection),
    'library.bulk': async ({ selection, action }) => ({ task: library.startBulk(selection, action) }),
    'library.undo': async ({ token }) => library.undo(token),
    'library.usage': async ({ by }) => library.usage(by),
    'library.duplicates': async () => library.duplicates(),
    'library.export': async ({ selection, format, out }) => {
      onlyFromDialog(env, out);
      // Resolved once, before the dialog: nothing to export is said without asking where.
      const chosen = library.exportable(selection);
      const target = await exportTarget(env, format, out);
      return { task: target === null ? null : library.startExport(chosen, target) };
    },
    'library.import': async ({ folder }) => {
      onlyFromDialog(env, folder);
      const source = await importPath(env, folder);
      return { task: source === null ? null : library.startImport(source) };
    },
    'library.rebuildOffer': async () => ({ needed: await catalog.needsRebuild() }),
    'library.rebuild': async () => ({ task: catalog.startRebuild() }),
  };
}

function taskHandlers(studio: Studio): Domain<'tasks' | 'task'> {
  const { tasks } = studio;
  return {
    'tasks.list': async () => tasks.list(),
    'task.cancel': async ({ id }) => tasks.cancel(id),
  };
}

function collectionHandlers(studio: Studio): Domain<'collections'> {
  const { collections } = studio;
  return {
    'collections.list': async () => collections.list(),
    'collections.create': async ({ name }) => collections.create(name),
    'collections.rename': async ({ id, name }) => collections.rename(id, name),
    'collections.delete': async ({ id }) => ({ deleted: collections.delete(id) }),
    'collections.add': async ({ id, selection }) => ({ changed: collections.add(id, selection) }),
    'collections.remove': async ({ id, selection }) => ({ changed: collections.remove(id, selection) }),
  };
}

function rankingHandlers(studio: Studio): Domain<'ranking'> {
  const { ranking, library } = studio;
  return {
    'ranking.start': async ({ selection, seed }) => ({
      ...ranking.pool(library.ids(selection)),
      seed: seed ?? Math.floor(Math.random() * 2 ** 32),
    }),
    'ranking.next': async ({ ids: pool, shown, seed }) => ranking.next(pool, shown, seed),
    'ranking.choose': async ({ winner, loser }) => ranking.choose(winner, loser),
    'ranking.undo': async ({ token }) => ranking.undo(token),
  };
}

function searchHandlers(studio: Studio): Domain<'searches'> {
  const { searches } = studio;
  return {
    'searches.list': async () => searches.list(),
    'searches.save': async ({ name, query }) => searches.save(name, query),
    'searches.rename': async ({ id, name }) => searches.rename(id, name),
    'searches.delete': async ({ id }) => ({ deleted: searches.delete(id) }),
  };
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
  if (origin === apiOrigin(studio.settings.get().apiBase) || origin === apiOrigin(DEFAULT_API_BASE))
    return true;
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

/** The folder to import: picked or typed, then the library service's rule (an existing folder). */
async function importPath(env: HandlerEnv, folder: string | undefined): Promise<string | null> {
  let source: string;
  if (folder === undefined) {
    if (!env.pickPath) throw new StudioError('INVALID_INPUT', 'Say which folder to import: its full path.');
    const picked = await env.pickPath('import-folder');
    if (picked === null) return null;
    source = picked;
  } else {
    source = typedPath(folder, 'The folder to import', join(homedir(), 'Pictures'));
  }
  return importSource(source);
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
  const { tasks } = studio;
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
