// Issue 11 item 5: the CLI created the data folder 0755 and its files 0644, so prompts, notes and the
// catalog were readable by every local user. On POSIX the data folder is now 0700 and what we write 0600.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { Studio } from '../../main/engine/studio.ts';
import { internalsOf } from '../../main/engine/internals.ts';

const root = mkdtempSync(join(tmpdir(), 'qs-modes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe.skipIf(process.platform === 'win32')('private files', () => {
  it('the data folder is 0700 and the catalog, log and library files 0600', async () => {
    const src = join(root, 'src');
    mkdirSync(src);
    writeFileSync(
      join(src, 'a.png'),
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } })
        .png()
        .toBuffer(),
    );
    const dataDir = join(root, 'data');
    const studio = new Studio({ dataDir });
    try {
      const report = await studio.library.import(src);
      studio.log.info('hello');
      const asset = internalsOf(studio).library.get(report.ids[0]!)!;
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, 'studio.db'))).toBe(0o600);
      // SQLite creates its write-ahead log and shared-memory index with the database file's own mode.
      expect(mode(join(dataDir, 'studio.db-wal'))).toBe(0o600);
      expect(mode(join(dataDir, 'studio.db-shm'))).toBe(0o600);
      expect(mode(asset.path)).toBe(0o600);
    } finally {
      await studio.close();
    }
    expect(mode(join(dataDir, 'logs', 'studio.log'))).toBe(0o600);
  });

  it('an existing data folder that others could read is closed', async () => {
    const dataDir = join(root, 'old');
    mkdirSync(dataDir, { mode: 0o755 });
    const studio = new Studio({ dataDir });
    await studio.close();
    expect(mode(dataDir)).toBe(0o700);
  });
});
