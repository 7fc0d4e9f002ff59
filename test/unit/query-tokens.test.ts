// The search text is split by one tokenizer (shared/query-tokens.ts) for the engine's parser and the search
// box's filter chips. Before, each side had its own, and only the engine normalized to NFC: a tag typed in
// decomposed form ("cafe" + U+0301) was one tag to the engine and another to the chips.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../main/engine/search/query.ts';
import { getFilter, tokenize } from '../../renderer/src/library/query-text.ts';
import { tokenizeQuery } from '../../shared/query-tokens.ts';

const DECOMPOSED = 'cafe\u0301';

describe('one query tokenizer', () => {
  it('splits words, phrases, key:"values" and exclusions, with offsets into the text as given', () => {
    const text = `  red -"old town" tag:"a b" −fav ar:16:9 「猫 犬」`;
    expect(tokenizeQuery(text).map((t) => [t.raw, t.key, t.value, t.negate, t.quoted])).toEqual([
      ['red', null, 'red', false, false],
      ['-"old town"', null, 'old town', true, true],
      ['tag:"a b"', 'tag', 'a b', false, true],
      ['−fav', null, 'fav', true, false],
      ['ar:16:9', 'ar', '16:9', false, false],
      ['「猫 犬」', null, '猫 犬', false, true],
    ]);
    for (const t of tokenizeQuery(text)) expect(text.slice(t.start, t.end)).toBe(t.raw);
  });

  it('reports a quote left open', () => {
    expect(tokenizeQuery('tag:"old').map((t) => [t.key, t.value, t.unclosed])).toEqual([
      ['tag', 'old', true],
    ]);
    expect(parseQuery('"old town').warnings).toEqual([
      'A quote was not closed; searched for "old town" as a phrase.',
    ]);
  });

  it('the engine and the search box read a decomposed tag name as the same NFC name', () => {
    const text = `tag:${DECOMPOSED}`;
    const engineTag = parseQuery(text).filters[0];
    expect(engineTag).toEqual({ kind: 'tag', name: 'caf\u00e9', negate: false });
    expect(getFilter(text, 'tag')).toBe('caf\u00e9');
    // …while the chip still removes exactly what was typed.
    expect(tokenize(text)[0]).toMatchObject({ start: 0, end: text.length, kind: 'tag' });
  });
});
