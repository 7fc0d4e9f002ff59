// Prompt files a person brings: plain text (a prompt a line), CSV with a header row, or JSON Lines. Every
// error names the file, the line and (for CSV) the column, says what is wrong and what to do about it.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { CsvError, parse as parseCsv, type Options as CsvOptions } from 'csv-parse/sync';
import { LIMITS } from '../../../shared/api.ts';
import {
  TEMPLATE_TOO_LONG,
  generationParamsSchema,
  type GenerationParams,
  type PromptEntry,
} from '../../../shared/domain.ts';
import { INPUT_LIMITS, formatLimit } from '../../../shared/input-limits.ts';
import { firstIssueMessage, friendlyIssues } from './issues.ts';
import { StudioError } from '../errors.ts';
import type { RowRef } from '../../../shared/contract.ts';

/**
 * An entry read from a file. `refs` holds the remote URLs only; local reference files are listed in
 * `refPaths` (absolute, resolved against the prompt file's folder) for the caller to import and turn into
 * `sha256:` tokens; `refSources` is both together in the order the row gives them (the order they are sent).
 */
export type PromptFileEntry = PromptEntry & {
  refPaths?: string[];
  refSources?: string[];
  /** Where the `refs` value sits, to point at it when one of its files turns out to be unusable. */
  refsAt?: { line: number; column: number | null };
};

export class InputFileError extends StudioError {
  readonly file: string;
  /** 1-based line of the file; 0 when the error concerns the whole file. */
  readonly line: number;
  /** 1-based column of a CSV cell, null when there is none to point at. */
  readonly column: number | null;
  /** The column or key at fault, when one is. */
  readonly field: string | null;

  constructor(file: string, line: number, column: number | null, detail: string, field?: string) {
    const name = path.basename(file);
    let where = line > 0 ? `${name}, line ${line}` : name;
    if (line > 0 && column !== null) where += `, column ${column}`;
    if (field) where += ` (${field})`;
    super('INPUT_FILE', `${where}: ${detail}`);
    this.name = 'InputFileError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.field = field ?? null;
  }
}

export const PROMPT_FILE_TYPES = ['.txt', '.csv', '.jsonl'] as const;
// Far above any real prompt list (100,000 prompts of 600 characters), low enough to refuse a wrong file.
const MAX_PROMPT_ROWS = INPUT_LIMITS.batchEntries;
const MAX_PROMPT_FILE_BYTES = INPUT_LIMITS.promptFileBytes;
const MAX_LINE_CHARS = INPUT_LIMITS.promptFileLineChars;

/** Columns (CSV) and keys (JSONL) a prompt file may use: the prompt, the API's own field names, refs. */
const PARAM_FIELDS = [
  'negative_prompt',
  'aspect_ratio',
  'image_size',
  'seed',
  'num_images',
  'output_format',
  'enable_prompt_expansion',
  'enable_safety_checker',
  // The service documents `n` beside `num_images` without saying how they combine: it is read here as
  // num_images, and only num_images is ever sent.
  'n',
] as const;
type ParamField = (typeof PARAM_FIELDS)[number];
const FIELDS: readonly string[] = ['prompt', ...PARAM_FIELDS, 'refs'];
const ALLOWED_LIST = FIELDS.join(', ');

const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

/** Where one value came from, to point at it when it is wrong. */
interface Where {
  file: string;
  line: number;
  /** 1-based CSV column of a field, null in JSONL. */
  columnOf: (field: string) => number | null;
  /** What to tell the person to do with a bad value: "column" (CSV) or "field" (JSONL). */
  noun: 'column' | 'field';
}

function fieldError(where: Where, field: string, message: string): InputFileError {
  return new InputFileError(
    where.file,
    where.line,
    where.columnOf(field),
    `${message} — fix the value or remove the ${where.noun}`,
    field,
  );
}

function emptyPrompt(where: Where): InputFileError {
  return new InputFileError(
    where.file,
    where.line,
    where.columnOf('prompt'),
    'the prompt is empty — write a prompt or delete this row',
    'prompt',
  );
}

export interface PromptFileOptions {
  /**
   * A template shared by every row: a CSV or JSONL row without a prompt of its own gets it, and the row's
   * other columns fill its `$variables` (one template, a row per product).
   */
  template?: string;
}

/** A column or key that is not an API field names a template variable (kept as written). */
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parsePromptText(
  text: string,
  fileName: string,
  opts: PromptFileOptions = {},
): PromptFileEntry[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const ext = path.extname(fileName).toLowerCase();
  const template = opts.template?.trim() || null;
  switch (ext) {
    case '.txt':
      return parseTxt(body, fileName);
    case '.csv':
      return parseCsvFile(body, fileName, template);
    case '.jsonl':
      return parseJsonl(body, fileName, template);
    default:
      throw new InputFileError(
        fileName,
        0,
        null,
        `${ext ? `'${ext}' files are` : 'a file without an extension is'} not a prompt list — ` +
          `use ${PROMPT_FILE_TYPES.join(', ')} (a prompt per line, a CSV with a prompt column, or JSON Lines)`,
      );
  }
}

export async function readPromptFile(
  filePath: string,
  opts: PromptFileOptions = {},
): Promise<PromptFileEntry[]> {
  const abs = path.resolve(filePath);
  let size: number;
  try {
    const info = await stat(abs);
    if (info.isDirectory()) {
      throw new InputFileError(abs, 0, null, 'is a folder, not a prompt file — pick a file inside it');
    }
    size = info.size;
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InputFileError(abs, 0, null, `not found at ${abs} — check the path`);
    }
    throw new InputFileError(abs, 0, null, `cannot be read (${code ?? String(err)}) — check its permissions`);
  }
  if (size > MAX_PROMPT_FILE_BYTES) {
    throw new InputFileError(
      abs,
      0,
      null,
      `is ${(size / 1024 / 1024).toFixed(1)} MB; prompt files are limited to ` +
        `${MAX_PROMPT_FILE_BYTES / 1024 / 1024} MB — split it into several files`,
    );
  }
  const text = await readFile(abs, 'utf8');
  return parsePromptText(text, abs, opts);
}

function checkRowCap(fileName: string, count: number, line: number): void {
  if (count > MAX_PROMPT_ROWS) {
    throw new InputFileError(
      fileName,
      line,
      null,
      `more than ${MAX_PROMPT_ROWS.toLocaleString('en-US')} prompts in one file — split it into several files`,
    );
  }
}

function promptTooLong(
  fileName: string,
  line: number,
  column: number | null,
  field?: string,
): InputFileError {
  return new InputFileError(
    fileName,
    line,
    column,
    `${TEMPLATE_TOO_LONG} — shorten it or split it into several rows`,
    field,
  );
}

function lineTooLong(fileName: string, line: number): InputFileError {
  return new InputFileError(
    fileName,
    line,
    null,
    `this row is longer than ${formatLimit(MAX_LINE_CHARS)} characters (likely an unclosed quote, or a file ` +
      'that is not a prompt list) — check this row',
  );
}

function origin(fileName: string, line: number): string {
  return `${path.basename(fileName)}:${line}`;
}

// ---------------------------------------------------------------------------------------------- .txt

function parseTxt(text: string, fileName: string): PromptFileEntry[] {
  const entries: PromptFileEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const line = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).trim();
    if (!line || line.startsWith('#')) continue;
    checkRowCap(fileName, entries.length + 1, i + 1);
    if (line.length > INPUT_LIMITS.templateChars) throw promptTooLong(fileName, i + 1, null);
    entries.push({ prompt: line, origin: origin(fileName, i + 1) });
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------- .csv

interface CsvRow {
  record: string[];
  /** Bytes consumed once this record (and its line break) was read. */
  info: { bytes: number };
}

const CSV_OPTIONS: CsvOptions = {
  info: true,
  skip_empty_lines: true,
  // Hand-edited files sometimes mix line endings; a stray "\r" must not end up inside a value.
  record_delimiter: ['\r\n', '\n'],
  // Refused as it is read, so a file of one endless value never becomes one endless string.
  max_record_size: MAX_LINE_CHARS,
};

function parseCsvFile(text: string, fileName: string, template: string | null): PromptFileEntry[] {
  // A Buffer, so the byte offsets csv-parse reports index the same bytes LineIndex scans.
  const buf = Buffer.from(text, 'utf8');
  let rows: CsvRow[];
  try {
    // One past the cap (plus the header), to tell "too many" from "exactly the cap".
    rows = parseCsv(buf, { ...CSV_OPTIONS, to: MAX_PROMPT_ROWS + 2 }) as unknown as CsvRow[];
  } catch (err) {
    if (err instanceof CsvError) throw csvSyntaxError(err, buf, fileName);
    throw err;
  }
  const [header, ...body] = rows;
  if (!header) {
    throw new InputFileError(fileName, 0, null, 'is empty — add a header row with a prompt column');
  }
  const columns = readHeader(header.record, fileName, template !== null);

  // csv-parse's own line count goes wrong on CRLF inside quoted values, so lines are found from the byte
  // offset where each record starts (where the previous one ended), which also gives a multi-line row
  // the line it starts on.
  const lines = new LineIndex(buf);
  let start = header.info.bytes;
  const entries: PromptFileEntry[] = [];
  for (const [i, row] of body.entries()) {
    const line = lines.recordLineAt(start);
    start = row.info.bytes;
    checkRowCap(fileName, i + 1, line);
    // Spreadsheets export trailing blank rows as ",,,": skip rows with nothing in them.
    if (row.record.every((cell) => cell.trim() === '')) continue;
    const values: Record<string, string> = {};
    row.record.forEach((cell, c) => {
      const name = columns[c] as string;
      if (cell.trim() !== '') values[name] = cell;
    });
    const where: Where = {
      file: fileName,
      line,
      columnOf: (field) => {
        const idx = columns.indexOf(field);
        return idx >= 0 ? idx + 1 : null;
      },
      noun: 'column',
    };
    entries.push(buildEntry(values, where, fileName, template));
  }
  return entries;
}

/** Line numbers of byte offsets, for a file scanned front to back. */
class LineIndex {
  private readonly buf: Buffer;
  private offset = 0;
  private line = 1;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** 1-based line on which the record following byte `offset` starts (blank lines skipped, as csv-parse does). */
  recordLineAt(offset: number): number {
    if (offset < this.offset) {
      this.offset = 0;
      this.line = 1;
    }
    for (; this.offset < offset && this.offset < this.buf.length; this.offset++) {
      if (this.buf[this.offset] === 0x0a) this.line++;
    }
    let line = this.line;
    for (let i = offset; i < this.buf.length && (this.buf[i] === 0x0a || this.buf[i] === 0x0d); i++) {
      if (this.buf[i] === 0x0a) line++;
    }
    return line;
  }
}

function readHeader(cells: string[], fileName: string, hasTemplate: boolean): string[] {
  // API fields in any case; other columns are template variables, named exactly as written.
  const names = cells.map((c) => {
    const name = c.trim();
    return FIELDS.includes(name.toLowerCase()) ? name.toLowerCase() : name;
  });
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (!name) {
      throw new InputFileError(
        fileName,
        1,
        i + 1,
        `this header cell is empty — name the column (allowed: ${ALLOWED_LIST}) or delete it`,
      );
    }
    if (!FIELDS.includes(name) && !VARIABLE.test(name)) {
      throw new InputFileError(
        fileName,
        1,
        i + 1,
        `column '${cells[i]?.trim()}' is neither an API field (${ALLOWED_LIST}) nor a variable name ` +
          '(letters, digits and _, not starting with a digit) — rename it',
      );
    }
    if (seen.has(name)) {
      throw new InputFileError(fileName, 1, i + 1, `column '${name}' appears twice — keep one of them`);
    }
    seen.add(name);
  });
  if (!seen.has('prompt') && !hasTemplate) {
    throw new InputFileError(
      fileName,
      1,
      null,
      `the header has no 'prompt' column — the first row must name the columns, one of them 'prompt' ` +
        '(or give a template shared by every row)',
    );
  }
  return names;
}

/** The number of values in the header row, for a message about a row that has another number. */
function headerWidth(buf: Buffer): number | null {
  try {
    const [first] = parseCsv(buf, { ...CSV_OPTIONS, to: 1 }) as unknown as CsvRow[];
    return first ? first.record.length : null;
  } catch {
    return null;
  }
}

function csvSyntaxError(err: CsvError, buf: Buffer, fileName: string): InputFileError {
  // The row at fault starts where the last good record ended; csv-parse's own line may be the end of the
  // file (an unclosed quote) or miscounted (CRLF inside quotes).
  const line =
    typeof err.bytes_records === 'number'
      ? new LineIndex(buf).recordLineAt(err.bytes_records)
      : typeof err.lines === 'number'
        ? err.lines
        : 0;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new InputFileError(
        fileName,
        line,
        null,
        'a quoted value starting on this row is never closed — add the closing " ' +
          '(write "" for a quote inside a quoted value)',
      );
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const got = Array.isArray(err.record) ? String(err.record.length) : 'another number of';
      const want = headerWidth(buf) ?? 'another number of';
      return new InputFileError(
        fileName,
        line,
        null,
        `this row has ${got} values but the header has ${want} columns — ` +
          'put quotes around values that contain commas, or fix the row',
      );
    }
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new InputFileError(
        fileName,
        line,
        null,
        'a stray quote inside a value — put the whole value in quotes and double the quotes inside it ' +
          '(say ""like this"")',
      );
    case 'CSV_MAX_RECORD_SIZE':
      return lineTooLong(fileName, line);
    default:
      return new InputFileError(fileName, line, null, `${err.message} — fix the CSV syntax on this row`);
  }
}

// -------------------------------------------------------------------------------------------- .jsonl

function parseJsonl(text: string, fileName: string, template: string | null): PromptFileEntry[] {
  const entries: PromptFileEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!lineText.trim()) continue;
    const line = i + 1;
    if (lineText.length > MAX_LINE_CHARS) throw lineTooLong(fileName, line);
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (err) {
      const message = (err as Error).message;
      // V8 says "... in JSON at position 7 (line 1 column 8)" for most syntax errors.
      const pos = /at position (\d+)/.exec(message);
      const column = pos ? Number(pos[1]) + 1 : null;
      throw new InputFileError(
        fileName,
        line,
        column,
        `not valid JSON (${message.replace(/ in JSON at position.*$/, '')}) — ` +
          'each line must be one JSON object such as {"prompt": "a red fox"}',
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InputFileError(
        fileName,
        line,
        null,
        'expected a JSON object such as {"prompt": "a red fox"} — each line holds one prompt',
      );
    }
    const where: Where = { file: fileName, line, columnOf: () => null, noun: 'field' };
    const obj = value as Record<string, unknown>;
    const values: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(obj)) {
      if (!FIELDS.includes(key) && !VARIABLE.test(key)) {
        throw new InputFileError(
          fileName,
          line,
          null,
          `field '${key}' is neither an API field (${ALLOWED_LIST}) nor a variable name ` +
            '(letters, digits and _, not starting with a digit) — rename it',
        );
      }
      // null reads as "not set", as an empty CSV cell does.
      if (v !== null) values[key] = v;
    }
    checkRowCap(fileName, entries.length + 1, line);
    entries.push(buildEntry(values, where, fileName, template));
  }
  return entries;
}

// ------------------------------------------------------------------------------------------- entries

/**
 * One entry from its raw values: strings from CSV cells, JSON values from JSONL. Converts what a CSV
 * cell spells as text, then leaves range and enum checks to the shared params schema.
 */
function buildEntry(
  values: Record<string, unknown>,
  where: Where,
  fileName: string,
  template: string | null,
): PromptFileEntry {
  const prompt = values.prompt ?? template ?? undefined;
  if (prompt === undefined) throw emptyPrompt(where);
  if (typeof prompt !== 'string') throw fieldError(where, 'prompt', 'prompt must be text');
  if (!prompt.trim()) throw emptyPrompt(where);
  if (prompt.length > INPUT_LIMITS.templateChars) {
    throw promptTooLong(where.file, where.line, where.columnOf('prompt'), 'prompt');
  }

  const params: Record<string, unknown> = {};
  for (const field of PARAM_FIELDS) {
    const v = values[field];
    if (v === undefined) continue;
    params[field] = typeof v === 'string' ? fromText(field, v, where) : v;
  }
  if (params.n !== undefined) {
    const n = params.n;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > LIMITS.numImagesMax) {
      throw fieldError(where, 'n', `n must be a whole number from 1 to ${LIMITS.numImagesMax}`);
    }
    if (params.num_images !== undefined && params.num_images !== params.n) {
      throw fieldError(
        where,
        'n',
        'n and num_images disagree; give one of them (num_images is what is sent)',
      );
    }
    params.num_images = params.n;
    delete params.n;
  }
  const parsed = generationParamsSchema.safeParse(params, { error: friendlyIssues });
  if (!parsed.success) {
    const { field, message } = firstIssueMessage(parsed.error);
    if (field) throw fieldError(where, field, message);
    throw new InputFileError(where.file, where.line, null, message);
  }

  const entry: PromptFileEntry = { prompt: prompt.trim(), origin: origin(fileName, where.line) };
  const vars: Record<string, string> = {};
  for (const [key, v] of Object.entries(values)) {
    if (FIELDS.includes(key)) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw fieldError(where, key, `variable ${key} must be text or a number`);
    }
    vars[key] = String(v);
  }
  if (Object.keys(vars).length > 0) entry.vars = vars;
  if (Object.keys(parsed.data).length > 0) entry.params = parsed.data as GenerationParams;
  if (values.refs !== undefined) {
    const { refs, refPaths, sources } = splitRefs(values.refs, where, fileName);
    if (refs.length) entry.refs = refs;
    if (sources.length) entry.refSources = sources;
    if (refPaths.length) {
      entry.refPaths = refPaths;
      entry.refsAt = { line: where.line, column: where.columnOf('refs') };
    }
  }
  return entry;
}

/** A value spelled as text (every CSV cell; a JSONL writer may quote numbers too) to the type the API wants. */
function fromText(field: ParamField, text: string, where: Where): unknown {
  const v = text.trim();
  switch (field) {
    case 'seed':
    case 'num_images':
    case 'n':
      if (!/^[+-]?\d+$/.test(v)) throw fieldError(where, field, `${field} must be a whole number`);
      return Number(v);
    case 'enable_prompt_expansion':
    case 'enable_safety_checker': {
      const word = v.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw fieldError(where, field, `${field} must be true or false (yes/no and 1/0 work too)`);
    }
    case 'negative_prompt':
      return text;
    default:
      return v;
  }
}

/** The file name of a reference path as a CSV may write it (`/`, or `\\` from Windows): `photos/mug.png` → `mug.png`. */
export function refFileName(refPath: string): string {
  return refPath.split(/[\\/]/).pop() ?? refPath;
}

/**
 * For a page that cannot read the disk: each entry's references in the row's order, local images by file
 * name (the person adds them and they are matched by name), and a warning wherever two different paths
 * share a file name, since one added image then stands for both.
 */
export function rowRefs(
  rows: readonly PromptFileEntry[],
  fileName: string,
): { rowRefs: RowRef[][]; warnings: string[] } {
  const first = new Map<string, string>();
  const warnings: string[] = [];
  const out = rows.map((row) => {
    const local = new Set(row.refPaths ?? []);
    return (row.refSources ?? []).map((source): RowRef => {
      if (!local.has(source)) return { url: source };
      const name = refFileName(source);
      const seen = first.get(name);
      if (seen === undefined) first.set(name, source);
      else if (seen !== source) {
        warnings.push(
          `${row.origin ?? fileName}: ${source} and ${seen} are both called ${name} — the image added as ${name} is sent for both`,
        );
      }
      return { file: name };
    });
  });
  return { rowRefs: out, warnings };
}

function splitRefs(
  value: unknown,
  where: Where,
  fileName: string,
): { refs: string[]; refPaths: string[]; sources: string[] } {
  let items: string[];
  if (typeof value === 'string') {
    items = value.split(';');
  } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    items = value as string[];
  } else {
    throw fieldError(where, 'refs', 'refs must be a list of paths or URLs, or one text with ; between them');
  }
  items = items.map((s) => s.trim()).filter((s) => s !== '');
  if (items.length > LIMITS.references) {
    throw fieldError(
      where,
      'refs',
      `${items.length} reference images given; the service takes at most ${LIMITS.references}`,
    );
  }
  const baseDir = path.dirname(path.resolve(fileName));
  const refs: string[] = [];
  const refPaths: string[] = [];
  const sources: string[] = [];
  for (const item of items) {
    if (/^https?:\/\/\S+$/i.test(item)) {
      refs.push(item);
      sources.push(item);
    } else if (/^[a-z][a-z0-9+.-]+:/i.test(item)) {
      // A scheme of two letters or more: not a Windows drive letter, and not something we can fetch.
      throw fieldError(where, 'refs', `'${item}' is neither a local file path nor an http(s) URL`);
    } else {
      const local =
        item === '~' || item.startsWith('~/')
          ? path.join(homedir(), item.slice(1))
          : path.resolve(baseDir, item);
      refPaths.push(local);
      sources.push(local);
    }
  }
  return { refs, refPaths, sources };
}
