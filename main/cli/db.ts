// `qwen-studio db check|backup|restore` and `qwen-studio library rebuild`: the catalog (studio.db) can always
// be checked, copied, put back from a backup, or rebuilt from the records inside the images.
import {
  catalogPath,
  checkCatalog,
  listBackups,
  restoreCatalog,
  setCatalogAside,
  withFolderLocked,
} from '../engine/services/catalog.ts';
import { CatalogDamagedError } from '../engine/services/catalog.ts';
import { defaultDataDir } from '../engine/studio.ts';
import { EXIT, type CommonFlags, type Io } from './common.ts';
import { withStudio } from './studio.ts';

function dataDirOf(io: Io, flags: CommonFlags): string {
  return flags.dataDir ?? defaultDataDir(io.env);
}

export function cmdDbCheck(io: Io, flags: CommonFlags): number {
  const res = checkCatalog(catalogPath(dataDirOf(io, flags)));
  const backups = listBackups(dataDirOf(io, flags));
  if (flags.json) {
    io.out(JSON.stringify({ ...res, backups }));
  } else {
    io.out(`Catalog: ${res.path}`);
    for (const line of res.lines) io.out(line);
    io.out(
      backups.length > 0
        ? `Backups: ${backups.length}, the newest from ${new Date(backups[0]!.takenAt).toLocaleString()} (${backups[0]!.path}).`
        : 'Backups: none yet (one is taken each day the queue runs, or now with `qwen-studio db backup`).',
    );
    io.out(
      res.verdict === 'ok' || res.verdict === 'upgrade'
        ? 'Verdict: OK.'
        : `Verdict: ${res.verdict.toUpperCase()}.`,
    );
  }
  return res.verdict === 'ok' || res.verdict === 'upgrade' || res.verdict === 'missing'
    ? EXIT.ok
    : EXIT.failed;
}

export function cmdDbBackup(io: Io, flags: CommonFlags): Promise<number> {
  return withStudio(io, flags, async (studio) => {
    const b = await studio.catalog.backup();
    if (flags.json) io.out(JSON.stringify(b));
    else io.out(`Backed up the catalog to ${b.path} (${(b.bytes / 1024 / 1024).toFixed(1)} MB).`);
    return EXIT.ok;
  });
}

export async function cmdDbRestore(io: Io, file: string | undefined, flags: CommonFlags): Promise<number> {
  const r = await restoreCatalog(dataDirOf(io, flags), file);
  if (flags.json) io.out(JSON.stringify(r));
  else {
    io.out(`Restored the catalog from ${r.from}.`);
    if (r.keptAside) io.out(`The catalog it replaced is kept as ${r.keptAside}.`);
    io.out('Images downloaded after that backup are not listed: `qwen-studio import` brings them in.');
  }
  return EXIT.ok;
}

export async function cmdLibraryRebuild(io: Io, flags: CommonFlags): Promise<number> {
  const dataDir = dataDirOf(io, flags);
  let aside: string | null = null;
  const rebuild = () =>
    withStudio(io, flags, async (studio) => {
      const report = await studio.catalog.rebuild();
      if (flags.json) {
        io.out(JSON.stringify({ ...report, keptAside: aside }));
        return EXIT.ok;
      }
      if (aside) io.out(`The damaged catalog is kept as ${aside}.`);
      io.out(
        `Rebuilt the catalog from ${report.generated + report.imported} image(s): ${report.batches} batch(es), ` +
          `${report.jobs} finished job(s), ${Math.round(report.credits)} credits` +
          (report.imported ? `, ${report.imported} image(s) without our record listed as imported` : '') +
          '. Tags, ratings, collections and notes live only in the catalog: a backup keeps those.',
      );
      for (const s of report.skipped.slice(0, 20)) io.err(`Skipped ${s.path}: ${s.reason}`);
      return EXIT.ok;
    });
  try {
    return await rebuild();
  } catch (err) {
    if (!(err instanceof CatalogDamagedError)) throw err;
    // A damaged catalog is kept aside (never deleted) and a new one is built in its place.
    aside = await withFolderLocked(dataDir, () => setCatalogAside(dataDir));
    return rebuild();
  }
}
