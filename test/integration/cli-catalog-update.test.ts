// A catalog made by an earlier version is updated once when it is first opened, which on a large library
// takes long enough to look like a hang: the command line says so before it starts, and only then.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/engine/store/db.ts';
import { MIGRATIONS } from '../../main/engine/store/migrations/index.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/tmp.ts';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('qs-cli-update-')));
afterAll(() => cleanup());

const NOTICE = /Updating the library to this version of Qwen Studio\. This happens once/;

describe('opening a catalog from an earlier version', () => {
  it('says a one-time update is under way, then works; a current or new catalog says nothing', async () => {
    const dataDir = join(dir, 'old');
    const v9 = openDatabase(join(dataDir, 'studio.db'), {
      migrations: MIGRATIONS.filter((m) => m.version <= 9),
    });
    v9.exec(`INSERT INTO assets (id, job_id, batch_id, idx, sha256, path, bytes, width, height, format, prompt, created_at)
      VALUES (1, NULL, NULL, 0, 'aa', '/lib/1.png', 10, 1024, 1024, 'png', 'a paper kite', 1700000000000)`);
    v9.close();

    const first = await runCliInProcess(['search', 'kite', '--json', '--data-dir', dataDir]);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(NOTICE);
    expect(JSON.parse(first.out).rows.map((r: { id: number }) => r.id)).toEqual([1]);

    const again = await runCliInProcess(['search', 'kite', '--json', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.err).not.toMatch(NOTICE);

    const fresh = await runCliInProcess(['search', 'kite', '--json', '--data-dir', join(dir, 'new')]);
    expect(fresh.code, fresh.err).toBe(0);
    expect(fresh.err).not.toMatch(NOTICE);
  });
});
