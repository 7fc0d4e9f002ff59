// Library commands: search with the full query syntax, export, import, tag, delete (to a trash folder) and
// undo. They work offline: nothing here talks to the service.
import { resolve } from 'node:path';
import type { BulkUpdate } from '../engine/services/bulk.ts';
import { exportDestination, exportFormatOf } from '../engine/services/library.ts';
import type { Studio } from '../engine/studio.ts';
import { EXIT, UsageError, intOption, oneOf, type CommonFlags, type Io } from './common.ts';
import { withStudio } from './studio.ts';

export function cmdSearch(
  io: Io,
  query: string,
  flags: CommonFlags & { limit?: string; sort?: string },
): Promise<number> {
  // The maximum is the library service's rule (one for every front door), checked there.
  const limit = intOption('--limit', flags.limit ?? '100', 1, Number.MAX_SAFE_INTEGER);
  const sort = oneOf('--sort', flags.sort ?? 'newest', ['newest', 'relevance', 'best'] as const);
  return withStudio(io, flags, (studio) =>
    librarySearch(io, studio, query, { json: Boolean(flags.json), limit, sort }),
  );
}

export function cmdExport(io: Io, query: string, flags: CommonFlags & { out: string }): Promise<number> {
  return withStudio(io, flags, (studio) => libraryExport(io, studio, query, flags.out, Boolean(flags.json)));
}

export function cmdImport(io: Io, folder: string, flags: CommonFlags): Promise<number> {
  return withStudio(io, flags, (studio) => libraryImport(io, studio, folder, Boolean(flags.json)));
}

export function cmdTag(
  io: Io,
  query: string,
  flags: CommonFlags & { add?: string[]; remove?: string[] },
): Promise<number> {
  return withStudio(io, flags, (studio) =>
    libraryTag(io, studio, query, flags.add, flags.remove, Boolean(flags.json)),
  );
}

export function cmdDelete(io: Io, query: string, flags: CommonFlags): Promise<number> {
  if (!query.trim())
    throw new UsageError('delete needs a query (it would otherwise match the whole library).');
  return withStudio(io, flags, (studio) => libraryDelete(io, studio, query, Boolean(flags.json)));
}

export function cmdUndo(io: Io, token: string, flags: CommonFlags): Promise<number> {
  const n = intOption('undo', token, 1, Number.MAX_SAFE_INTEGER);
  return withStudio(io, flags, (studio) => libraryUndo(io, studio, n, Boolean(flags.json)));
}

function splitNames(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Progress on stderr, one line a tenth of the way, so a pipe or a log stays readable. */
function progressLine(io: Io, label: string): (p: { done: number; total: number }) => void {
  let shown = -1;
  return ({ done, total }) => {
    const tenth = total ? Math.floor((done / total) * 10) : 10;
    if (tenth === shown) return;
    shown = tenth;
    io.err(`${label}: ${done}/${total}`);
  };
}

function librarySearch(
  io: Io,
  studio: Studio,
  query: string,
  opts: { json: boolean; limit: number; sort: 'newest' | 'relevance' | 'best' },
): number {
  const res = studio.library.search(query, { limit: opts.limit, sort: opts.sort });
  if (opts.json) {
    io.out(JSON.stringify({ total: res.total, warnings: res.warnings, rows: res.rows }));
    return EXIT.ok;
  }
  for (const w of res.warnings) io.err(w);
  if (res.rows.length === 0) {
    io.out(`No images match "${query}".`);
    return EXIT.ok;
  }
  // Best first shows what it sorted by: the "pick the best" score and how many choices made it.
  const score = (r: (typeof res.rows)[number]) =>
    opts.sort !== 'best'
      ? ''
      : r.comparisons
        ? `score ${Math.round(r.score ?? 0)} (${r.comparisons} comparison${r.comparisons === 1 ? '' : 's'})\t`
        : 'not ranked\t';
  for (const r of res.rows) io.out(`${r.path}\t${r.width}×${r.height}\t${score(r)}${r.prompt}`);
  if (res.total !== null && res.total > res.rows.length)
    io.err(`${res.rows.length} of ${res.total} shown (--limit to see more).`);
  return EXIT.ok;
}

async function libraryExport(
  io: Io,
  studio: Studio,
  query: string,
  out: string,
  json: boolean,
): Promise<number> {
  const ctl = new AbortController();
  const onSignal = () => ctl.abort();
  process.once('SIGINT', onSignal);
  try {
    // Relative to where the command runs; then the same rules as the app's (never over an existing file).
    const target = resolve(out);
    const destination = exportDestination(exportFormatOf(target), target, { confirmed: false });
    const res = await studio.library.export({ query }, destination, {
      signal: ctl.signal,
      ...(json ? {} : { onProgress: progressLine(io, 'Exported') }),
    });
    if (json) io.out(JSON.stringify(res));
    else {
      io.out(
        `Exported ${res.files} image(s), ${(res.bytes / 1e6).toFixed(1)} MB, with metadata.csv and metadata.jsonl → ${res.out}`,
      );
      for (const m of res.missing) io.err(`missing on disk, not exported: ${m}`);
    }
    return ctl.signal.aborted ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

async function libraryImport(io: Io, studio: Studio, folder: string, json: boolean): Promise<number> {
  const ctl = new AbortController();
  const onSignal = () => ctl.abort();
  process.once('SIGINT', onSignal);
  try {
    const res = await studio.library.import(folder, {
      signal: ctl.signal,
      ...(json ? {} : { onProgress: progressLine(io, 'Checked') }),
    });
    if (json) io.out(JSON.stringify(res));
    else {
      io.out(
        `Imported ${res.imported} of ${res.scanned} image(s); ${res.duplicates} already in the library, ${res.skipped.length} skipped.`,
      );
      for (const s of res.skipped) io.err(`skipped ${s.path}: ${s.reason}`);
    }
    return ctl.signal.aborted ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

async function libraryTag(
  io: Io,
  studio: Studio,
  query: string,
  add: readonly string[] | undefined,
  remove: readonly string[] | undefined,
  json: boolean,
): Promise<number> {
  const toAdd = splitNames(add);
  const toRemove = splitNames(remove);
  if (toAdd.length === 0 && toRemove.length === 0)
    throw new UsageError('tag needs --add <tag> and/or --remove <tag>.');
  // Chunk by chunk with progress on a terminal; Ctrl+C stops between chunks and keeps what was done.
  const ctl = new AbortController();
  const onSignal = () => ctl.abort();
  process.once('SIGINT', onSignal);
  try {
    const run = async (update: BulkUpdate, label: string) =>
      studio.library.bulkUpdate({ query }, update, {
        signal: ctl.signal,
        ...(io.isTTY && !json ? { onProgress: progressLine(io, label) } : {}),
      });
    const added = toAdd.length ? await run({ addTags: toAdd }, 'Tagged') : null;
    const removed =
      toRemove.length && !ctl.signal.aborted ? await run({ removeTags: toRemove }, 'Untagged') : null;
    const matching = added?.images ?? removed?.images ?? 0;
    const canceled = ctl.signal.aborted;
    const counts = { matching, added: added?.changed ?? 0, removed: removed?.changed ?? 0 };
    if (json) io.out(JSON.stringify({ ...counts, canceled }));
    else {
      io.out(`${matching} image(s) matched; ${counts.added} tag(s) added, ${counts.removed} removed.`);
      if (canceled)
        io.err('Interrupted: the tags above were changed; the rest of the images were left as they were.');
    }
    return canceled ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

async function libraryDelete(io: Io, studio: Studio, query: string, json: boolean): Promise<number> {
  const receipt = await studio.library.trash({ query });
  if (json) io.out(JSON.stringify(receipt));
  else {
    io.out(
      `Moved ${receipt.count} image(s) to the trash folder. Undo with: qwen-studio undo ${receipt.token}`,
    );
    for (const f of receipt.failed) io.err(`could not move ${f.path}: ${f.error}`);
  }
  return receipt.failed.length ? EXIT.failed : EXIT.ok;
}

async function libraryUndo(io: Io, studio: Studio, token: number, json: boolean): Promise<number> {
  const report = await studio.library.undo(token);
  if (json) io.out(JSON.stringify(report));
  else {
    io.out(`Restored ${report.restored} image(s) (${report.filesRestored} file(s)).`);
    for (const f of report.filesNotRestored) io.err(`restore this one from the system trash: ${f}`);
  }
  return EXIT.ok;
}
