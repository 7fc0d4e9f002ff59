// The engine's log: JSON lines in the data folder, small and rotated, written synchronously so the last
// lines before a SIGKILL are on disk. Two promises hold whatever happens: no secret reaches the file (the
// whole serialized line is redacted), and logging never throws into the engine (a full disk drops lines
// and counts them instead).
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { redact } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line and writes to the same file. */
  child(fields: Fields): Logger;
  /** Writes are already synchronous; this also asks the OS to put them on the disk (fsync). */
  flush(): void;
  /** Closes the file; lines logged afterwards are dropped (and not echoed). */
  close(): void;
  /** Lines lost so far (unwritable folder, full disk, closed logger), across this logger and its children. */
  droppedLines(): number;
}

export interface LoggerOptions {
  dir: string;
  /** File stem: `<dir>/<name>.log`. Default 'studio'. */
  name?: string;
  /** Rotate before the current file would grow past this. Default 5 MB. */
  maxBytes?: number;
  /** Files kept in all, the current one included: `<name>.log`, `<name>.1.log` … Default 5. */
  maxFiles?: number;
  /** The strings to hide (the API key). Asked on every line, so a key changed at runtime is covered. */
  secrets?: () => string[];
  /** Lowest level written. Default 'info'. */
  level?: LogLevel;
  /** Also receives each written line (already redacted), e.g. to mirror the log on stderr. */
  echo?: (line: string) => void;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_MAX_FILES = 5;
/** A single line never grows past this; longer lines keep their message and lose their fields. */
const MAX_LINE_BYTES = 64 * 1024;

// ---- serialization -------------------------------------------------------------------------------------

/** Plain JSON for any value: errors keep message/code/stack/cause, cycles and depth are cut, BigInt is text. */
function toJsonable(value: unknown, depth: number, ancestors: object[]): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const obj = value as object;
  if (ancestors.includes(obj)) return '[circular]';
  if (depth > 8) return '[too deep]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  const next = [...ancestors, obj];
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    for (const [k, v] of Object.entries(value)) out[k] = toJsonable(v, depth + 1, next);
    if (value.stack) out.stack = value.stack;
    if (value.cause !== undefined) out.cause = toJsonable(value.cause, depth + 1, next);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => toJsonable(v, depth + 1, next) ?? null);
  if (value instanceof Map) return toJsonable(Object.fromEntries(value), depth, ancestors);
  if (value instanceof Set) return toJsonable([...value], depth, ancestors);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const j = toJsonable(v, depth + 1, next);
    if (j !== undefined) out[k] = j;
  }
  return out;
}

function serialize(level: LogLevel, msg: string, fields: Fields): { line: string; t: string } {
  const t = new Date().toISOString();
  const record: Record<string, unknown> = { t, level, msg };
  for (const [k, v] of Object.entries(fields)) {
    const j = toJsonable(v, 1, []);
    if (j === undefined) continue;
    // A field never overwrites the line's own keys: `{msg: …}` in fields becomes `_msg`.
    record[k === 't' || k === 'level' || k === 'msg' ? `_${k}` : k] = j;
  }
  return { line: JSON.stringify(record), t };
}

// ---- the file ------------------------------------------------------------------------------------------

/** One open log file with its rotation, shared by a logger and all its children. */
class Sink {
  private readonly dir: string;
  private readonly name: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private fd: number | null = null;
  private size = 0;
  closed = false;
  dropped = 0;

  constructor(dir: string, name: string, maxBytes: number, maxFiles: number) {
    this.dir = dir;
    this.name = name;
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
  }

  private file(index: number): string {
    return path.join(this.dir, index === 0 ? `${this.name}.log` : `${this.name}.${index}.log`);
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(this.file(0), 'a', 0o600);
    this.fd = fd;
    this.size = fstatSync(fd).size;
    return fd;
  }

  private rotate(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    rmSync(this.file(this.maxFiles - 1), { force: true });
    for (let i = this.maxFiles - 2; i >= 0; i--) {
      try {
        renameSync(this.file(i), this.file(i + 1));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  write(line: string): void {
    try {
      const data = Buffer.from(line + '\n', 'utf8');
      let fd = this.open();
      if (this.size > 0 && this.size + data.length > this.maxBytes) {
        this.rotate();
        fd = this.open();
      }
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      this.size += data.length;
    } catch {
      // Unwritable folder, full disk, file removed under us: the engine must keep running regardless.
      this.dropped++;
      if (this.fd !== null) {
        try {
          closeSync(this.fd);
        } catch {
          // already unusable
        }
        this.fd = null; // reopen (and re-measure) on the next line: the cause may have been fixed
      }
    }
  }

  flush(): void {
    try {
      if (this.fd !== null) fsyncSync(this.fd);
    } catch {
      // nothing a caller could do about it
    }
  }

  close(): void {
    this.flush();
    this.closed = true;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // ignore
      }
      this.fd = null;
    }
  }
}

interface Shared {
  sink: Sink;
  minRank: number;
  secrets: () => string[];
  echo: ((line: string) => void) | undefined;
}

function makeLogger(shared: Shared, base: Fields): Logger {
  const log = (level: LogLevel, msg: string, fields?: Fields): void => {
    if (LEVEL_RANK[level] < shared.minRank) return;
    if (shared.sink.closed) {
      shared.sink.dropped++;
      return;
    }
    try {
      let secrets: string[];
      try {
        secrets = shared.secrets();
      } catch {
        shared.sink.dropped++; // without the secrets a line cannot be shown to be safe
        return;
      }
      const { line: raw, t } = serialize(level, String(msg), { ...base, ...fields });
      let line = redact(raw, secrets);
      if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
        const shortMsg = redact(String(msg), secrets).slice(0, 2000);
        line = redact(
          JSON.stringify({
            t,
            level,
            msg: shortMsg,
            note: `line of ${Buffer.byteLength(line)} bytes cut, fields dropped`,
          }),
          secrets,
        );
      }
      shared.sink.write(line);
      if (shared.echo) {
        try {
          shared.echo(line);
        } catch {
          // a broken echo target (closed stderr) is not the engine's problem
        }
      }
    } catch {
      shared.sink.dropped++;
    }
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (fields) => makeLogger(shared, { ...base, ...fields }),
    flush: () => shared.sink.flush(),
    close: () => shared.sink.close(),
    droppedLines: () => shared.sink.dropped,
  };
}

export function createLogger(opts: LoggerOptions): Logger {
  const sink = new Sink(
    opts.dir,
    opts.name ?? 'studio',
    Math.max(1, opts.maxBytes ?? DEFAULT_MAX_BYTES),
    Math.max(1, Math.floor(opts.maxFiles ?? DEFAULT_MAX_FILES)),
  );
  return makeLogger(
    { sink, minRank: LEVEL_RANK[opts.level ?? 'info'], secrets: opts.secrets ?? (() => []), echo: opts.echo },
    {},
  );
}

/** A logger that writes nothing (tests, library use without a data folder). */
export function nullLogger(): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    child: () => logger,
    flush: () => undefined,
    close: () => undefined,
    droppedLines: () => 0,
  };
  return logger;
}
