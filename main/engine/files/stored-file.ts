// The one gate for a path that came from the database. A row names where an image, a reference or a
// thumbnail is; before anything is read, served, copied or exported, that path must really (after every
// symlink) be a regular file inside library/, refs/ or thumbs/ of the data folder. studio.db, logs/,
// api-key.bin, backups and anything outside the data folder never pass, whatever a row says.
import { isAbsolute, join } from 'node:path';
import { resolveInside } from './resolve-inside.ts';

/** The folders of the data folder whose files may be read on a row's word. */
export const STORED_FOLDERS = ['library', 'refs', 'thumbs'] as const;

/** The real path of the file a row names, or null when it is missing or not inside a stored folder. */
export function storedFile(dataDir: string, rowPath: string): string | null {
  if (typeof rowPath !== 'string' || !rowPath) return null;
  const candidate = isAbsolute(rowPath) ? rowPath : join(dataDir, rowPath);
  for (const folder of STORED_FOLDERS) {
    const real = resolveInside(join(dataDir, folder), candidate);
    if (real) return real;
  }
  return null;
}
