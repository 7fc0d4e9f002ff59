import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { thrown } from '../helpers/throws.ts';
import { batchSpecSchema } from '../../shared/domain.ts';
import { PlanError, planBatch } from '../../main/engine/batch/plan.ts';
import {
  compileTemplate,
  countExpansions,
  expandTemplate,
  TemplateError,
  type WildcardFile,
  type WildcardSource,
} from '../../main/engine/batch/template.ts';
import { parseWildcardText, WildcardError, Wildcards } from '../../main/engine/batch/wildcards.ts';
import { tempDir } from '../helpers/tmp.ts';
import { INPUT_LIMITS } from '../../shared/input-limits.ts';

/** Wildcards from memory: name → file text. Counts reads, to show counting never expands. */
function source(files: Record<string, string>): WildcardSource & { reads: number } {
  return {
    reads: 0,
    get(name: string): WildcardFile | null {
      const text = files[name];
      if (text === undefined) return null;
      this.reads += 1;
      return { name, file: `wildcards/${name}.txt`, options: parseWildcardText(text) };
    },
    names: () => Object.keys(files).sort(),
  };
}

const texts = (template: string, wildcards: WildcardSource, extra: object = {}) =>
  expandTemplate(template, { wildcards, ...extra }).map((e) => e.text);

const templateError = (fn: () => unknown) => thrown(TemplateError, fn);

describe('wildcards', () => {
  const wc = source({
    colors: '# primary colours\nred\n\nblue\n  green  \n',
    'animals/cats': 'tabby\n{black|white} cat\n',
    scene: '__colors__ __animals/cats__\n',
  });

  it('take every option of the file combinatorially, skipping blanks and comments', () => {
    expect(texts('a __colors__ car', wc)).toEqual(['a red car', 'a blue car', 'a green car']);
    expect(expandTemplate('a __colors__ car', { wildcards: wc })[0]?.bindings).toEqual(['red']);
  });

  it('use folders as namespaces and nest with {a|b} both ways', () => {
    expect(texts('__animals/cats__', wc)).toEqual(['tabby', 'black cat', 'white cat']);
    expect(texts('{a __animals/cats__|none}', wc)).toEqual(['a tabby', 'a black cat', 'a white cat', 'none']);
    expect(countExpansions('__scene__ at {dawn|dusk}', { wildcards: wc })).toBe(3 * 3 * 2);
  });

  it('sample n lines reproducibly from the seed, and each seed its own lines', () => {
    const big = source({ n: Array.from({ length: 50 }, (_, i) => `v${i}`).join('\n') });
    const a = texts('__n:3__', big, { sampleSeed: 7 });
    expect(a).toHaveLength(3);
    expect(new Set(a).size).toBe(3);
    expect(texts('__n:3__', big, { sampleSeed: 7 })).toEqual(a);
    const others = [1, 2, 3, 4].map((seed) => texts('__n:3__', big, { sampleSeed: seed }).join());
    expect(others.some((o) => o !== a.join())).toBe(true);
    expect(countExpansions('__n:3__ and __n:60__', { wildcards: big })).toBe(3 * 50);
  });

  it('count four 1,000-line wildcards without expanding them (10^12)', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `option ${i}`).join('\n');
    const big = source({ a: lines, b: lines, c: lines, d: lines });
    const compiled = compileTemplate('__a__ __b__ __c__ __d__', { wildcards: big });
    expect(compiled.count).toBe(1e12);
    expect(big.reads).toBe(4);
    expect(() => compiled.expand()).toThrow(/expands to 1,000,000,000,000 prompts; the limit is 10,000/);
  });

  it('name the file and line of a syntax error, an unknown wildcard and a cycle', () => {
    const bad = source({
      broken: 'fine\nalso {fine|ok}\nnot {fine\n',
      outer: 'x\n__missing__\n',
      a: 'one\n__b__\n',
      b: '__a__\n',
    });
    const syntax = templateError(() => countExpansions('__broken__', { wildcards: bad }));
    expect(syntax.message).toBe(
      "wildcards/broken.txt, line 3: unclosed '{' at column 5 — close it or escape it as \\{",
    );
    expect([syntax.file, syntax.line]).toEqual(['wildcards/broken.txt', 3]);

    const unknown = templateError(() => countExpansions('__outer__', { wildcards: bad }));
    expect(unknown.message).toContain('wildcards/outer.txt, line 2: unknown wildcard __missing__');
    expect(unknown.message).toContain('add the file wildcards/missing.txt (known: a, b, broken, outer)');
    const top = templateError(() => countExpansions('a __nope__', { wildcards: bad }));
    expect([top.column, top.file]).toEqual([3, null]);

    const cycle = templateError(() => countExpansions('__a__', { wildcards: bad }));
    expect(cycle.message).toBe(
      'wildcards/b.txt, line 1: wildcard cycle __a__ → __b__ → __a__ — a wildcard cannot use itself; ' +
        'remove one of these references',
    );
  });

  it('keep escaped and lone underscores as text', () => {
    expect(texts('snake_case \\_\\_colors\\_\\_ _x_', wc)).toEqual(['snake_case __colors__ _x_']);
  });
});

describe('variables', () => {
  it('bind one choice per prompt and reuse it everywhere, turning slowest', () => {
    expect(expandTemplate('{$c = red|blue} a $c car, $c wheels, {big|small}')).toEqual([
      { text: 'a red car, red wheels, big', bindings: ['red', 'big'] },
      { text: 'a red car, red wheels, small', bindings: ['red', 'small'] },
      { text: 'a blue car, blue wheels, big', bindings: ['blue', 'big'] },
      { text: 'a blue car, blue wheels, small', bindings: ['blue', 'small'] },
    ]);
    expect(countExpansions('{$c = red|blue} $c $c $c')).toBe(2);
  });

  it('may hold groups and wildcards, read earlier variables, and be read inside wildcards', () => {
    const wc = source({ tone: 'light\ndark\n', on: 'on a $c mat\n' });
    expect(texts('{$t = __tone__} {$c = $t {red|blue}} a $c cat __on__', wc)).toEqual([
      'a light red cat on a light red mat',
      'a light blue cat on a light blue mat',
      'a dark red cat on a dark red mat',
      'a dark blue cat on a dark blue mat',
    ]);
  });

  it('take values from outside (CSV columns) as literal text', () => {
    expect(expandTemplate('a $product in {red|blue}', { vars: { product: 'mug {x|y}' } })).toEqual([
      { text: 'a mug {x|y} in red', bindings: ['red'] },
      { text: 'a mug {x|y} in blue', bindings: ['blue'] },
    ]);
  });

  it('refuse unknown, duplicate, nested and late-read variables with their column', () => {
    const unknown = templateError(() => countExpansions('a $colour car'));
    expect(unknown.column).toBe(3);
    expect(unknown.message).toContain('unknown variable $colour at column 3');
    expect(templateError(() => countExpansions('{$a = x} {$a = y}')).message).toContain('defined twice');
    expect(templateError(() => countExpansions('{x {$a = y}}')).message).toContain('at the top level');
    expect(templateError(() => countExpansions('{$a = $b} {$b = x}')).message).toContain(
      'unknown variable $b',
    );
    expect(templateError(() => countExpansions('{$a = x}', { vars: { a: 'y' } })).message).toContain(
      'also a column of the file',
    );
  });

  it('leave dollar amounts and escaped dollars alone', () => {
    expect(expandTemplate('a $5 toy, \\$cheap').map((e) => e.text)).toEqual(['a $5 toy, $cheap']);
  });
});

describe('planBatch with wildcards and variables', () => {
  const wc = source({ colors: 'red\nblue\n' });
  const opts = { creditsPerImage: 20, estimateIsLearned: false, wildcards: wc };

  it('plans a shared template per CSV row, each row its own variables', () => {
    const spec = batchSpecSchema.parse({
      name: 'catalogue',
      entries: [
        { prompt: 'a __colors__ $product', vars: { product: 'mug' }, origin: 'cat.csv:2' },
        { prompt: 'a __colors__ $product', vars: { product: 'lamp' }, origin: 'cat.csv:3' },
      ],
    });
    const plan = planBatch(spec, opts);
    expect(plan.jobs.map((j) => j.input.prompt)).toEqual([
      'a red mug',
      'a blue mug',
      'a red lamp',
      'a blue lamp',
    ]);
    expect(plan.estimateCredits).toBe(4 * 20);
  });

  it('names the row of a column the template never reads', () => {
    const spec = batchSpecSchema.parse({
      name: 'x',
      entries: [
        { prompt: 'a $product', vars: { product: 'mug', negativ_prompt: 'blur' }, origin: 'cat.csv:2' },
      ],
    });
    const err = thrown(PlanError, () => planBatch(spec, opts));
    expect(err.message).toContain("cat.csv:2: column 'negativ_prompt' is neither an API field nor used");
  });

  it('refuses a batch past the cap from the count, naming the wildcard file on errors', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `o${i}`).join('\n');
    const big = source({ a: lines, b: lines });
    const spec = batchSpecSchema.parse({ name: 'x', entries: [{ prompt: '__a__ __b__' }] });
    expect(() => planBatch(spec, { ...opts, wildcards: big })).toThrow(/expands to 40,000 generations/);
    const bad = batchSpecSchema.parse({
      name: 'x',
      entries: [{ prompt: '__colors__ __none__', origin: 'p.txt:4' }],
    });
    expect(() => planBatch(bad, opts)).toThrow(/^p\.txt:4: unknown wildcard __none__ at column 12/);
  });
});

describe('Wildcards (files in the data folder)', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  function store() {
    const t = tempDir('qs-wc-');
    cleanup = t.cleanup;
    return new Wildcards(join(t.dir, 'wildcards'));
  }

  it('writes, lists with option counts, reads back and removes, folders included', () => {
    const w = store();
    w.write('colors', '# comment\nred\nblue');
    w.write('__animals/cats__', 'tabby\n');
    expect(w.list().map((i) => [i.name, i.options])).toEqual([
      ['animals/cats', 1],
      ['colors', 2],
    ]);
    expect(w.read('colors').text).toBe('# comment\nred\nblue\n');
    expect(readFileSync(join(w.dir, 'animals', 'cats.txt'), 'utf8')).toBe('tabby\n');
    expect(w.snapshot().get('animals/cats')?.options).toEqual([{ text: 'tabby', line: 1 }]);
    w.remove('colors');
    expect(w.names()).toEqual(['animals/cats']);
    expect(() => w.remove('colors')).toThrow(WildcardError);
  });

  it('refuses bad names, empty files, syntax errors and cycles before saving', () => {
    const w = store();
    expect(() => w.write('../etc/passwd', 'x')).toThrow(/not a wildcard name/);
    expect(() => w.write('empty', '# only a comment\n')).toThrow(/has no options/);
    expect(() => w.write('bad', 'ok\nnot {ok\n')).toThrow(/wildcards\/bad.txt, line 2: unclosed/);
    expect(() => w.write('a', '__b__\n')).toThrow(/unknown wildcard __b__/);
    mkdirSync(w.dir, { recursive: true });
    writeFileSync(join(w.dir, 'b.txt'), 'plain\n');
    w.write('a', '__b__ or $anything\n');
    expect(() => w.write('b', '__a__\n')).toThrow(/wildcard cycle __b__ → __a__ → __b__/);
    expect(w.read('b').text).toBe('plain\n');
  });

  it('refuses a file copied in by hand that is over the size limit, naming it, without reading it', () => {
    const w = store();
    mkdirSync(w.dir, { recursive: true });
    writeFileSync(join(w.dir, 'huge.txt'), 'x\n'.repeat(INPUT_LIMITS.wildcardFileBytes / 2 + 1));
    const err = thrown(WildcardError, () => w.get('huge'));
    expect(err.message).toMatch(/wildcards\/huge\.txt is larger than 4 MB/);
    // Listed with its size (so it can be found and removed), its options not counted.
    expect(w.list()).toMatchObject([{ name: 'huge', options: 0, bytes: INPUT_LIMITS.wildcardFileBytes + 2 }]);
    const plan = () =>
      planBatch(batchSpecSchema.parse({ name: 'x', entries: [{ prompt: 'a __huge__ cat' }] }), {
        creditsPerImage: 20,
        estimateIsLearned: false,
        wildcards: w.snapshot(),
      });
    expect(plan).toThrow(/larger than 4 MB/);
  });
});
