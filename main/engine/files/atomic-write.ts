// The one way a file of ours is written: to a temporary file beside the target, fsynced, renamed over the
// target, and the folder synced, so after a crash the target is either the old file or the new one, never
// half of either. Every temporary name starts with TEMP_PREFIX so the start-up sweep (temp-sweep.ts) can
// find whatever a killed process left behind.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Every temporary file any writer of ours makes starts with this. */
export const TEMP_PREFIX = '.qs-tmp-';

/** Owner read/write only (ignored on Windows, where the profile's ACLs apply). */
export const PRIVATE_FILE = 0o600;

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o600: what we write in the data folder is the person's own). */
  mode?: number;
}

/** A temporary path in the folder of `target` (same folder: the rename is atomic). */
export function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `${TEMP_PREFIX}${randomBytes(6).toString('hex')}-${path.basename(target)}`,
  );
}

/**
 * Writes `data` to `target` atomically, with one write and one fsync. File-system errors are thrown as they
 * come (ENOSPC, EACCES, …) after the temporary file has been removed.
 */
export async function writeFileAtomic(
  target: string,
  data: Buffer | string,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  await placeTemp(temp, target, 'wx', opts.mode ?? PRIVATE_FILE, (handle) => handle.writeFile(data));
}

/** The synchronous twin, for the few small files written where no await is possible (settings of the shell). */
export function writeFileAtomicSync(
  target: string,
  data: Buffer | string,
  opts: AtomicWriteOptions = {},
): void {
  const dir = path.dirname(target);
  mkdirSync(dir, { recursive: true });
  const temp = tempPathFor(target);
  try {
    const fd = openSync(temp, 'wx', opts.mode ?? PRIVATE_FILE);
    try {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * Moves a finished temporary file (written by a stream, e.g. a zip) into place. The caller made `temp`
 * with `tempPathFor(target)`; it is fsynced here before the rename.
 */
export async function commitTempFile(temp: string, target: string): Promise<void> {
  await placeTemp(temp, target, 'r+', undefined, async () => undefined);
}

/** Opens `temp`, lets `fill` write it, fsyncs, renames it over `target`, syncs the folder; cleans up on failure. */
async function placeTemp(
  temp: string,
  target: string,
  flags: string,
  mode: number | undefined,
  fill: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  try {
    const handle = await open(temp, flags, mode);
    try {
      await fill(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(path.dirname(target));
}

/** Makes a rename durable. Windows cannot open a folder and some file systems refuse: the file is synced. */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // best effort: the file itself was synced before the rename
  }
}
