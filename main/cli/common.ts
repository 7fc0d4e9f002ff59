import { apiBaseProblem } from '../../shared/api-base.ts';
import { replaceControlChars } from '../../shared/input-limits.ts';
import { EXIT } from '../../shared/errors.ts';
import { StudioError } from '../engine/errors.ts';

export { EXIT };

/** How long `run`, `resume` and `retry` wait for an unreachable service before giving up (exit 4). */
export const DEFAULT_OFFLINE_TIMEOUT_S = 300;

/** A command line that cannot be read: exit code 2 with a message that says what to fix. */
export class UsageError extends StudioError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** The same Io with control characters (tab and line breaks kept) stripped from every line. */
export function terminalSafe(io: Io): Io {
  return {
    ...io,
    out: (l) => io.out(replaceControlChars(l)),
    err: (l) => io.err(replaceControlChars(l)),
  };
}

/**
 * The real terminal. A closed pipe on stdout (`qwen-studio status | head -4`) ends the command quietly:
 * the reader has all it wanted, and everything the command did is already in the data folder.
 */
export function processIo(): Io {
  if (!process.stdout.listeners('error').includes(endOnClosedPipe))
    process.stdout.on('error', endOnClosedPipe);
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  };
}

export function intOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  }
  return n;
}

export function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}; got "${raw}".`);
}

export function apiKeyFromEnv(env: NodeJS.ProcessEnv): string | null {
  return env.QWEN_STUDIO_API_KEY?.trim() || env.SKILLS_VIDEO_API_KEY?.trim() || null;
}

/**
 * A service address the key may go to (shared/api-base.ts: https, plain http only on this machine), or a
 * usage error naming where the bad value came from. `allowInsecure` is --allow-insecure-api-base.
 */
export function urlOption(name: string, raw: string, allowInsecure = false): string {
  const problem = apiBaseProblem(raw, { allowInsecure });
  if (problem) {
    const escape = problem.startsWith('plain http')
      ? ', or pass --allow-insecure-api-base if you mean it'
      : '';
    throw new UsageError(`${name}: ${problem}${escape}.`);
  }
  return raw.trim();
}

export interface CommonFlags {
  apiBase?: string;
  allowInsecureApiBase?: boolean;
  dataDir?: string;
  json?: boolean;
}

/** Checks the options every command shares before the command opens anything. */
export function checkCommonFlags(flags: CommonFlags, env: NodeJS.ProcessEnv): void {
  const insecure = flags.allowInsecureApiBase === true;
  if (flags.apiBase !== undefined) urlOption('--api-base', flags.apiBase, insecure);
  else if (env.QWEN_STUDIO_API_BASE) urlOption('QWEN_STUDIO_API_BASE', env.QWEN_STUDIO_API_BASE, insecure);
  if (flags.dataDir !== undefined && !flags.dataDir.trim())
    throw new UsageError('--data-dir is empty: give a folder.');
}

function endOnClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
}

/** `--debug` anywhere on the command line, and the arguments without it. */
export function takeDebugFlag(argv: readonly string[]): { debug: boolean; args: string[] } {
  return { debug: argv.includes('--debug'), args: argv.filter((a) => a !== '--debug') };
}

/** The data folder a command line names (`--data-dir x` or `--data-dir=x`), if it names one. */
export function dataDirArgument(argv: readonly string[]): string | null {
  for (const [i, a] of argv.entries()) {
    if (a === '--data-dir') return argv[i + 1] ?? null;
    if (a.startsWith('--data-dir=')) return a.slice('--data-dir='.length);
  }
  return null;
}
