import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeReference } from '../../main/engine/batch/refs.ts';
import {
  TEMP_PREFIX,
  tempPathFor,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../../main/engine/files/atomic-write.ts';
import { isTempName, sweepTempFiles } from '../../main/engine/files/temp-sweep.ts';
import { tempDir } from '../helpers/tmp.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('qs-atomic-')));
afterEach(() => cleanup());

describe('writeFileAtomic', () => {
  it('writes the whole file under its name and leaves no temporary file', async () => {
    const target = join(dir, 'sub', 'a.bin');
    await writeFileAtomic(target, Buffer.from('hello'));
    await writeFileAtomic(target, 'replaced');
    expect(readFileSync(target, 'utf8')).toBe('replaced');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.bin']);
  });

  it('a failed write leaves the old file and no temporary file', async () => {
    const target = join(dir, 'a.txt');
    writeFileSync(target, 'old');
    mkdirSync(join(dir, 'a.txt.blocker'));
    // Renaming onto a folder fails after the temporary file was written.
    await expect(writeFileAtomic(join(dir, 'a.txt.blocker'), 'new')).rejects.toThrow();
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter(isTempName)).toEqual([]);
  });

  it('the sync twin honours the mode (key files stay private)', () => {
    const target = join(dir, 'key.bin');
    writeFileAtomicSync(target, Buffer.from([1, 2, 3]), { mode: 0o600 });
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    if (process.platform !== 'win32') expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('a reference is stored through it', async () => {
    const refs = join(dir, 'refs');
    const data = Buffer.from('png-ish');
    const ref = {
      sha256: 'ab'.repeat(32),
      mime: 'image/png' as const,
      bytes: data.length,
      width: 1,
      height: 1,
    };
    const target = await storeReference(refs, { ...ref, fileName: 'a.png', data });
    expect(readFileSync(target)).toEqual(data);
    expect(readdirSync(refs)).toEqual([`${'ab'.repeat(32)}.png`]);
  });
});

describe('the start-up sweep', () => {
  it('removes every kind of temporary file any writer of ours can leave, and nothing else', () => {
    const plant = (rel: string) => {
      const p = join(dir, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, 'x');
      return p;
    };
    const temps = [
      // today's helper, in every folder it writes
      tempPathFor(join(dir, 'library', '2026-11', '1-0001-cat-0123456789.png')),
      tempPathFor(join(dir, 'library', 'imported', '2026-10', 'dog-0123456789.jpg')),
      tempPathFor(join(dir, 'refs', `${'cd'.repeat(32)}.png`)),
      tempPathFor(join(dir, 'thumbs', 'ab', `${'ab'.repeat(32)}-320.webp`)),
      tempPathFor(join(dir, 'window-state.json')),
    ].map((p) => plant(p.slice(dir.length + 1)));
    const legacy = [
      'library/2026-11/.partial-0011223344556677',
      'library/2026-11/.partial-meta-0011223344556677',
      'library/imported/2026-10/.partial-001122334455',
      `refs/${'ef'.repeat(32)}.png.4242.a1b2c3d4e5f6.tmp`,
      `thumbs/ab/.tmp-a1b2c3d4e5f6-${'ab'.repeat(32)}-320.webp`,
      'window-state.json.4242.tmp',
      'key.bin.4242.tmp',
      'backups/studio-2026-11-30T11-00-00-000Z.db.partial',
      '.studio.db.restoring.partial',
    ].map(plant);
    const kept = [
      'library/2026-11/1-0001-cat-0123456789.png',
      'library/imported/2026-10/dog-0123456789.jpg',
      `refs/${'cd'.repeat(32)}.png`,
      `thumbs/ab/${'ab'.repeat(32)}-320.webp`,
      'window-state.json',
      'studio.db',
      'studio.db-wal',
      'backups/studio-2026-11-29T11-00-00-000Z.db',
    ].map(plant);
    const removed = sweepTempFiles(dir);
    expect(removed.sort()).toEqual([...temps, ...legacy].sort());
    for (const p of [...temps, ...legacy]) expect(existsSync(p)).toBe(false);
    for (const p of kept) expect(existsSync(p)).toBe(true);
    expect(temps.every((p) => p.includes(TEMP_PREFIX))).toBe(true);
  });

  it('a data folder that does not exist yet is nothing to sweep', () => {
    expect(sweepTempFiles(join(dir, 'missing'))).toEqual([]);
  });

  it('runs when the scheduler starts, before anything is written', async () => {
    const { Studio } = await import('../../main/engine/studio.ts');
    const planted = join(dir, 'thumbs', '00', `${TEMP_PREFIX}left-behind.webp`);
    mkdirSync(join(planted, '..'), { recursive: true });
    writeFileSync(planted, 'x');
    const studio = new Studio({ dataDir: dir, apiKey: null });
    try {
      studio.start();
      expect(existsSync(planted)).toBe(false);
    } finally {
      await studio.close();
    }
  });
});
