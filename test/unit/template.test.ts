import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/throws.ts';
import { countExpansions, expandTemplate, TemplateError } from '../../main/engine/batch/template.ts';

const texts = (template: string) => expandTemplate(template).map((e) => e.text);

const templateError = (fn: () => unknown) => thrown(TemplateError, fn);

describe('expandTemplate', () => {
  it('expands alternatives combinatorially in odometer order with bindings', () => {
    expect(expandTemplate('a {red|blue} {car|boat}')).toEqual([
      { text: 'a red car', bindings: ['red', 'car'] },
      { text: 'a red boat', bindings: ['red', 'boat'] },
      { text: 'a blue car', bindings: ['blue', 'car'] },
      { text: 'a blue boat', bindings: ['blue', 'boat'] },
    ]);
  });

  it('turns the last group fastest across three groups', () => {
    expect(texts('{1|2}{a|b}{x|y}')).toEqual(['1ax', '1ay', '1bx', '1by', '2ax', '2ay', '2bx', '2by']);
  });

  it('returns one expansion with no bindings for a plain prompt', () => {
    expect(expandTemplate('a quiet lake at dawn')).toEqual([{ text: 'a quiet lake at dawn', bindings: [] }]);
  });

  it('expands nested groups, binding the outer choice before the inner one', () => {
    expect(expandTemplate('{a {x|y}|b}')).toEqual([
      { text: 'a x', bindings: ['a x', 'x'] },
      { text: 'a y', bindings: ['a y', 'y'] },
      { text: 'b', bindings: ['b'] },
    ]);
    expect(texts('cat, {sitting {on a {mat|rug}}|sleeping}')).toEqual([
      'cat, sitting on a mat',
      'cat, sitting on a rug',
      'cat, sleeping',
    ]);
  });

  it('allows empty alternatives and folds the doubled spaces they leave', () => {
    expect(expandTemplate('a {|very } big {|red }dog')).toEqual([
      { text: 'a big dog', bindings: ['', ''] },
      { text: 'a big red dog', bindings: ['', 'red'] },
      { text: 'a very big dog', bindings: ['very', ''] },
      { text: 'a very big red dog', bindings: ['very', 'red'] },
    ]);
    expect(texts('{|an }apple')).toEqual(['apple', 'an apple']);
    expect(texts('  {x|} ')).toEqual(['x', '']);
  });

  it('leaves no stray space or comma where an empty alternative stood next to punctuation', () => {
    expect(texts('skyline {|at night}, cinematic')).toEqual([
      'skyline, cinematic',
      'skyline at night, cinematic',
    ]);
    expect(texts('skyline, {|at night}')).toEqual(['skyline', 'skyline, at night']);
    expect(texts('{|小猫}，油画')).toEqual(['油画', '小猫，油画']);
  });

  it('reads escapes as literal characters and a bare | outside braces as text', () => {
    expect(texts('\\{not a group\\} a|b')).toEqual(['{not a group} a|b']);
    expect(texts('{p\\|q|r}')).toEqual(['p|q', 'r']);
    expect(texts('{x\\}|y}')).toEqual(['x}', 'y']);
    expect(texts('back\\\\slash')).toEqual(['back\\slash']);
    // A backslash before anything else stays, so ordinary backslashes in a prompt survive.
    expect(texts('C:\\temp {a|b}')).toEqual(['C:\\temp a', 'C:\\temp b']);
  });

  it('keeps Chinese text and counts columns in characters', () => {
    expect(texts('一只{猫|狗}在草地上')).toEqual(['一只猫在草地上', '一只狗在草地上']);
    expect(templateError(() => expandTemplate('🦊 狐狸 {a|b')).column).toBe(6);
  });

  it('reports an unclosed brace with its column and what to do', () => {
    const err = templateError(() => expandTemplate('a red {car|boat'));
    expect(err.column).toBe(7);
    expect(err.message).toBe("unclosed '{' at column 7 — close it or escape it as \\{");
  });

  it('reports the outer brace when only the outer group is left open', () => {
    const err = templateError(() => expandTemplate('{a|b {x|y}'));
    expect(err.column).toBe(1);
  });

  it('reports a stray closing brace with its column', () => {
    const err = templateError(() => expandTemplate('a {b|c}} d'));
    expect(err.column).toBe(8);
    expect(err.message).toContain("unmatched '}' at column 8");
    expect(err.message).toContain('\\}');
  });

  it('refuses a template past the cap with the count and the limit', () => {
    // 4 × 4 × 4 × 4 × 4 × 4 × 3 = 12,288
    const template = '{a|b|c|d} '.repeat(6) + '{x|y|z}';
    const err = templateError(() => expandTemplate(template));
    expect(err.message).toBe(
      'this template expands to 12,288 prompts; the limit is 10,000 — split it or remove alternatives',
    );
    expect(expandTemplate(template, { cap: 12_288 })).toHaveLength(12_288);
  });

  it('honours a custom cap', () => {
    expect(() => expandTemplate('{a|b|c}', { cap: 2 })).toThrow(/expands to 3 prompts; the limit is 2/);
    expect(expandTemplate('{a|b}', { cap: 2 })).toHaveLength(2);
  });
});

describe('countExpansions', () => {
  it('multiplies groups and adds alternatives, nested included', () => {
    expect(countExpansions('plain')).toBe(1);
    expect(countExpansions('a {red|blue} {car|boat}')).toBe(4);
    expect(countExpansions('{a {x|y|z}|b}')).toBe(4);
    expect(countExpansions('{a|b} {c {d|e}|f}')).toBe(6);
    expect(countExpansions('{|very }big')).toBe(2);
  });

  it('counts without expanding: 2^20 and far beyond stay instant', () => {
    expect(countExpansions('{a|b} '.repeat(20))).toBe(2 ** 20);
    // 2^60 expansions could never be materialised; counting them must still work.
    expect(countExpansions('{a|b}'.repeat(60))).toBe(2 ** 60);
    expect(() => expandTemplate('{a|b} '.repeat(20))).toThrow(/1,048,576 prompts; the limit is 10,000/);
  });

  it('agrees with the number of expansions', () => {
    for (const t of ['{a|b}{c|d|e}', '{x {1|2}|y}{p|q}', 'no groups', '{|a}{|b}{|c}']) {
      expect(expandTemplate(t)).toHaveLength(countExpansions(t));
    }
  });

  it('throws the same syntax errors as expansion', () => {
    expect(() => countExpansions('{open')).toThrow(TemplateError);
    expect(() => countExpansions('close}')).toThrow(TemplateError);
  });
});
