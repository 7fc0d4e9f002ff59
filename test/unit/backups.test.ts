import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKUPS_KEPT,
  BACKUP_EVERY_MS,
  backupCatalog,
  backupIfDue,
  checkCatalog,
  listBackups,
} from '../../main/engine/store/backups.ts';
import { openDatabase } from '../../main/engine/store/db.ts';
import { tempDir } from '../helpers/tmp.ts';

const DAY = BACKUP_EVERY_MS;
const T0 = Date.UTC(2026, 10, 1, 9, 30);
let cleanup: (() => void) | null = null;

function catalog() {
  const t = tempDir('qs-backups-');
  cleanup = t.cleanup;
  return { dir: t.dir, db: openDatabase(join(t.dir, 'studio.db')) };
}
afterEach(() => cleanup?.());

describe('catalog backups', () => {
  it('takes at most one a day and keeps the newest seven', async () => {
    const { dir, db } = catalog();
    expect((await backupIfDue(db, dir, T0))?.takenAt).toBe(T0);
    expect(await backupIfDue(db, dir, T0 + DAY - 1)).toBeNull();
    for (let d = 1; d <= 9; d++) expect(await backupIfDue(db, dir, T0 + d * DAY)).not.toBeNull();
    const kept = listBackups(dir);
    expect(kept.length).toBe(BACKUPS_KEPT);
    expect(kept.map((b) => b.takenAt)).toEqual(
      Array.from({ length: BACKUPS_KEPT }, (_, i) => T0 + (9 - i) * DAY),
    );
    db.close();
  });

  it('each backup is a complete catalog; a leftover temporary file is cleared', async () => {
    const { dir, db } = catalog();
    db.prepare("INSERT INTO settings (key, value) VALUES ('probe', '42')").run();
    await backupCatalog(db, dir, T0);
    writeFileSync(join(dir, 'backups', 'studio-2026-11-02T00-00-00-000Z.db.partial'), 'half a copy');
    const b = await backupCatalog(db, dir, T0 + DAY);
    expect(readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(checkCatalog(b.path).verdict).toBe('ok');
    const copy = openDatabase(b.path, { readonly: true });
    expect(copy.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe('42');
    copy.close();
    db.close();
  });

  it('check names a garbage file as damaged, with the way out', () => {
    const { dir, db } = catalog();
    db.close();
    const path = join(dir, 'garbage.db');
    writeFileSync(path, Buffer.alloc(8192, 7));
    const res = checkCatalog(path);
    expect(res.verdict).toBe('damaged');
    expect(res.lines.join('\n')).toMatch(/qwen-studio db restore.*qwen-studio library rebuild/s);
    expect(checkCatalog(join(dir, 'none.db')).verdict).toBe('missing');
  });
});
