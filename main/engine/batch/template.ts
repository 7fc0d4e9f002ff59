// Prompt templates: `{a|b|c}` alternatives expand combinatorially, groups nest, `\{ \} \| \\` escape.
// A hand-written recursive-descent parser builds a small tree; counting walks the tree (so a template that
// would explode is refused before anything is expanded), expansion walks it in odometer order.

export class TemplateError extends Error {
  /** 1-based column (in code points) of the offending character in the template text. */
  readonly column: number;

  constructor(message: string, column: number) {
    super(message);
    this.name = 'TemplateError';
    this.column = column;
  }
}

export interface Expansion {
  text: string;
  /** The chosen alternative of each group that took part, in order of appearance (outer before inner). */
  bindings: string[];
}

export const DEFAULT_TEMPLATE_CAP = 10_000;

interface Group {
  kind: 'group';
  column: number;
  alternatives: Sequence[];
}
type Part = string | Group;
type Sequence = Part[];

const ESCAPABLE = new Set(['{', '}', '|', '\\']);

class Parser {
  private readonly chars: string[];
  private pos = 0;

  constructor(template: string) {
    // Code points, so a column counts what a person sees (an emoji is one column, not two).
    this.chars = Array.from(template);
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
        if (text) parts.push(text);
        text = '';
        parts.push(this.group());
        continue;
      }
      text += ch;
      this.pos += 1;
    }
    if (text) parts.push(text);
    return parts;
  }

  private group(): Group {
    const column = this.pos + 1;
    this.pos += 1; // '{'
    const alternatives: Sequence[] = [this.sequence(true)];
    while (this.chars[this.pos] === '|') {
      this.pos += 1;
      alternatives.push(this.sequence(true));
    }
    if (this.chars[this.pos] !== '}') {
      throw new TemplateError(`unclosed '{' at column ${column} — close it or escape it as \\{`, column);
    }
    this.pos += 1; // '}'
    return { kind: 'group', column, alternatives };
  }
}

function parseTemplate(template: string): Sequence {
  return new Parser(template).parse();
}

function countSequence(seq: Sequence): number {
  let n = 1;
  for (const part of seq) if (typeof part !== 'string') n *= countGroup(part);
  return n;
}

function countGroup(group: Group): number {
  let n = 0;
  for (const alt of group.alternatives) n += countSequence(alt);
  return n;
}

function firstGroupColumn(seq: Sequence): number {
  for (const part of seq) if (typeof part !== 'string') return part.column;
  return 1;
}

/**
 * Empty alternatives leave doubled spaces behind ("a  big"), a space before a comma ("skyline , cinematic")
 * or a dangling comma at an end ("skyline, "); fold them and trim the ends.
 */
function tidy(text: string): string {
  return text
    .replace(/ {2,}/g, ' ')
    .replace(/ +([,;!?，。；！？、])/gu, '$1')
    .trim()
    .replace(/^[,;，；、]\s*|\s*[,;，；、]$/gu, '')
    .trim();
}

function expandSequence(seq: Sequence): Expansion[] {
  // Every sequence and group yields at least one expansion, so the partial lists never outgrow the
  // final one: memory is bounded by the (already capped) count.
  let acc: Expansion[] = [{ text: '', bindings: [] }];
  for (const part of seq) {
    if (typeof part === 'string') {
      for (const e of acc) e.text += part;
      continue;
    }
    const options = expandGroup(part);
    const next: Expansion[] = [];
    // Outer loop over what came before, inner over this group: the leftmost group turns slowest.
    for (const prefix of acc) {
      for (const option of options) {
        next.push({
          text: prefix.text + option.text,
          bindings: [...prefix.bindings, ...option.bindings],
        });
      }
    }
    acc = next;
  }
  return acc;
}

function expandGroup(group: Group): Expansion[] {
  const out: Expansion[] = [];
  for (const alt of group.alternatives) {
    for (const e of expandSequence(alt)) {
      out.push({ text: e.text, bindings: [tidy(e.text), ...e.bindings] });
    }
  }
  return out;
}

/** How many prompts a template expands to, computed over the parse tree without expanding it. */
export function countExpansions(template: string): number {
  return countSequence(parseTemplate(template));
}

export function expandTemplate(template: string, opts: { cap?: number } = {}): Expansion[] {
  const cap = opts.cap ?? DEFAULT_TEMPLATE_CAP;
  const tree = parseTemplate(template);
  const count = countSequence(tree);
  if (count > cap) {
    throw new TemplateError(
      `this template expands to ${formatCount(count)} prompts; the limit is ${formatCount(cap)} — ` +
        'split it or remove alternatives',
      firstGroupColumn(tree),
    );
  }
  return expandSequence(tree).map((e) => ({ text: tidy(e.text), bindings: e.bindings }));
}

function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : 'more than 10^308';
}
