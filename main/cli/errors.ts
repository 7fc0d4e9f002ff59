// How a command that failed ends: one line a person can act on, on stderr, and the exit code the error's
// code maps to (shared/errors.ts). The stack of a failure that is not the person's mistake goes to the
// data folder's log; it reaches the terminal only with --debug. Imported only when a command fails.
import { join } from 'node:path';
import { toStudioError } from '../engine/errors.ts';
import { createLogger } from '../engine/log.ts';
import { redact } from '../engine/redact.ts';
import { defaultDataDir } from '../engine/studio.ts';
import { apiKeyFromEnv, type Io } from './common.ts';

export interface ExitOptions {
  /** Print the stack (and its causes) too. */
  debug: boolean;
  /** The command line's `--data-dir`, if it gave one: where the log of our own failures goes. */
  dataDir: string | null;
}

export function exitCodeFor(err: unknown, io: Io, opts: ExitOptions): number {
  const e = toStudioError(err, 'The command');
  const secrets = [apiKeyFromEnv(io.env)];
  io.err(redact(e.message, secrets));
  if (!e.isUserMistake) {
    try {
      const log = createLogger({
        dir: join(opts.dataDir ?? defaultDataDir(io.env), 'logs'),
        secrets: () => secrets.filter((s) => s !== null),
      });
      log.error('command failed', { code: e.code, err: e.cause ?? e });
      log.close();
    } catch {
      // A log that cannot be written must not hide the message already printed.
    }
  }
  if (opts.debug) {
    for (let cur: unknown = e; cur instanceof Error; cur = cur.cause)
      io.err(redact(cur.stack ?? String(cur), secrets));
  }
  return e.exitCode;
}
