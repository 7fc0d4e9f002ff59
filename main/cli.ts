// `qwen-studio`: the studio's engine from a terminal. Same data folder, same queue as the desktop app.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ZodError } from 'zod';
import { InputFileError } from './engine/batch/input-file.ts';
import { ExportError } from './engine/library/export.ts';
import { ImportError } from './engine/library/import.ts';
import { LibraryError } from './engine/library/library.ts';
import { PlanError } from './engine/batch/plan.ts';
import { ReferenceError } from './engine/batch/refs.ts';
import { TemplateError } from './engine/batch/template.ts';
import { LeaseBusyError } from './engine/scheduler/lease.ts';
import { DatabaseVersionError, MigrationChecksumError } from './engine/store/db.ts';
import { Studio, defaultDataDir } from './engine/studio.ts';
import { runSimulatorCommand } from './simulator/index.ts';
import { EXIT, UsageError, apiKeyFromEnv, intOption, oneOf, processIo, type Io } from './cli/common.ts';
import {
  libraryDelete,
  libraryExport,
  libraryImport,
  librarySearch,
  libraryTag,
  libraryUndo,
} from './cli/library.ts';
import { buildSpec, printPlan, runQueue, type RunFlags } from './cli/run.ts';
import pkg from '../package.json' with { type: 'json' };

const USAGE = `qwen-studio ${pkg.version} — batch generations with Qwen Image 2.0 (skills.video)

Usage:
  qwen-studio run <prompts.txt|.csv|.jsonl> [options]   enqueue a batch and run it to the end
  qwen-studio resume [--json]                           resume a paused or interrupted queue
  qwen-studio status [--json]                           batches and jobs by state, credits spent
  qwen-studio search <query> [--json] [--sort newest|relevance] [--limit n]   find library images
  qwen-studio export <query> --out <dir|file.zip>      originals + metadata.csv/jsonl
  qwen-studio import <folder>                           bring existing images in (duplicates skipped)
  qwen-studio tag <query> --add <tag> --remove <tag>    tag every matching image
  qwen-studio delete <query>   /   qwen-studio undo <n>  move matches to the trash folder, or bring them back
  qwen-studio retry (--job <id> | --batch <id> | --uncertain)   retry failed/uncertain jobs, then run
  qwen-studio drop --uncertain | --job <id>             drop uncertain jobs (never re-sent)
  qwen-studio simulator [--port 8787] [fault options]   a local stand-in for the API (see README)

Options for run:
  --aspect-ratio <1:1|16:9|9:16|4:3|3:4|3:2|2:3>   --image-size <square_hd|square|portrait_4_3|…>
  --num-images <1-4>   --output-format <png|jpeg|webp>   --seed <n> (same seed for every job)
  --repeat <n> (generations per prompt)   --negative <text> (≤ 500 chars)   --no-expansion
  --ref <path|url> (repeatable, at most 4)   --concurrency <n>   --max-credits <n>   --name <batch name>
  --dry-run (expand, validate, print count and estimate; send nothing)   --json (JSON events, one per line)

Common options:
  --api-base <url>   (or QWEN_STUDIO_API_BASE; default https://open.skills.video/api)
  --data-dir <dir>   (or QWEN_STUDIO_DATA_DIR; default the app's data folder)
The API key comes from QWEN_STUDIO_API_KEY (or SKILLS_VIDEO_API_KEY) and is never printed.

Query syntax: words, "phrases", -exclude, tag:x, batch:x, collection:x, ar:16:9, format:png, fav,
rejected, rating>=4, before:2026-01-31, after:7d, seed:n, model:x, source:imported (an empty query matches all).

Exit codes: 0 all done, 1 some jobs failed, 2 bad usage or input, 3 queue paused by a key or credit
problem, 130 interrupted (the work stays resumable).`;

const COMMON = {
  'api-base': { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const RUN_OPTIONS = {
  ...COMMON,
  'aspect-ratio': { type: 'string' },
  'image-size': { type: 'string' },
  'num-images': { type: 'string' },
  'output-format': { type: 'string' },
  seed: { type: 'string' },
  repeat: { type: 'string' },
  negative: { type: 'string' },
  'no-expansion': { type: 'boolean' },
  ref: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  'max-credits': { type: 'string' },
  name: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

function parse<O extends ParseArgsConfig['options']>(args: string[], options: O, positionals: number) {
  try {
    const res = parseArgs({ args, options, allowPositionals: true, strict: true });
    if (res.positionals.length > positionals) {
      throw new UsageError(`Unexpected argument "${res.positionals[positionals]}". See qwen-studio --help.`);
    }
    return res;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${(err as Error).message}. See qwen-studio --help.`);
  }
}

interface Common {
  'api-base'?: string;
  'data-dir'?: string;
}

function openStudio(io: Io, flags: Common, extra: { concurrency?: number } = {}): Studio {
  return new Studio({
    dataDir: flags['data-dir'] ?? defaultDataDir(io.env),
    apiKey: apiKeyFromEnv(io.env),
    apiBase: flags['api-base'] ?? io.env.QWEN_STUDIO_API_BASE ?? null,
    ...(extra.concurrency ? { overrides: { concurrency: extra.concurrency } } : {}),
  });
}

function requireKey(io: Io): void {
  if (!apiKeyFromEnv(io.env)) {
    io.err(
      'No API key: set QWEN_STUDIO_API_KEY (or SKILLS_VIDEO_API_KEY) to the key from your skills.video dashboard.',
    );
    io.err(
      'To try without a key, start `qwen-studio simulator` and pass --api-base http://127.0.0.1:8787/api with any key.',
    );
    throw new ExitError(EXIT.paused);
  }
}

class ExitError extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

async function cmdRun(io: Io, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, RUN_OPTIONS, 1);
  const file = positionals[0];
  if (!file) throw new UsageError('run needs a prompt file: qwen-studio run prompts.txt');
  const flags = values as RunFlags & Common & { concurrency?: string };
  const concurrency = flags.concurrency ? intOption('--concurrency', flags.concurrency, 1, 32) : undefined;
  if (flags['dry-run']) {
    const spec = await buildSpec(file, flags, null);
    const studio = openStudio(io, flags);
    try {
      printPlan(io, studio, spec, Boolean(flags.json));
    } finally {
      await studio.close();
    }
    return EXIT.ok;
  }
  requireKey(io);
  const studio = openStudio(io, flags, concurrency ? { concurrency } : {});
  try {
    const spec = await buildSpec(file, flags, studio);
    const { batchId, plan } = studio.enqueue(spec);
    if (!flags.json) {
      io.err(
        `Batch ${batchId}: ${plan.jobs.length} generation(s), about ${plan.estimateCredits} credits. Data: ${studio.dataDir}`,
      );
    }
    return await runQueue(io, studio, { batchId, json: Boolean(flags.json) });
  } finally {
    await studio.close();
  }
}

async function cmdResume(io: Io, args: string[]): Promise<number> {
  const { values } = parse(args, { ...COMMON, concurrency: { type: 'string' } }, 0);
  requireKey(io);
  const concurrency = values.concurrency ? intOption('--concurrency', values.concurrency, 1, 32) : undefined;
  const studio = openStudio(io, values, concurrency ? { concurrency } : {});
  try {
    return await runQueue(io, studio, { batchId: null, json: Boolean(values.json) });
  } finally {
    await studio.close();
  }
}

async function cmdStatus(io: Io, args: string[]): Promise<number> {
  const { values } = parse(args, COMMON, 0);
  const studio = openStudio(io, values);
  try {
    const batches = studio.batchSummaries();
    const totals = studio.totals();
    const q = studio.stores.queue.get();
    if (values.json) {
      io.out(JSON.stringify({ dataDir: studio.dataDir, queue: q, totals, batches }, null, 2));
      return EXIT.ok;
    }
    io.out(`Data folder: ${studio.dataDir}`);
    io.out(`Queue: ${q.paused ? `paused (${q.reason}) — ${q.message ?? ''}` : 'ready'}`);
    const c = totals.counts;
    io.out(
      `Jobs: ${c.done} done, ${c.running + c.submitting + c.downloading} in progress, ${c.queued} queued, ${c.paused} paused, ` +
        `${c.failed} failed, ${c.uncertain} uncertain, ${c.canceled} canceled. Credits spent: ${totals.creditsSpent}. Images: ${totals.assets}.`,
    );
    if (batches.length === 0) io.out('No batches yet: qwen-studio run prompts.txt');
    for (const b of batches) {
      const bc = b.counts;
      io.out(
        `  #${b.id} ${b.name} [${b.status}${b.pauseReason ? `: ${b.pauseReason}` : ''}] ${bc.done}/${b.total} done` +
          (bc.failed ? `, ${bc.failed} failed` : '') +
          (bc.uncertain ? `, ${bc.uncertain} uncertain` : '') +
          `, ${b.creditsSpent}/${b.creditsEstimate} credits`,
      );
    }
    return EXIT.ok;
  } finally {
    await studio.close();
  }
}

async function cmdSearch(io: Io, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { ...COMMON, limit: { type: 'string' }, sort: { type: 'string' } },
    1,
  );
  const query = positionals[0] ?? '';
  const limit = values.limit ? intOption('--limit', values.limit, 1, 100_000) : 100;
  const sort = values.sort ? oneOf('--sort', values.sort, ['newest', 'relevance'] as const) : 'newest';
  const studio = openStudio(io, values);
  try {
    return librarySearch(io, studio, query, { json: Boolean(values.json), limit, sort });
  } finally {
    await studio.close();
  }
}

async function cmdLibrary(
  io: Io,
  command: 'export' | 'import' | 'tag' | 'delete' | 'undo',
  args: string[],
): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      ...COMMON,
      out: { type: 'string' },
      add: { type: 'string', multiple: true },
      remove: { type: 'string', multiple: true },
    },
    1,
  );
  const arg = positionals[0];
  if (arg === undefined && command !== 'export')
    throw new UsageError(`${command} needs an argument. See qwen-studio --help.`);
  const studio = openStudio(io, values);
  const json = Boolean(values.json);
  try {
    switch (command) {
      case 'export':
        if (!values.out) throw new UsageError('export needs --out <folder> or --out <file.zip>.');
        return await libraryExport(io, studio, arg ?? '', values.out, json);
      case 'import':
        return await libraryImport(io, studio, arg!, json);
      case 'tag':
        return libraryTag(io, studio, arg!, values.add, values.remove, json);
      case 'delete':
        return await libraryDelete(io, studio, arg!, json);
      case 'undo':
        return await libraryUndo(io, studio, intOption('undo', arg!, 1, Number.MAX_SAFE_INTEGER), json);
    }
  } finally {
    await studio.close();
  }
}

async function cmdRetryOrDrop(io: Io, args: string[], mode: 'retry' | 'drop'): Promise<number> {
  const { values } = parse(
    args,
    { ...COMMON, job: { type: 'string' }, batch: { type: 'string' }, uncertain: { type: 'boolean' } },
    0,
  );
  const studio = openStudio(io, values);
  try {
    const ids: number[] = [];
    if (values.job) ids.push(intOption('--job', values.job, 1, Number.MAX_SAFE_INTEGER));
    if (values.uncertain) ids.push(...studio.stores.jobs.inStates(['uncertain']).map((j) => j.id));
    if (mode === 'retry' && values.batch) {
      const b = intOption('--batch', values.batch, 1, Number.MAX_SAFE_INTEGER);
      ids.push(...studio.stores.jobs.inStates(['failed', 'uncertain'], b).map((j) => j.id));
    }
    if (!values.job && !values.uncertain && !(mode === 'retry' && values.batch)) {
      throw new UsageError(
        `${mode} needs --job <id>${mode === 'retry' ? ', --batch <id>' : ''} or --uncertain.`,
      );
    }
    if (ids.length === 0) {
      io.out('Nothing to do: no matching jobs.');
      return EXIT.ok;
    }
    if (mode === 'retry') requireKey(io);
    studio.start();
    for (const id of new Set(ids)) {
      try {
        if (mode === 'retry') studio.scheduler.retryJob(id);
        else studio.scheduler.dropUncertain(id);
      } catch (err) {
        io.err((err as Error).message);
      }
    }
    io.err(`${mode === 'retry' ? 'Retrying' : 'Dropped'} ${new Set(ids).size} job(s).`);
    if (mode === 'drop') return EXIT.ok;
    return await runQueue(io, studio, { batchId: null, json: Boolean(values.json) });
  } finally {
    await studio.close();
  }
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await cmdRun(io, rest);
      case 'resume':
        return await cmdResume(io, rest);
      case 'status':
        return await cmdStatus(io, rest);
      case 'search':
        return await cmdSearch(io, rest);
      case 'export':
      case 'import':
      case 'tag':
      case 'delete':
      case 'undo':
        return await cmdLibrary(io, command, rest);
      case 'retry':
        return await cmdRetryOrDrop(io, rest, 'retry');
      case 'drop':
        return await cmdRetryOrDrop(io, rest, 'drop');
      case 'simulator':
        await runSimulatorCommand(rest);
        return EXIT.ok;
      case '--version':
      case '-v':
        io.out(pkg.version);
        return EXIT.ok;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`Unknown command "${command}". See qwen-studio --help.`);
    }
  } catch (err) {
    if (err instanceof ExitError) return err.code;
    if (
      err instanceof UsageError ||
      err instanceof ImportError ||
      err instanceof ExportError ||
      err instanceof LibraryError ||
      err instanceof InputFileError ||
      err instanceof ReferenceError ||
      err instanceof TemplateError ||
      err instanceof PlanError ||
      err instanceof DatabaseVersionError ||
      err instanceof MigrationChecksumError ||
      err instanceof LeaseBusyError
    ) {
      io.err(err.message);
      return EXIT.usage;
    }
    if (err instanceof ZodError) {
      io.err(err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'));
      return EXIT.usage;
    }
    io.err(`Unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    return EXIT.failed;
  }
}
