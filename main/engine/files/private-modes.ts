// Prompts, notes, the catalog and the images are the person's own: on POSIX the data folder is 0700, so
// nothing inside it is reachable by other local users, and the files we write are 0600 (atomic-write.ts,
// the log, the catalog below). Windows keeps its per-user profile ACLs.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export function makeDataDirPrivate(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dataDir, 0o700);
}

/** The catalog and its journal files, which SQLite creates with the process's umask. */
export function makeCatalogPrivate(dataDir: string): void {
  if (process.platform === 'win32') return;
  for (const name of ['studio.db', 'studio.db-wal', 'studio.db-shm']) {
    const file = join(dataDir, name);
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
