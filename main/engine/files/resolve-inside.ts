// The one gate between a path taken from the database (or a URL) and the disk: the custom protocol serves a
// file only if its real location, after every symlink is followed, is a regular file inside the folder.
// Pure Node (no Electron) so it is tested against real temp folders with real symlinks. The JS realpathSync
// (not .native) is used because Electron patches it to see inside app.asar, where the renderer lives.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

function realpath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** True when `child` is strictly below `parent` (both already real, absolute paths). */
function isBelow(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}

/**
 * The real path of `candidate` (relative to `root`, or absolute) when it names an existing regular file inside
 * `root`; null otherwise. Rejected outright, before touching the disk: empty or non-string input, NUL bytes
 * and any `..` segment (a stored path never needs one). Then both sides are realpath'd, so a symlink that
 * points outside, a root reached through a symlink, or an absolute path elsewhere cannot get through.
 */
export function resolveInside(root: string, candidate: string): string | null {
  if (typeof root !== 'string' || typeof candidate !== 'string') return null;
  if (!root || !candidate || root.includes('\0') || candidate.includes('\0')) return null;
  if (candidate.split(/[\\/]/).includes('..')) return null;
  const realRoot = realpath(root);
  if (!realRoot) return null;
  const target = isAbsolute(candidate) ? candidate : join(realRoot, candidate);
  const real = realpath(target);
  if (!real || !isBelow(realRoot, real)) return null;
  try {
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}
