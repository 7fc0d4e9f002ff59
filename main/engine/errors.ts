// The engine's side of the one error type (StudioError, shared/errors.ts): `toStudioError` turns anything
// thrown into one: a schema failure is
// the caller's INVALID_INPUT, a full disk is STORAGE, a service failure is SERVICE, and the rest is our bug
// (INTERNAL) — whose details belong in the log, not in front of the person.
// Recognized by name, not instanceof: this module is loaded by every command line's usage errors, and must
// not pull zod or the API client into `qwen-studio --help` (nor import the engine's higher layers).
import type { z } from 'zod';
import { ERROR_KINDS, StudioError } from '../../shared/errors.ts';

export { StudioError };

/** "field: problem; other: problem" — the first few issues of a schema failure, named by where they are. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return parts.join('; ') + more;
}

function isNamed<E extends Error>(err: unknown, name: string): err is E {
  return err instanceof Error && err.name === name;
}

/** File-system failures of our own storage: an environment problem, not a bug and not a typo. */
const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE']);

/**
 * Any thrown value as a StudioError. `what` names the operation for the message of an unexpected failure
 * ("library.export", "export"); the original stays the `cause`, so the log keeps its stack.
 */
export function toStudioError(err: unknown, what = 'The operation'): StudioError {
  if (err instanceof StudioError) return err;
  if (isNamed<z.ZodError>(err, 'ZodError') && Array.isArray(err.issues))
    return new StudioError('INVALID_INPUT', describeIssues(err), { cause: err });
  if (isNamed<Error & { code?: unknown }>(err, 'ApiError')) {
    if (err.code === 'NO_API_KEY') return new StudioError('NO_API_KEY', err.message, { cause: err });
    return new StudioError('SERVICE', err.message, { cause: err });
  }
  const sysCode = (err as { code?: unknown } | null)?.code;
  if (err instanceof Error && typeof sysCode === 'string' && STORAGE_CODES.has(sysCode)) {
    return new StudioError('STORAGE', `${err.message}. ${ERROR_KINDS.STORAGE.advice}`, { cause: err });
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new StudioError(
    'INTERNAL',
    `${what} failed unexpectedly (${detail.slice(0, 300)}). ${ERROR_KINDS.INTERNAL.advice}`,
    { cause: err },
  );
}
