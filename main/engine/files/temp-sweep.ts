// A killed process can leave temporary files behind in any folder it writes: downloads and imports in
// `library/` (month folders and `library/imported/<month>/`), references in `refs/`, thumbnails in
// `thumbs/<xx>/`, and small state files at the top of the data folder. The runner of a data folder sweeps
// them all once at start-up, before anything writes again: only the runner writes these folders, so none of
// them can be in use.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { TEMP_PREFIX } from './atomic-write.ts';

/**
 * Names our writers use (or used, before atomic-write.ts) for temporary files: `.qs-tmp-*` today, and the
 * older `.partial-*` (downloads, imports, embedded metadata), `.tmp-*` (thumbnails) and `<name>.<pid>.<hex>.tmp`
 * (references, key and window-state files), and `*.partial` (catalog backups and restores).
 */
export function isTempName(name: string): boolean {
  return (
    name.startsWith(TEMP_PREFIX) ||
    name.startsWith('.partial-') ||
    name.startsWith('.tmp-') ||
    name.endsWith('.partial') ||
    /\.\d+(\.[0-9a-f]+)?\.tmp$/.test(name)
  );
}

/** The folders of a data folder that writers of ours use, and how deep below each one they write. */
const SWEPT: readonly { sub: string; depth: number }[] = [
  { sub: '.', depth: 0 },
  { sub: 'library', depth: 2 }, // library/<month>/, library/imported/<month>/
  { sub: 'refs', depth: 0 },
  { sub: 'thumbs', depth: 1 }, // thumbs/<xx>/
  { sub: 'backups', depth: 0 },
];

/** Removes every temporary file a writer of ours can leave in `dataDir`. Returns the paths removed. */
export function sweepTempFiles(dataDir: string): string[] {
  const removed: string[] = [];
  for (const { sub, depth } of SWEPT) sweepDir(path.join(dataDir, sub), depth, removed);
  return removed;
}

function sweepDir(dir: string, depth: number, removed: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // missing or unreadable: nothing of ours to sweep there
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isFile() && isTempName(e.name)) {
      rmSync(full, { force: true });
      removed.push(full);
    } else if (e.isDirectory() && depth > 0 && !e.name.startsWith('.')) {
      sweepDir(full, depth - 1, removed);
    }
  }
}
