// "Pick the best" scores from the command line: `search --sort best` lists the best first with their score,
// `--json` carries it, and an export's metadata has it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Studio } from '../../main/engine/studio.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/tmp.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let dir: string;
let cleanup: () => void;
let dataDir: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('qs-cli-ranking-'));
  dataDir = join(dir, 'data');
  const studio = new Studio({ dataDir, apiKey: null });
  const add = (prompt: string, i: number) => {
    const path = join(dataDir, 'library', `img-${i}.png`);
    writeFileSync(path, `image ${i}`);
    return internalsOf(studio).stores.assets.add({
      jobId: null,
      batchId: null,
      idx: 0,
      sha256: `sha-${i}`,
      path,
      bytes: 7,
      width: 64,
      height: 64,
      format: 'png',
      prompt,
      createdAt: Date.UTC(2026, 10, 1) + i * 1000,
      source: 'imported',
    });
  };
  const [kite, fox, owl] = ['a red kite', 'a red fox', 'an owl'].map(add) as [number, number, number];
  studio.ranking.choose(fox, kite);
  studio.ranking.choose(fox, owl);
  studio.ranking.choose(owl, kite);
  await studio.close();
});
afterAll(() => cleanup());

const cli = (args: string[]) => runCliInProcess([...args, '--data-dir', dataDir]);

describe('qwen-studio and the ranking', () => {
  it('search --sort best lists the best first with its score and comparisons', async () => {
    const r = await cli(['search', '--sort', 'best']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.map((l) => l.split('\t').at(-1))).toEqual(['a red fox', 'an owl', 'a red kite']);
    expect(lines[0]).toMatch(/\tscore 15\d\d \(2 comparisons\)\t/);
    const filtered = await cli(['search', 'red', '--sort', 'best']);
    expect(filtered.out.split('\n').map((l) => l.split('\t').at(-1))).toEqual(['a red fox', 'a red kite']);
    const json = JSON.parse((await cli(['search', '--sort', 'best', '--json'])).out) as {
      rows: { prompt: string; score: number; comparisons: number }[];
    };
    expect(json.rows[0]).toMatchObject({ prompt: 'a red fox', comparisons: 2 });
    expect(json.rows[0]!.score).toBeGreaterThan(1500);
    const wrong = await cli(['search', '--sort', 'elo']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/best/);
  });

  it('an export carries each image score and comparisons in metadata.jsonl', async () => {
    const out = join(dir, 'export');
    const r = await cli(['export', 'red', '--out', out]);
    expect(r.code).toBe(0);
    const lines = readFileSync(join(out, 'metadata.jsonl'), 'utf8').trim().split('\n');
    const rows = lines.map((l) => JSON.parse(l) as { prompt: string; score: number; comparisons: number });
    const fox = rows.find((x) => x.prompt === 'a red fox')!;
    expect(fox.comparisons).toBe(2);
    expect(fox.score).toBeGreaterThan(1500);
    expect(readFileSync(join(out, 'metadata.csv'), 'utf8')).toMatch(/score,comparisons/);
    expect(readdirSync(out)).toContain('img-1.png');
  });
});
