// The template grammar, parsed into a small tree (see template.ts for counting and expanding it):
//
//   {a|b|c}            alternatives, expanded combinatorially; groups nest; an alternative may be empty
//   __colors__         every line of the wildcard file wildcards/colors.txt (folders: __animals/cats__)
//   __colors:3__       3 lines of it, sampled reproducibly from the batch's sample seed
//   {$color = red|blue}  a variable: its alternatives are expanded once per prompt (top level only) …
//   $color             … and every use inserts the same choice; CSV columns that are not API fields are
//                      variables too
//   \{ \} \| \\ \$ \_  literal characters
//
// A hand-written recursive-descent parser; every error carries the 1-based column (in code points). Length
// and nesting are bounded (shared/input-limits.ts) as it reads, so no template can take the stack.
import { INPUT_LIMITS, formatLimit } from '../../../shared/input-limits.ts';
import { StudioError } from '../errors.ts';

export class TemplateError extends StudioError {
  /** 1-based column (in code points) of the offending character in the template text. */
  readonly column: number;
  /** The wildcard file at fault (relative to the data folder), when the error is inside one. */
  readonly file: string | null;
  /** 1-based line of that wildcard file. */
  readonly line: number | null;

  constructor(message: string, column: number, where: { file: string; line: number } | null = null) {
    super('TEMPLATE', message);
    this.name = 'TemplateError';
    this.column = column;
    this.file = where?.file ?? null;
    this.line = where?.line ?? null;
  }
}

export interface Group {
  kind: 'group';
  column: number;
  alternatives: Sequence[];
}
export interface WildcardRef {
  kind: 'wildcard';
  column: number;
  name: string;
  /** Sample this many lines instead of taking all of them. */
  sample: number | null;
}
export interface VarUse {
  kind: 'var';
  column: number;
  name: string;
}
export interface VarDef {
  kind: 'def';
  column: number;
  name: string;
  group: Group;
}
export type Part = string | Group | WildcardRef | VarUse | VarDef;
export type Sequence = Part[];

const ESCAPABLE = new Set(['{', '}', '|', '\\', '$', '_']);
const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;
/** A wildcard name: path segments of letters, digits, `_` and `-`, separated by `/`. */
export const WILDCARD_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\/[A-Za-z0-9][A-Za-z0-9_-]*)*$/;
const WILDCARD_REF = /^__([A-Za-z0-9][A-Za-z0-9_-]*(?:\/[A-Za-z0-9][A-Za-z0-9_-]*)*?)(?::(\d+))?__/;
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class Parser {
  private readonly chars: string[];
  private pos = 0;
  private depth = 0;
  /** Whether variable definitions are allowed (the top level of a prompt, not a wildcard line). */
  private readonly allowDefs: boolean;

  constructor(template: string, opts: { allowDefs?: boolean } = {}) {
    if (template.length > INPUT_LIMITS.templateChars) {
      throw new TemplateError(
        `a prompt template is limited to ${formatLimit(INPUT_LIMITS.templateChars)} characters — shorten it`,
        INPUT_LIMITS.templateChars + 1,
      );
    }
    // Code points, so a column counts what a person sees (an emoji is one column, not two).
    this.chars = Array.from(template);
    this.allowDefs = opts.allowDefs ?? true;
  }

  parse(): Sequence {
    const seq = this.sequence(false);
    if (this.pos < this.chars.length) {
      // sequence(false) only stops early on a stray closing brace.
      throw new TemplateError(
        `unmatched '}' at column ${this.pos + 1} — remove it or escape it as \\}`,
        this.pos + 1,
      );
    }
    return seq;
  }

  /** Text and groups up to the end of the input, or (inside a group) up to an unescaped `|` or `}`. */
  private sequence(inGroup: boolean): Sequence {
    const parts: Part[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push(text);
      text = '';
    };
    while (this.pos < this.chars.length) {
      const ch = this.chars[this.pos] as string;
      if (ch === '\\') {
        const next = this.chars[this.pos + 1];
        // An unknown escape keeps its backslash, so ordinary backslashes in a prompt survive untouched.
        if (next !== undefined && ESCAPABLE.has(next)) {
          text += next;
          this.pos += 2;
        } else {
          text += ch;
          this.pos += 1;
        }
        continue;
      }
      if (ch === '}' || (inGroup && ch === '|')) break;
      if (ch === '{') {
        flush();
        parts.push(this.groupOrDef());
        continue;
      }
      if (ch === '_' && this.chars[this.pos + 1] === '_') {
        const ref = this.wildcard();
        if (ref) {
          flush();
          parts.push(ref);
          continue;
        }
      }
      if (ch === '$' && IDENT_START.test(this.chars[this.pos + 1] ?? '')) {
        flush();
        const column = this.pos + 1;
        this.pos += 1;
        parts.push({ kind: 'var', column, name: this.identifier() });
        continue;
      }
      text += ch;
      this.pos += 1;
    }
    flush();
    return parts;
  }

  private identifier(): string {
    let name = '';
    while (this.pos < this.chars.length && IDENT.test(this.chars[this.pos] as string)) {
      name += this.chars[this.pos];
      this.pos += 1;
    }
    return name;
  }

  /** `__name__` or `__name:n__` at the cursor, or null (then the underscores are plain text). */
  private wildcard(): WildcardRef | null {
    const rest = this.chars.slice(this.pos, this.pos + 260).join('');
    const m = WILDCARD_REF.exec(rest);
    if (!m) return null;
    const column = this.pos + 1;
    this.pos += Array.from(m[0]).length;
    let sample: number | null = null;
    if (m[2] !== undefined) {
      sample = Number(m[2]);
      if (!Number.isSafeInteger(sample) || sample < 1) {
        throw new TemplateError(
          `__${m[1]}:${m[2]}__ at column ${column} samples no lines — write a count of 1 or more`,
          column,
        );
      }
    }
    return { kind: 'wildcard', column, name: m[1] as string, sample };
  }

  private groupOrDef(): Group | VarDef {
    const column = this.pos + 1;
    const def = /^\{\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(
      this.chars.slice(this.pos, this.pos + 100).join(''),
    );
    if (!def) return this.group();
    const name = def[1] as string;
    if (!this.allowDefs || this.depth > 0) {
      throw new TemplateError(
        `variable $${name} is defined at column ${column} inside a group or a wildcard — ` +
          'define variables at the top level of the prompt',
        column,
      );
    }
    // Step over "{$name =" and parse the rest as a group's alternatives.
    this.pos += Array.from(def[0]).length - 1;
    const group = this.group(column);
    return { kind: 'def', column, name, group };
  }

  private group(column = this.pos + 1): Group {
    if (this.depth + 1 > INPUT_LIMITS.templateDepth) {
      throw new TemplateError(
        `groups are nested more than ${INPUT_LIMITS.templateDepth} deep at column ${column} — flatten the template`,
        column,
      );
    }
    this.pos += 1; // '{' (or the '=' of a definition)
    this.depth += 1;
    const alternatives: Sequence[] = [this.sequence(true)];
    while (this.chars[this.pos] === '|') {
      this.pos += 1;
      alternatives.push(this.sequence(true));
    }
    if (this.chars[this.pos] !== '}') {
      throw new TemplateError(`unclosed '{' at column ${column} — close it or escape it as \\{`, column);
    }
    this.pos += 1; // '}'
    this.depth -= 1;
    return { kind: 'group', column, alternatives };
  }
}
