// Property tests over the three grammars a person (or a file, or a page) feeds the engine: prompt templates,
// the library's query language and prompt files. Whatever the input: no crash, no hang, only the parser's own
// clear error. Inputs are drawn mostly from each grammar's own alphabet so the deep paths are reached.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError, parsePromptText } from '../../main/engine/batch/input-file.ts';
import { TemplateError, countExpansions, expandTemplate } from '../../main/engine/batch/template.ts';
import { parseQuery } from '../../main/engine/search/query.ts';
import { memoryStores } from '../helpers/db.ts';
import { tokenizeQuery } from '../../shared/query-tokens.ts';
import { fuzzParams } from './fuzz-settings.ts';

/** Strings over an alphabet, of up to `max` characters. */
const over = (alphabet: string[], max: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((cs) => cs.join(''));

/** Grammar characters often, anything (any code point, controls and lone surrogates included) sometimes. */
const mixed = (grammar: string[], max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: over([...grammar, 'a', 'b', ' ', '猫', '😀'], max) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: max }) },
  );

/** Runs `fn`; an error must be one of the expected kinds, with a message a person can read. */
function onlyClearErrors(fn: () => unknown, ...kinds: (new (...args: never[]) => Error)[]): void {
  try {
    fn();
  } catch (err) {
    if (!kinds.some((k) => err instanceof k)) throw err;
    expect((err as Error).message.length).toBeGreaterThan(10);
    expect((err as Error).message).not.toMatch(/\n\s+at /);
  }
}

const TEMPLATE = ['{', '}', '|', '\\', ',', '  '];

describe('fuzz: prompt templates', () => {
  it('expand or refuse with a TemplateError, never anything else', () => {
    fc.assert(
      fc.property(mixed(TEMPLATE, 200), (t) => {
        onlyClearErrors(() => countExpansions(t), TemplateError);
        onlyClearErrors(() => {
          const out = expandTemplate(t, { cap: 2000 });
          expect(out.length).toBeGreaterThan(0);
          for (const e of out) expect(typeof e.text).toBe('string');
        }, TemplateError);
      }),
      fuzzParams(400),
    );
  });

  it('refuse deep nesting and explosive groups with a TemplateError (no stack overflow, no blow-up)', () => {
    const deep = fc.integer({ min: 1, max: 3000 }).map((n) => `${'{a|'.repeat(n)}b${'}'.repeat(n)}`);
    const wide = fc.integer({ min: 1, max: 60 }).map((n) => '{a|b|c|d}'.repeat(n));
    fc.assert(
      fc.property(fc.oneof(deep, wide), (t) => onlyClearErrors(() => expandTemplate(t), TemplateError)),
      fuzzParams(60),
    );
  });
});

const QUERY = [
  '"',
  '\u201c',
  '\u201d',
  '\u300c',
  '\u300d',
  '-',
  '\u2212',
  ':',
  'tag:',
  'ar:',
  'rating>=',
  'before:',
  '*',
  '(',
  ')',
  'OR',
  'NEAR',
  '#',
  ',',
];

describe('fuzz: the query language', () => {
  const stores = memoryStores();
  afterAll(() => stores.db.close());

  it('parses anything into a query that SQLite and FTS5 accept', () => {
    fc.assert(
      fc.property(mixed(QUERY, 300), (text) => {
        for (const t of tokenizeQuery(text)) expect(text.slice(t.start, t.end)).toBe(t.raw);
        expect(Array.isArray(parseQuery(text).warnings)).toBe(true);
        // Runs the compiled statement against a real (empty) index: an FTS5 syntax error would throw here.
        expect(stores.assets.search(text, 5)).toEqual([]);
      }),
      // Found by this test: a NUL inside a word ended the FTS5 expression ("unterminated string").
      { ...fuzzParams<[string]>(300), examples: [['a\u0000b'], ['\u0000\u{f0000}'], ['"x\u0000']] },
    );
  });
});

const CSV = [
  ',',
  '"',
  '\n',
  '\r\n',
  'prompt',
  'seed',
  'refs',
  'negative_prompt',
  ';',
  '1',
  '-1',
  'true',
  'https://x/',
];
const JSONL = [
  '{',
  '}',
  '"',
  ':',
  ',',
  '\n',
  '"prompt"',
  '"seed"',
  '"refs"',
  '[',
  ']',
  'null',
  '1',
  'true',
  '\\',
];

describe('fuzz: prompt files', () => {
  it.each([
    ['p.txt', ['#', '\n', '\r\n', '{', '|', '}']],
    ['p.csv', CSV],
    ['p.jsonl', JSONL],
  ])('%s: entries or an InputFileError, never anything else', (name, alphabet) => {
    fc.assert(
      fc.property(mixed(alphabet, 400), (text) => {
        onlyClearErrors(() => {
          for (const e of parsePromptText(text, name)) expect(e.prompt.trim()).not.toBe('');
        }, InputFileError);
      }),
      fuzzParams(300),
    );
  });
});
