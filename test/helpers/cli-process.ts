// The real `qwen-studio` command line as a child process, for tests that need a process to kill, or two
// processes sharing one data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const CLI_BIN = join(import.meta.dirname, '../../bin/qwen-studio.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  done: Promise<CliResult>;
}

export interface CliTarget {
  dataDir: string;
  apiBase: string;
  env?: Record<string, string>;
}

function collect(child: ChildProcess): CliProcess {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
  return { child, output: () => out, done };
}

function cliArgs(args: string[], t: CliTarget): string[] {
  return [CLI_BIN, ...args, '--data-dir', t.dataDir, '--api-base', t.apiBase];
}

function cliEnv(t: CliTarget): NodeJS.ProcessEnv {
  return { ...process.env, QWEN_STUDIO_API_KEY: 'process-test-key', NO_COLOR: '1', ...t.env };
}

export function spawnCli(args: string[], t: CliTarget): CliProcess {
  return collect(
    spawn(process.execPath, cliArgs(args, t), { env: cliEnv(t), stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/**
 * Runs the CLI under a parent that never reaps its children (like a container's first process without an
 * init): once killed, the CLI stays a zombie until the parent ends. Resolves with the CLI's pid.
 */
export async function spawnCliUnreaped(
  args: string[],
  t: CliTarget,
): Promise<{ parent: CliProcess; pid: number }> {
  const parent = collect(
    spawn(
      '/bin/sh',
      ['-c', '"$@" & echo "child-pid $!"; exec sleep 600', 'sh', process.execPath, ...cliArgs(args, t)],
      { env: cliEnv(t), stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  const pid = await waitFor(() => {
    const m = /child-pid (\d+)/.exec(parent.output());
    return m ? Number(m[1]) : null;
  }, 'the child pid');
  return { parent, pid };
}

/** The process state letter from /proc (Linux): R, S, D, Z …, or null once the process is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** Polls until `probe` returns a value (not null), or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | null, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads the data folder's catalog read-only; null while it or its tables do not exist yet. */
export function readCatalog<T>(dataDir: string, read: (db: Database.Database) => T): T | null {
  const path = join(dataDir, 'studio.db');
  if (!existsSync(path)) return null;
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return read(db);
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Jobs in the given states (0 while the catalog does not exist yet). */
export function countJobs(dataDir: string, states: string[]): number {
  const marks = states.map(() => '?').join(',');
  return (
    readCatalog(
      dataDir,
      (db) =>
        (
          db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state IN (${marks})`).get(...states) as {
            n: number;
          }
        ).n,
    ) ?? 0
  );
}

/** The pid the lease row names as the folder's runner, or null when nobody holds it. */
export function leaseHolderPid(dataDir: string): number | null {
  return readCatalog(dataDir, (db) => {
    const row = db.prepare('SELECT pid, released FROM runner_lease WHERE id = 1').get() as
      { pid: number; released: number } | undefined;
    return row && !row.released ? row.pid : null;
  });
}
