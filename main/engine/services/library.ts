// The library's rules, in one place for every front door (the app over IPC, the browser bridge, the CLI):
// how many rows one search may ask for, and where an export may write. A transport turns what the person
// typed or picked into an absolute path; everything after that is decided here, so the same mistake gets
// the same answer whichever door it came through.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SEARCH_LIMIT_MAX } from '../../../shared/library.ts';
import { StudioError } from '../errors.ts';
import type { Library, SearchOptions, SearchResult } from '../library/library.ts';

/** One page of a search; more than SEARCH_LIMIT_MAX rows at once is refused, never silently cut. */
export function searchLibrary(library: Library, text: string, opts: SearchOptions = {}): SearchResult {
  checkSearchLimit(opts.limit);
  return library.search(text, opts);
}

export function checkSearchLimit(limit: number | undefined): void {
  if (limit !== undefined && limit > SEARCH_LIMIT_MAX) {
    throw new StudioError(
      'OVER_LIMIT',
      `A search lists at most ${SEARCH_LIMIT_MAX.toLocaleString('en-US')} images at a time; ` +
        `${limit.toLocaleString('en-US')} were asked for. Narrow the query, or page through the results.`,
    );
  }
}

export type ExportFormat = 'zip' | 'folder';

/** A zip for a path ending in .zip, a folder otherwise (how the CLI reads its --out). */
export function exportFormatOf(target: string): ExportFormat {
  return target.toLowerCase().endsWith('.zip') ? 'zip' : 'folder';
}

/**
 * Where an export goes. A zip gets its extension, and an existing file is never replaced unless the person
 * already said so (`confirmed`: a save dialog asked). A folder that already holds files gets a new
 * subfolder, so an export never mixes with (or overwrites) what is there.
 */
export function exportDestination(
  format: ExportFormat,
  absolutePath: string,
  opts: { confirmed: boolean },
): string {
  if (!isAbsolute(absolutePath)) {
    throw new StudioError(
      'BAD_PATH',
      `The export destination must be a full path ("${absolutePath}" is not).`,
    );
  }
  let target = absolutePath;
  if (format === 'zip') {
    if (!target.toLowerCase().endsWith('.zip')) target += '.zip';
    if (!opts.confirmed && existsSync(target)) {
      throw new StudioError(
        'ALREADY_EXISTS',
        `${target} already exists — choose another name or delete it first.`,
      );
    }
    return target;
  }
  if (target.toLowerCase().endsWith('.zip')) {
    throw new StudioError(
      'BAD_PATH',
      `${target} ends in .zip — choose "Zip file" to make an archive, or a folder path.`,
    );
  }
  if (!existsSync(target)) return target;
  if (!statSync(target).isDirectory()) {
    throw new StudioError('BAD_PATH', `${target} is a file, not a folder — choose a folder to export into.`);
  }
  return readdirSync(target).length === 0 ? target : join(target, `qwen-studio-export-${stamp()}`);
}

function stamp(d = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}
