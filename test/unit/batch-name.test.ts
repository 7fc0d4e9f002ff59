// Default batch names: short, readable, unique; renamable through the contract.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nameFromPrompt, uniqueName } from '../../shared/batch-name.ts';
import { createHandlers, dispatch } from '../../main/engine/handlers.ts';
import { Studio } from '../../main/engine/studio.ts';
import { internalsOf } from '../../main/engine/internals.ts';

describe('nameFromPrompt', () => {
  it('keeps the first few words, cut at a word boundary, without trailing punctuation', () => {
    expect(nameFromPrompt('a red sports car at sunset, cinematic lighting, 35mm')).toBe(
      'a red sports car at sunset',
    );
    expect(nameFromPrompt('teapot,   studio light')).toBe('teapot, studio light');
    expect(nameFromPrompt('  ')).toBe('Batch');
    expect(nameFromPrompt('x'.repeat(90))).toHaveLength(40);
  });

  it('cuts unspaced Chinese by characters', () => {
    expect(nameFromPrompt('一只红色的猫坐在窗台上，水彩风格，柔和的光线，高清细节')).toBe(
      '一只红色的猫坐在窗台上，水彩风格',
    );
  });
});

describe('uniqueName', () => {
  it('adds the first free suffix', () => {
    const taken = new Set(['cats', 'cats (2)']);
    expect(uniqueName('dogs', (n) => taken.has(n))).toBe('dogs');
    expect(uniqueName('cats', (n) => taken.has(n))).toBe('cats (3)');
  });
});

describe('batches as the engine names them', () => {
  const dirs: string[] = [];
  const studios: Studio[] = [];
  afterEach(async () => {
    while (studios.length) await studios.pop()!.close();
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  async function studio(): Promise<Studio> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'qs-names-'));
    dirs.push(dataDir);
    const s = new Studio({ dataDir, apiKey: null, apiBase: 'http://127.0.0.1:9/api' });
    studios.push(s);
    return s;
  }

  it('names an unnamed batch after its first expanded prompt, never the raw template, and keeps names unique', async () => {
    const s = await studio();
    const first = s.batches.create({
      name: '',
      entries: [{ prompt: '{red|blue} teapot on a {table|shelf}, studio light' }],
    });
    const second = s.batches.create({
      name: '',
      entries: [{ prompt: '{red|blue} teapot on a {table|shelf}, studio light' }],
    });
    const third = s.batches.create({ name: 'Spring catalogue', entries: [{ prompt: 'mug' }] });
    const fourth = s.batches.create({ name: 'Spring catalogue', entries: [{ prompt: 'mug' }] });
    const names = [first, second, third, fourth].map(
      (b) => internalsOf(s).stores.batches.get(b.batchId)!.name,
    );
    expect(names).toEqual([
      'red teapot on a table, studio',
      'red teapot on a table, studio (2)',
      'Spring catalogue',
      'Spring catalogue (2)',
    ]);
  });

  it('renames through batch.rename, refusing a name another batch has', async () => {
    const s = await studio();
    const handlers = createHandlers(s, {
      keyStore: { get: () => null, set: () => {}, clear: () => {}, kind: () => 'os' },
      version: '0.0.0',
    });
    const a = s.batches.create({ name: 'alpha', entries: [{ prompt: 'one' }] }).batchId;
    s.batches.create({ name: 'beta', entries: [{ prompt: 'two' }] });
    const renamed = (await dispatch(handlers, 'batch.rename', { id: a, name: '  gamma ' })) as {
      name: string;
    };
    expect(renamed.name).toBe('gamma');
    await expect(dispatch(handlers, 'batch.rename', { id: a, name: 'beta' })).rejects.toThrow(
      /already called “beta”/,
    );
  });
});
