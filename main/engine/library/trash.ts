// Where trashed image files go. The Library decides which files leave and records every move, so that
// undo can bring back whatever is still reachable; a mover only moves one file.
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Moves one file out of the library. `to` is a free path inside `<data-dir>/trash/<op-id>/` that a mover
 * may use. Resolves to where the file now is when it can be moved back, or null when it cannot (the system
 * trash, whose location no API reports).
 */
export type FileMover = (from: string, to: string) => Promise<string | null>;

/** Moves a file, falling back to copy + delete when the two paths are on different volumes. */
export async function moveFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await rm(from);
  }
}

/** The CLI's and the tests' mover: into the data folder's trash, from where undo restores exactly. */
export const moveToTrashFolder: FileMover = async (from, to) => {
  await moveFile(from, to);
  return to;
};

/** The app's mover: Electron's `shell.trashItem`. Undo restores the rows; the files stay in the system trash. */
export function systemTrashMover(trashItem: (path: string) => Promise<void>): FileMover {
  return async (from) => {
    await trashItem(from);
    return null;
  };
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
