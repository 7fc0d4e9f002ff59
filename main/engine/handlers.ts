// The engine side of the UI contract (shared/contract.ts): one handler per method over a `Studio`, the
// validating dispatcher every transport calls (Electron IPC, the browser bridge), and the event mapping.
// Transports stay thin: they move bytes and check who is calling; everything else happens here.
import { z } from 'zod';
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
} from '../../shared/contract.ts';
import type { JobRow, PromptEntry } from '../../shared/domain.ts';
import { parsePromptText } from './batch/input-file.ts';
import type { JobRecord } from './store/jobs.ts';
import type { RefRecord } from './store/refs.ts';
import type { Studio } from './studio.ts';

export interface KeyStore {
  get(): string | null;
  set(key: string): void;
  clear(): void;
  kind(): 'os' | 'weak' | 'env' | 'none';
}

export interface HandlerEnv {
  keyStore: KeyStore;
  version: string;
  /** Starts a local simulator for "try without a key" and returns its API base. */
  startSimulator?: () => Promise<string>;
}

export type Handlers = { [M in Method]: (input: ParsedInput<M>) => Promise<Output<M>> };

export type ContractErrorCode = 'UNKNOWN_METHOD' | 'INVALID_INPUT' | 'FAILED';

/** A failed call as a transport reports it: a code and a message safe to show (no stack, no key). */
export class ContractCallError extends Error {
  readonly code: ContractErrorCode;

  constructor(code: ContractErrorCode, message: string) {
    super(message);
    this.name = 'ContractCallError';
    this.code = code;
  }
}

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

// dispatch() only receives the handlers, yet must scrub the key from any message: the handlers carry it.
const SECRETS = new WeakMap<Handlers, () => (string | null)[]>();

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
  });

  const leaveSimulator = () => {
    if (simulatorBase === null) return;
    simulatorBase = null;
    studio.setApiBaseOverride(null);
  };

  const job = (id: number): JobRecord => {
    const j = studio.stores.jobs.get(id);
    if (!j)
      throw new ContractCallError(
        'FAILED',
        `Job ${id} does not exist (it may belong to a deleted data folder).`,
      );
    return j;
  };
  const batch = (id: number) => {
    const b = studio.batchSummary(id);
    if (!b)
      throw new ContractCallError(
        'FAILED',
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
        throw new ContractCallError(
          'FAILED',
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
    'batch.resume': batchAction((id) => studio.scheduler.resumeBatch(id)),
    'batch.cancel': batchAction((id) => studio.scheduler.cancelBatch(id)),
    'batch.retry': batchAction((id) => studio.scheduler.retryBatch(id)),

    'jobs.list': async (q) => {
      const { total, rows } = studio.stores.jobs.list(q);
      return { total, rows: rows.map(toJobRow) };
    },
    'job.pause': jobAction((id) => studio.scheduler.pauseJob(id)),
    'job.resume': jobAction((id) => studio.scheduler.resumeJob(id)),
    'job.cancel': jobAction((id) => studio.scheduler.cancelJob(id)),
    'job.retry': jobAction((id) => studio.scheduler.retryJob(id)),
    'job.drop': jobAction((id) => studio.scheduler.dropUncertain(id)),

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
      if (!asset) throw new ContractCallError('FAILED', `Image ${id} is not in the library any more.`);
      const { ref } = await studio.addReference(asset.path);
      return toRefInfo(ref);
    },

    'library.search': async ({ text, offset, limit }) => {
      // One row past the page tells whether there is more without counting a filtered search.
      const found = studio.stores.assets.search(text.trim(), offset + limit + 1);
      const rows = found.slice(offset, offset + limit);
      return {
        total: text.trim() ? null : studio.stores.assets.count(),
        hasMore: found.length > offset + limit,
        rows,
      };
    },
    'library.get': async ({ id }): Promise<AssetDetail | null> => {
      const asset = studio.stores.assets.get(id);
      if (!asset) return null;
      const j = studio.stores.jobs.get(asset.jobId);
      const refs = (j?.refHashes ?? []).flatMap((sha) => {
        const r = studio.stores.refs.get(sha);
        return r ? [toRefInfo(r)] : [];
      });
      return {
        ...asset,
        job: j ? toJobRow(j) : null,
        batchName: studio.stores.batches.get(asset.batchId)?.name ?? null,
        refs,
      };
    },
  };
  SECRETS.set(handlers, () => [studio.apiKey(), env.keyStore.get()]);
  return handlers;
}

function isMethod(name: string): name is Method {
  return Object.hasOwn(contract, name);
}

/** "field: problem; other: problem" — the first few issues, named by where they are. */
function describeIssues(error: z.ZodError): string {
  const parts = error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return parts.join('; ') + more;
}

/** Built-in error types mean a bug, not something the person did: keep the message but say where to look. */
const BUG_ERRORS = new Set(['TypeError', 'RangeError', 'SyntaxError', 'EvalError', 'URIError']);

function toCallError(method: string, err: unknown, secrets: (string | null)[]): ContractCallError {
  if (err instanceof ContractCallError) return err;
  let code: ContractErrorCode = 'FAILED';
  let message: string;
  if (err instanceof z.ZodError) {
    code = 'INVALID_INPUT';
    message = describeIssues(err);
  } else if (err instanceof Error) {
    message = BUG_ERRORS.has(err.name)
      ? `Something went wrong in the engine during ${method} (${err.message}). The log in the data folder has details.`
      : err.message;
  } else {
    message = `${method} failed: ${String(err)}`;
  }
  for (const s of secrets) if (s && s.length >= 4) message = message.split(s).join('•••');
  return new ContractCallError(code, message || `${method} failed`);
}

/**
 * Validates `raw` with the contract's schema and calls the handler. Throws ContractCallError only: a code
 * ('UNKNOWN_METHOD' | 'INVALID_INPUT' | 'FAILED') and a message a person can act on.
 */
export async function dispatch(handlers: Handlers, method: string, raw: unknown): Promise<unknown> {
  if (!isMethod(method))
    throw new ContractCallError('UNKNOWN_METHOD', `There is no operation called "${method.slice(0, 100)}".`);
  const parsed = contract[method].input.safeParse(raw ?? {});
  if (!parsed.success) throw new ContractCallError('INVALID_INPUT', describeIssues(parsed.error));
  const handler = handlers[method] as (input: unknown) => Promise<unknown>;
  try {
    return await handler(parsed.data);
  } catch (err) {
    throw toCallError(method, err, SECRETS.get(handlers)?.() ?? []);
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
  studio.on('job', onJob);
  studio.on('queue', onQueue);
  studio.on('batch', onBatch);
  studio.on('asset', onAsset);
  return () => {
    studio.off('job', onJob);
    studio.off('queue', onQueue);
    studio.off('batch', onBatch);
    studio.off('asset', onAsset);
  };
}
