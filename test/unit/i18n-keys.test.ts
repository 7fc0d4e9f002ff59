// The UI's two languages stay complete: every key the renderer uses exists in English and Chinese (with
// the plural forms each language needs and the same {{placeholders}}), no key is left unused, and every row
// of the engine's search-syntax help has its Chinese line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUERY_SYNTAX } from '../../main/engine/search/query.ts';

const ROOT = path.resolve(import.meta.dirname, '../../renderer/src');
type Tree = { [key: string]: string | Tree };
const load = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'i18n', name), 'utf8')) as Tree;

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const base = (key: string) => key.replace(PLURAL, '');
const placeholders = (text: string) =>
  [...text.matchAll(/\{\{\s*([\w]+)/g)].map((m) => m[1]!).sort((a, b) => a.localeCompare(b));

// Batch power keeps its strings in *.power.json, compare and pick the best in *.compare.json, merged into
// the same namespace.
const en = flatten({ ...load('en.json'), ...load('en.power.json'), ...load('en.compare.json') });
const zh = flatten({ ...load('zh-CN.json'), ...load('zh-CN.power.json'), ...load('zh-CN.compare.json') });

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) ? [readFileSync(p, 'utf8')] : [];
  });
}
const code = sources(ROOT).join('\n');
const CALL = String.raw`\b(?:t|tr|translate|i18n\.t)\(\s*`;
const literal = new Set([...code.matchAll(new RegExp(`${CALL}'([\\w.\\-]+)'`, 'g'))].map((m) => m[1]!));
const prefixes = [...code.matchAll(new RegExp(`${CALL}\`([\\w.\\-]*)\\$\\{`, 'g'))].map((m) => m[1]!);

describe('UI translations', () => {
  it('has every key in both languages, with the plural forms each language needs', () => {
    const enBases = new Set([...en.keys()].map(base));
    const zhBases = new Set([...zh.keys()].map(base));
    expect([...enBases].filter((k) => !zhBases.has(k))).toEqual([]);
    expect([...zhBases].filter((k) => !enBases.has(k))).toEqual([]);
    for (const key of en.keys()) {
      if (key.endsWith('_one')) expect(en.has(key.replace(/_one$/, '_other')), key).toBe(true);
      if (key.endsWith('_other')) {
        expect(en.has(key.replace(/_other$/, '_one')), key).toBe(true);
        expect(zh.has(key), `${key} in Chinese`).toBe(true);
      }
      if (!PLURAL.test(key)) expect(zh.has(key), `${key} in Chinese`).toBe(true);
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const [key, text] of zh) {
      const english = en.get(key) ?? en.get(key.replace(/_other$/, '_one'));
      expect(placeholders(text), key).toEqual(placeholders(english ?? ''));
    }
  });

  it('finds every key the renderer asks for, and leaves none unused', () => {
    expect(literal.size).toBeGreaterThan(300);
    const bases = new Set([...en.keys()].map(base));
    expect([...literal].filter((k) => !bases.has(k))).toEqual([]);
    const unused = [...bases].filter((k) => !literal.has(k) && !prefixes.some((p) => p && k.startsWith(p)));
    expect(unused).toEqual([]);
  });

  it('translates every row of the search-syntax help, and nothing else', () => {
    const syntax = JSON.parse(readFileSync(path.join(ROOT, 'i18n', 'zh-CN.syntax.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(Object.keys(syntax).sort()).toEqual(QUERY_SYNTAX.map((e) => e.syntax).sort());
  });
});
