// Prompt templates (grammar in template-parse.ts). Compiling resolves wildcards (with sampling and cycle
// checks) and variables into one tree; counting walks that tree, so a template that would explode is
// refused before anything is expanded; expansion walks it in odometer order, variables turning slowest.
import { LIMITS } from '../../../shared/api.ts';
import { formatLimit } from '../../../shared/input-limits.ts';
import { hash32, mulberry32 } from '../../../shared/prng.ts';
import { Parser, TemplateError, type Group, type Part, type Sequence } from './template-parse.ts';

export { TemplateError } from './template-parse.ts';

export interface Expansion {
  text: string;
  /** The chosen alternative of each group that took part, in order of appearance (outer before inner). */
  bindings: string[];
}

export const DEFAULT_TEMPLATE_CAP = 10_000;

/** One option of a wildcard file, with its 1-based line for error messages. */
export interface WildcardOption {
  text: string;
  line: number;
}
export interface WildcardFile {
  name: string;
  /** How the file is named in messages: `wildcards/animals/cats.txt`. */
  file: string;
  options: WildcardOption[];
}
/** Where templates find wildcard files by name (`animals/cats`). */
export interface WildcardSource {
  get(name: string): WildcardFile | null;
  names(): string[];
}

export interface TemplateContext {
  wildcards?: WildcardSource | null;
  /** Values given from outside the template (a CSV row's variable columns). */
  vars?: Readonly<Record<string, string>>;
  /** Seeds the sampling of `__name:n__`: the same seed picks the same lines. */
  sampleSeed?: number;
  /** Accept any variable (checking a wildcard file on its own, where the prompt's variables are unknown). */
  anyVariable?: boolean;
}

export interface CompiledTemplate {
  /** How many prompts the template expands to, known without expanding it. */
  count: number;
  /** Every variable the template (or a wildcard it uses) reads. */
  usedVars: ReadonlySet<string>;
  expand(opts?: { cap?: number }): Expansion[];
}

interface Where {
  file: string;
  line: number;
}

class Compiler {
  private readonly ctx: TemplateContext;
  private readonly external: ReadonlySet<string>;
  private readonly wildcardGroups = new Map<string, Group>();
  private readonly stack: { name: string; where: Where | null }[] = [];
  private occurrence = 0;
  readonly usedVars = new Set<string>();

  constructor(ctx: TemplateContext) {
    this.ctx = ctx;
    this.external = new Set(Object.keys(ctx.vars ?? {}));
  }

  /** The top level: definitions in order (each may read the ones before it), then the rest. */
  top(seq: Sequence): Sequence {
    const defined = new Set<string>();
    const allDefs = new Set<string>();
    for (const part of seq) {
      if (typeof part === 'string' || part.kind !== 'def') continue;
      if (allDefs.has(part.name)) {
        throw new TemplateError(
          `variable $${part.name} is defined twice (again at column ${part.column}) — keep one definition`,
          part.column,
        );
      }
      if (this.external.has(part.name)) {
        throw new TemplateError(
          `variable $${part.name} (column ${part.column}) is also a column of the file — rename one of them`,
          part.column,
        );
      }
      allDefs.add(part.name);
    }
    const out: Part[] = [];
    for (const part of seq) {
      if (typeof part !== 'string' && part.kind === 'def') {
        const group = this.group(part.group, defined, null);
        defined.add(part.name);
        out.push({ ...part, group });
      } else {
        out.push(...this.part(part, allDefs, null));
      }
    }
    return out;
  }

  private sequence(seq: Sequence, defs: ReadonlySet<string>, where: Where | null): Sequence {
    return seq.flatMap((part) => this.part(part, defs, where));
  }

  private group(g: Group, defs: ReadonlySet<string>, where: Where | null): Group {
    return { ...g, alternatives: g.alternatives.map((alt) => this.sequence(alt, defs, where)) };
  }

  private part(part: Part, defs: ReadonlySet<string>, where: Where | null): Part[] {
    if (typeof part === 'string') return [part];
    switch (part.kind) {
      case 'group':
        return [this.group(part, defs, where)];
      case 'def':
        // The parser only lets definitions through at the top level, which top() handles.
        throw new TemplateError(`variable $${part.name} cannot be defined here`, part.column);
      case 'var':
        if (!defs.has(part.name) && !this.external.has(part.name) && !this.ctx.anyVariable) {
          throw located(
            `unknown variable $${part.name} at column ${part.column} — define it first with ` +
              `{$${part.name} = a|b}, add a ${part.name} column to the file, or write \\$ for a dollar sign`,
            part.column,
            where,
          );
        }
        this.usedVars.add(part.name);
        return [part];
      case 'wildcard': {
        const full = this.wildcard(part.name, part.column, defs, where);
        const occurrence = this.occurrence++;
        if (part.sample === null || part.sample >= full.alternatives.length) return [full];
        return [
          {
            ...full,
            alternatives: sample(full.alternatives, part.sample, this.seedFor(part.name, occurrence)),
          },
        ];
      }
    }
  }

  private seedFor(name: string, occurrence: number): number {
    return hash32(`${this.ctx.sampleSeed ?? 1}:${name}:${occurrence}`);
  }

  private wildcard(name: string, column: number, defs: ReadonlySet<string>, where: Where | null): Group {
    const cycleAt = this.stack.findIndex((s) => s.name === name);
    if (cycleAt >= 0) {
      const path = [...this.stack.slice(cycleAt).map((s) => `__${s.name}__`), `__${name}__`].join(' → ');
      throw located(
        `wildcard cycle ${path} — a wildcard cannot use itself; remove one of these references`,
        column,
        where,
      );
    }
    // Keyed with the variables in scope, which differ between a definition and the rest of the prompt.
    const key = `${name}#${[...defs].join(',')}`;
    const cached = this.wildcardGroups.get(key);
    if (cached) return cached;
    const file = this.ctx.wildcards?.get(name) ?? null;
    if (!file) {
      const known = this.ctx.wildcards?.names() ?? [];
      throw located(
        `unknown wildcard __${name}__ at column ${column} — add the file wildcards/${name}.txt` +
          (known.length ? ` (known: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})` : ''),
        column,
        where,
      );
    }
    if (file.options.length === 0) {
      throw located(`${file.file} has no options — write one option per line`, column, where);
    }
    this.stack.push({ name, where });
    const alternatives = file.options.map((opt) => {
      const at: Where = { file: file.file, line: opt.line };
      let seq: Sequence;
      try {
        seq = new Parser(opt.text, { allowDefs: false }).parse();
      } catch (err) {
        if (err instanceof TemplateError && err.file === null) throw located(err.message, err.column, at);
        throw err;
      }
      return this.sequence(seq, defs, at);
    });
    this.stack.pop();
    const group: Group = { kind: 'group', column, alternatives };
    this.wildcardGroups.set(key, group);
    return group;
  }
}

/** An error inside a wildcard file names the file and line; one in the prompt itself names its column. */
function located(message: string, column: number, where: Where | null): TemplateError {
  return where
    ? new TemplateError(`${where.file}, line ${where.line}: ${message}`, column, where)
    : new TemplateError(message, column);
}

/** k distinct items chosen by a partial Fisher–Yates shuffle, kept in their file order. */
function sample<T>(items: readonly T[], k: number, seed: number): T[] {
  const rand = mulberry32(seed);
  const idx = items.map((_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx
    .slice(0, k)
    .sort((a, b) => a - b)
    .map((i) => items[i] as T);
}

const groupCounts = new WeakMap<Group, number>();

function countSequence(seq: Sequence): number {
  let n = 1;
  for (const part of seq) {
    if (typeof part === 'string') continue;
    if (part.kind === 'group') n *= countGroup(part);
    else if (part.kind === 'def') n *= countGroup(part.group);
  }
  return n;
}

function countGroup(group: Group): number {
  const known = groupCounts.get(group);
  if (known !== undefined) return known;
  let n = 0;
  for (const alt of group.alternatives) n += countSequence(alt);
  groupCounts.set(group, n);
  return n;
}

/**
 * The length of the longest prompt the sequence can expand to (before tidying), without expanding it: text,
 * the longest alternative of each group, and for a variable the longest value it can hold.
 */
interface Longest {
  vars: Map<string, number>;
  /** A wildcard's group is shared wherever it is used: measured once. */
  groups: Map<Group, number>;
}

function longestSequence(seq: Sequence, m: Longest): number {
  let n = 0;
  for (const part of seq) {
    if (typeof part === 'string') n += part.length;
    else if (part.kind === 'group') n += longestGroup(part, m);
    else if (part.kind === 'var') n += m.vars.get(part.name) ?? 0;
    else if (part.kind === 'def') m.vars.set(part.name, longestGroup(part.group, m));
  }
  return n;
}

function longestGroup(group: Group, m: Longest): number {
  const known = m.groups.get(group);
  if (known !== undefined) return known;
  let n = 0;
  for (const alt of group.alternatives) n = Math.max(n, longestSequence(alt, m));
  m.groups.set(group, n);
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

type Env = ReadonlyMap<string, string>;

function expandSequence(seq: Sequence, env: Env): Expansion[] {
  // Every sequence and group yields at least one expansion, so the partial lists never outgrow the
  // final one: memory is bounded by the (already capped) count.
  let acc: Expansion[] = [{ text: '', bindings: [] }];
  for (const part of seq) {
    if (typeof part === 'string' || part.kind === 'var') {
      const text = typeof part === 'string' ? part : (env.get(part.name) ?? '');
      for (const e of acc) e.text += text;
      continue;
    }
    if (part.kind !== 'group') continue;
    const options = expandGroup(part, env);
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

function expandGroup(group: Group, env: Env): Expansion[] {
  const out: Expansion[] = [];
  for (const alt of group.alternatives) {
    for (const e of expandSequence(alt, env)) {
      out.push({ text: e.text, bindings: [tidy(e.text), ...e.bindings] });
    }
  }
  return out;
}

/** Definitions first, each choice binding its variable; then the rest of the prompt under each binding. */
function expandTop(seq: Sequence, vars: Readonly<Record<string, string>>): Expansion[] {
  let envs: { env: Map<string, string>; bindings: string[] }[] = [
    { env: new Map(Object.entries(vars)), bindings: [] },
  ];
  const rest: Sequence = [];
  for (const part of seq) {
    if (typeof part === 'string' || part.kind !== 'def') {
      rest.push(part);
      continue;
    }
    const next: typeof envs = [];
    for (const e of envs) {
      for (const option of expandGroup(part.group, e.env)) {
        const env = new Map(e.env);
        env.set(part.name, tidy(option.text));
        next.push({ env, bindings: [...e.bindings, ...option.bindings] });
      }
    }
    envs = next;
  }
  return envs.flatMap((e) =>
    expandSequence(rest, e.env).map((x) => ({
      text: tidy(x.text),
      bindings: [...e.bindings, ...x.bindings],
    })),
  );
}

/** Parses a template and resolves its wildcards and variables; throws TemplateError for any mistake. */
export function compileTemplate(template: string, ctx: TemplateContext = {}): CompiledTemplate {
  const compiler = new Compiler(ctx);
  const tree = compiler.top(new Parser(template).parse());
  const count = countSequence(tree);
  // Each prompt must fit the service's limit; refusing here also bounds the memory expansion takes
  // (count × longest), where a long template with a few groups would otherwise build gigabytes of text.
  const vars = new Map(Object.entries(ctx.vars ?? {}).map(([k, v]) => [k, v.length]));
  const longest = longestSequence(tree, { vars, groups: new Map() });
  if (longest > LIMITS.promptChars && count > 1) {
    throw new TemplateError(
      `this template can expand to a prompt of ${formatCount(longest)} characters; the service takes at ` +
        `most ${formatCount(LIMITS.promptChars)} — shorten the longest alternatives`,
      firstGroupColumn(tree),
    );
  }
  return {
    count,
    usedVars: compiler.usedVars,
    expand(opts = {}) {
      const cap = opts.cap ?? DEFAULT_TEMPLATE_CAP;
      if (count > cap) {
        throw new TemplateError(
          `this template expands to ${formatCount(count)} prompts; the limit is ${formatCount(cap)} — ` +
            'split it or remove alternatives',
          firstGroupColumn(tree),
        );
      }
      return expandTop(tree, ctx.vars ?? {});
    },
  };
}

/** How many prompts a template expands to, computed over the parse tree without expanding it. */
export function countExpansions(template: string, ctx: TemplateContext = {}): number {
  return compileTemplate(template, ctx).count;
}

export function expandTemplate(template: string, opts: { cap?: number } & TemplateContext = {}): Expansion[] {
  return compileTemplate(template, opts).expand(opts.cap === undefined ? {} : { cap: opts.cap });
}

function formatCount(n: number): string {
  return Number.isFinite(n) ? formatLimit(n) : 'more than 10^308';
}
