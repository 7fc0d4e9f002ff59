import { describe, expect, it } from 'vitest';
import {
  describeQuerySyntax,
  parseDateValue,
  parseQuery,
  QUERY_SYNTAX,
  type Filter,
} from '../../main/engine/search/query.ts';
import type { QueryResolver } from '../../main/engine/search/search-compile.ts';
import { buildSearchSql } from '../../main/engine/search/search-sql.ts';

// Wednesday 2026-11-18 15:30 local time.
const NOW = new Date(2026, 10, 18, 15, 30).getTime();
const p = (text: string) => parseQuery(text, { now: NOW });
const filters = (text: string): Filter[] => p(text).filters;

const resolver: QueryResolver = {
  tagId: (name) => (name.toLowerCase() === 'portrait' ? 7 : null),
  batchIds: (ref) => ('id' in ref ? [ref.id] : ref.name === 'summer' ? [3, 4] : []),
  collectionIds: (ref) => ('id' in ref ? [ref.id] : [9]),
  models: (text) => ['qwen/qwen-image-2', 'qwen/qwen-image-2-pro'].filter((m) => m.includes(text)),
  completions: () => null,
  span: () => null,
  tagsMatching: () => [],
  links: () => 0,
  flagged: () => 0,
};

describe('parseQuery: text', () => {
  it('splits bare words and keeps quoted phrases whole', () => {
    const q = p('red car "golden hour" 红色汽车');
    expect(q.terms).toEqual([
      { text: 'red', phrase: false },
      { text: 'car', phrase: false },
      { text: 'golden hour', phrase: true },
      { text: '红色汽车', phrase: false },
    ]);
    expect(q.excluded).toEqual([]);
    expect(q.filters).toEqual([]);
    expect(q.warnings).toEqual([]);
  });

  it('reads -word and -"phrase" as exclusions, and ignores a lone dash', () => {
    const q = p('cat -dog -"oil painting" - −blurry');
    expect(q.terms).toEqual([{ text: 'cat', phrase: false }]);
    expect(q.excluded).toEqual([
      { text: 'dog', phrase: false },
      { text: 'oil painting', phrase: true },
      { text: 'blurry', phrase: false },
    ]);
  });

  it('keeps inner dashes and colons that are not operators', () => {
    const q = p('sci-fi 16:9 10:30 https://example.com/x');
    expect(q.terms.map((t) => t.text)).toEqual(['sci-fi', '16:9', '10:30', 'https://example.com/x']);
    expect(q.filters).toEqual([]);
  });

  it('accepts curly and corner quotes for phrases', () => {
    expect(p('“红色 汽车” 「水彩 风格」').terms).toEqual([
      { text: '红色 汽车', phrase: true },
      { text: '水彩 风格', phrase: true },
    ]);
  });

  it('searches an unclosed quote as a phrase to the end, with a warning', () => {
    const q = p('cat "golden hour');
    expect(q.terms).toEqual([
      { text: 'cat', phrase: false },
      { text: 'golden hour', phrase: true },
    ]);
    expect(q.warnings).toHaveLength(1);
    expect(q.warnings[0]).toMatch(/not closed/);
  });

  it('treats unknown key:value as text, silently', () => {
    const q = p('style:ghibli foo:"bar baz"');
    expect(q.terms.map((t) => t.text)).toEqual(['style:ghibli', 'foo:"bar baz"']);
    expect(q.filters).toEqual([]);
    expect(q.warnings).toEqual([]);
  });

  it('never throws on odd input', () => {
    for (const s of [
      '',
      '   ',
      '"',
      '""',
      '-',
      '--',
      '-"',
      'tag:',
      'tag:""',
      ':',
      '::::',
      'a"b"c',
      '\u0000',
      '"\\"',
      '((',
      'NEAR(a b)',
      '*',
      '^x',
    ]) {
      expect(() => p(s)).not.toThrow();
    }
    expect(p('').terms).toEqual([]);
    expect(p('tag:').terms.map((t) => t.text)).toEqual(['tag:']);
  });
});

describe('parseQuery: operators', () => {
  it('tag:, -tag:, quoted tag names', () => {
    expect(filters('tag:portrait -tag:draft tag:"old  town"')).toEqual([
      { kind: 'tag', name: 'portrait', negate: false },
      { kind: 'tag', name: 'draft', negate: true },
      { kind: 'tag', name: 'old town', negate: false },
    ]);
  });

  it('batch: by name or #id, collection: likewise', () => {
    expect(filters('batch:summer batch:#12 -batch:#3 collection:"best of" col:#4')).toEqual([
      { kind: 'batch', ref: { name: 'summer' }, negate: false },
      { kind: 'batch', ref: { id: 12 }, negate: false },
      { kind: 'batch', ref: { id: 3 }, negate: true },
      { kind: 'collection', ref: { name: 'best of' }, negate: false },
      { kind: 'collection', ref: { id: 4 }, negate: false },
    ]);
  });

  it('ar: ratios in several spellings, lists and orientations', () => {
    expect(filters('ar:16:9 ar:4x3 ar:9/16,1:1 ar:portrait -ar:square')).toEqual([
      { kind: 'ar', value: '16:9', negate: false },
      { kind: 'ar', value: '4:3', negate: false },
      { kind: 'ar', value: '9:16', negate: false },
      { kind: 'ar', value: '1:1', negate: false },
      { kind: 'orientation', value: 'portrait', negate: false },
      { kind: 'orientation', value: 'square', negate: true },
    ]);
  });

  it('format: normalizes jpg and lists', () => {
    expect(filters('format:png format:JPG,webp -format:gif')).toEqual([
      { kind: 'format', value: 'png', negate: false },
      { kind: 'format', value: 'jpeg', negate: false },
      { kind: 'format', value: 'webp', negate: false },
      { kind: 'format', value: 'gif', negate: true },
    ]);
  });

  it('fav, rejected and their negations, bare or with is:', () => {
    expect(filters('fav -fav rejected -rejected is:favorite -is:rejected')).toEqual([
      { kind: 'favorite', negate: false },
      { kind: 'favorite', negate: true },
      { kind: 'rejected', negate: false },
      { kind: 'rejected', negate: true },
      { kind: 'favorite', negate: false },
      { kind: 'rejected', negate: true },
    ]);
  });

  it('a quoted "fav" is text, not the operator', () => {
    const q = p('"fav"');
    expect(q.filters).toEqual([]);
    expect(q.terms).toEqual([{ text: 'fav', phrase: true }]);
  });

  it('rating with every comparison', () => {
    expect(filters('rating>=4 rating>1 rating<=3 rating<5 rating=2 rating:0 rating:>=3')).toEqual([
      { kind: 'rating', op: '>=', value: 4 },
      { kind: 'rating', op: '>', value: 1 },
      { kind: 'rating', op: '<=', value: 3 },
      { kind: 'rating', op: '<', value: 5 },
      { kind: 'rating', op: '=', value: 2 },
      { kind: 'rating', op: '=', value: 0 },
      { kind: 'rating', op: '>=', value: 3 },
    ]);
  });

  it('before: and after: with dates, today, yesterday and relative spans (local days)', () => {
    expect(filters('after:2026-11-01 before:2026/12/01')).toEqual([
      { kind: 'after', at: new Date(2026, 10, 1).getTime() },
      { kind: 'before', at: new Date(2026, 11, 1).getTime() },
    ]);
    expect(filters('after:today')).toEqual([{ kind: 'after', at: new Date(2026, 10, 18).getTime() }]);
    expect(filters('before:yesterday')).toEqual([{ kind: 'before', at: new Date(2026, 10, 17).getTime() }]);
    expect(filters('after:7d')).toEqual([{ kind: 'after', at: NOW - 7 * 86_400_000 }]);
    expect(filters('after:2w')).toEqual([{ kind: 'after', at: NOW - 14 * 86_400_000 }]);
    expect(filters('after:2026-11')).toEqual([{ kind: 'after', at: new Date(2026, 10, 1).getTime() }]);
    expect(filters('on:2026-11-05')).toEqual([
      { kind: 'after', at: new Date(2026, 10, 5).getTime() },
      { kind: 'before', at: new Date(2026, 10, 6).getTime() },
    ]);
  });

  it('seed:, model:, source:', () => {
    expect(filters('seed:42 -seed:7 model:Pro source:imported -source:generated is:imported')).toEqual([
      { kind: 'seed', value: 42, negate: false },
      { kind: 'seed', value: 7, negate: true },
      { kind: 'model', text: 'pro', negate: false },
      { kind: 'source', value: 'imported', negate: false },
      { kind: 'source', value: 'generated', negate: true },
      { kind: 'source', value: 'imported', negate: false },
    ]);
  });

  it('keys are case-insensitive', () => {
    expect(filters('TAG:x Format:PNG')).toEqual([
      { kind: 'tag', name: 'x', negate: false },
      { kind: 'format', value: 'png', negate: false },
    ]);
  });
});

describe('parseQuery: malformed operator values', () => {
  it.each([
    ['rating>=9', /rating/],
    ['rating>=high', /rating/],
    ['before:someday', /before:/],
    ['after:2026-02-31', /after:/],
    ['seed:-5x', /seed:/],
    ['seed:99999999999', /seed:/],
    ['ar:wide-ish', /ar:/],
    ['format:tiff', /format:/],
    ['source:web', /source:/],
  ])('%s is searched as text, with a warning', (text, warning) => {
    const q = p(text);
    expect(q.filters).toEqual([]);
    expect(q.terms.map((t) => t.text)).toEqual([text]);
    expect(q.warnings).toHaveLength(1);
    expect(q.warnings[0]).toMatch(warning);
  });

  it('a dash before a rating is dropped with a warning', () => {
    const q = p('-rating>=4');
    expect(q.filters).toEqual([{ kind: 'rating', op: '>=', value: 4 }]);
    expect(q.warnings).toHaveLength(1);
  });
});

describe('parseDateValue', () => {
  it('rejects impossible dates rather than rolling over', () => {
    expect(parseDateValue('2026-02-29', NOW)).toBeNull();
    expect(parseDateValue('2028-02-29', NOW)).toBe(new Date(2028, 1, 29).getTime());
    expect(parseDateValue('2026-13-01', NOW)).toBeNull();
  });
  it('months and years back keep the time of day', () => {
    expect(parseDateValue('1m', NOW)).toBe(new Date(2026, 9, 18, 15, 30).getTime());
    expect(parseDateValue('1y', NOW)).toBe(new Date(2025, 10, 18, 15, 30).getTime());
  });
});

describe('buildSearchSql', () => {
  it('keeps user text out of the SQL: it travels only as the bound MATCH parameter, quoted', () => {
    const evil = `x"y'); DROP TABLE assets; -- OR 1=1 NEAR( *`;
    const sql = buildSearchSql(p(evil), { resolve: resolver });
    for (const s of [sql.pageSql, sql.countSql, sql.idsSql]) {
      expect(s).not.toContain('DROP');
      expect(s).not.toContain('1=1');
    }
    expect(sql.params.match).toContain('DROP');
    // Every double quote the person typed is doubled inside an FTS5 string, so it cannot end the string.
    expect(String(sql.params.match)).toContain('""');
  });

  it('relevance needs text; a filter-only query sorts newest first either way', () => {
    expect(buildSearchSql(p('cat'), { sort: 'relevance', resolve: resolver }).ranked).toBe(true);
    expect(buildSearchSql(p('fav rating>=4'), { sort: 'relevance', resolve: resolver }).ranked).toBe(false);
  });
});

describe('describeQuerySyntax', () => {
  it('documents every operator the parser knows', () => {
    const help = describeQuerySyntax();
    for (const op of [
      '"',
      '-',
      'tag:',
      'batch:',
      'collection:',
      'ar:',
      'format:',
      'fav',
      'rejected',
      'rating>=',
      'before:',
      'after:',
      'seed:',
      'model:',
      'source:',
    ]) {
      expect(help).toContain(op);
    }
    // And every documented example parses without a warning.
    for (const e of QUERY_SYNTAX)
      for (const ex of e.syntax.split(/\s{2,}| \/ /)) expect(p(ex).warnings).toEqual([]);
  });
});
