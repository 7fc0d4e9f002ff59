// Wildcard files: `<data-dir>/wildcards/**/*.txt`, one option per line (blank lines and `#` comments
// skipped), folders as namespaces (`wildcards/animals/cats.txt` is `__animals/cats__`). Read on demand,
// so a plan sees the files as they are now; writes are checked line by line and land atomically.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { compileTemplate, TemplateError, type WildcardFile, type WildcardSource } from './template.ts';
import { WILDCARD_NAME } from './template-parse.ts';
import type { WildcardInfo } from '../../../shared/contract.ts';
import { StudioError } from '../errors.ts';
import { INPUT_LIMITS } from '../../../shared/input-limits.ts';

export class WildcardError extends StudioError {
  constructor(message: string, code: 'INVALID_INPUT' | 'NOT_FOUND' = 'INVALID_INPUT') {
    super(code, message);
    this.name = 'WildcardError';
  }
}

export type { WildcardInfo };

/** The most a wildcard file may hold; far above any real list, low enough to refuse a wrong file. */
const MAX_WILDCARD_BYTES = INPUT_LIMITS.wildcardFileBytes;

function tooLarge(name: string): WildcardError {
  return new WildcardError(
    `wildcards/${name}.txt is larger than ${MAX_WILDCARD_BYTES / 1024 / 1024} MB — split it into several wildcards`,
  );
}

/** A wildcard file's options with their 1-based lines. */
export function parseWildcardText(text: string): { text: string; line: number }[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: { text: string; line: number }[] = [];
  body.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line && !line.startsWith('#')) out.push({ text: line, line: i + 1 });
  });
  return out;
}

export class Wildcards implements WildcardSource {
  readonly dir: string;
  private readonly cache = new Map<string, WildcardFile | null>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** A reader that keeps what it read, for one plan: every use of a wildcard sees the same lines. */
  snapshot(): Wildcards {
    return new Wildcards(this.dir);
  }

  static checkName(name: string): string {
    const clean = name
      .trim()
      .replace(/^__|__$/g, '')
      .replace(/\.txt$/i, '');
    if (!WILDCARD_NAME.test(clean)) {
      throw new WildcardError(
        `"${name}" is not a wildcard name — use letters, digits, - and _, with / between folders (animals/cats)`,
      );
    }
    return clean;
  }

  private pathOf(name: string): string {
    return join(this.dir, ...`${name}.txt`.split('/'));
  }

  get(name: string): WildcardFile | null {
    if (this.cache.has(name)) return this.cache.get(name) ?? null;
    let file: WildcardFile | null = null;
    if (WILDCARD_NAME.test(name)) {
      try {
        const path = this.pathOf(name);
        // A file copied in by hand is checked before it is read: a wrong (huge) file must not hold the engine.
        if (statSync(path).size > MAX_WILDCARD_BYTES) throw tooLarge(name);
        const text = readFileSync(path, 'utf8');
        file = { name, file: `wildcards/${name}.txt`, options: parseWildcardText(text) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw err;
      }
    }
    this.cache.set(name, file);
    return file;
  }

  names(): string[] {
    return this.list().map((w) => w.name);
  }

  list(): WildcardInfo[] {
    const out: WildcardInfo[] = [];
    const walk = (dir: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.isFile() && e.name.toLowerCase().endsWith('.txt')) {
          const name = relative(this.dir, full).slice(0, -'.txt'.length).split(sep).join('/');
          if (!WILDCARD_NAME.test(name)) continue;
          const info = statSync(full);
          const options =
            info.size > MAX_WILDCARD_BYTES ? 0 : parseWildcardText(readFileSync(full, 'utf8')).length;
          out.push({ name, options, bytes: info.size, updatedAt: info.mtimeMs });
        }
      }
    };
    walk(this.dir);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The file's text as written (comments included), for editing. */
  read(name: string): { name: string; text: string } {
    const clean = Wildcards.checkName(name);
    try {
      const path = this.pathOf(clean);
      if (statSync(path).size > MAX_WILDCARD_BYTES) throw tooLarge(clean);
      return { name: clean, text: readFileSync(path, 'utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new WildcardError(
          `no wildcard __${clean}__ — see the list with: qwen-studio wildcards list`,
          'NOT_FOUND',
        );
      }
      throw err;
    }
  }

  /** Checks every option as a template (with the other wildcards as they are) and saves the file. */
  write(name: string, text: string): WildcardInfo {
    const clean = Wildcards.checkName(name);
    if (Buffer.byteLength(text, 'utf8') > MAX_WILDCARD_BYTES) throw tooLarge(clean);
    const options = parseWildcardText(text);
    if (options.length === 0) {
      throw new WildcardError(`__${clean}__ has no options — write one option per line (# starts a comment)`);
    }
    // Check the file as it would be used, so a syntax error or a cycle is caught before it is saved.
    const staged = new StagedSource(this.snapshot(), {
      name: clean,
      file: `wildcards/${clean}.txt`,
      options,
    });
    try {
      compileTemplate(`__${clean}__`, { wildcards: staged, anyVariable: true });
    } catch (err) {
      if (err instanceof TemplateError) throw new WildcardError(err.message);
      throw err;
    }
    const target = this.pathOf(clean);
    mkdirSync(join(target, '..'), { recursive: true });
    const temp = `${target}.partial-${process.pid}`;
    writeFileSync(temp, text.endsWith('\n') ? text : `${text}\n`);
    renameSync(temp, target);
    this.cache.delete(clean);
    const info = statSync(target);
    return { name: clean, options: options.length, bytes: info.size, updatedAt: info.mtimeMs };
  }

  remove(name: string): void {
    const clean = Wildcards.checkName(name);
    const target = this.pathOf(clean);
    try {
      statSync(target);
    } catch {
      throw new WildcardError(
        `no wildcard __${clean}__ — see the list with: qwen-studio wildcards list`,
        'NOT_FOUND',
      );
    }
    rmSync(target);
    this.cache.delete(clean);
  }
}

/** Wildcards as saved, with one file replaced by the text about to be saved. */
class StagedSource implements WildcardSource {
  private readonly base: WildcardSource;
  private readonly staged: WildcardFile;
  constructor(base: WildcardSource, staged: WildcardFile) {
    this.base = base;
    this.staged = staged;
  }
  get(name: string): WildcardFile | null {
    return name === this.staged.name ? this.staged : this.base.get(name);
  }
  names(): string[] {
    return [...new Set([...this.base.names(), this.staged.name])].sort();
  }
}
