import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../main/engine/store/migrations/index.ts';
import { DatabaseVersionError, MigrationChecksumError, openDatabase } from '../../main/engine/store/db.ts';
import { JobStore } from '../../main/engine/store/jobs.ts';
import { tempDir } from '../helpers/tmp.ts';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

function freshPath(): string {
  const t = tempDir();
  cleanup = t.cleanup;
  return join(t.dir, 'studio.db');
}

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('001 creates every table with WAL and the singleton rows', () => {
    const path = freshPath();
    const db = openDatabase(path);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    for (const t of [
      'batches',
      'jobs',
      'job_events',
      'assets',
      'refs',
      'settings',
      'queue_state',
      'runner_lease',
      'schema_migrations',
    ]) {
      expect(tables).toContain(t);
    }
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT paused FROM queue_state WHERE id = 1').get()).toEqual({ paused: 0 });
    // The state column refuses anything outside the state machine.
    db.prepare(
      "INSERT INTO batches (name, model, spec_json, total_jobs, total_images, credits_per_image, created_at) VALUES ('b','m','{}',1,1,20,0)",
    ).run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO jobs (batch_id, seq, state, model, prompt, input_json, template, num_images, created_at, updated_at) VALUES (1,1,'bogus','m','p','{}','p',1,0,0)",
        )
        .run(),
    ).toThrow(/CHECK/);
    db.close();
  });

  it('reopening applies nothing twice and keeps data', () => {
    const path = freshPath();
    let db = openDatabase(path);
    db.prepare("INSERT INTO settings (key, value) VALUES ('theme', '\"dark\"')").run();
    db.close();
    db = openDatabase(path);
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: MIGRATIONS.length });
    expect(db.prepare("SELECT value FROM settings WHERE key = 'theme'").get()).toEqual({ value: '"dark"' });
    db.close();
  });

  it('006: a job stored before reference positions were kept still sends its files first', () => {
    const path = freshPath();
    const old = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version < 6) });
    old
      .prepare(
        `INSERT INTO batches (id, name, model, spec_json, total_jobs, total_images, credits_per_image, created_at)
         VALUES (1, 'old', 'qwen/qwen-image-2', '{}', 1, 1, 20, 0)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO jobs (batch_id, seq, state, model, prompt, input_json, ref_hashes, template, num_images, created_at, updated_at)
         VALUES (1, 1, 'queued', 'qwen/qwen-image-2', 'p', ?, ?, 'p', 1, 0, 0)`,
      )
      .run(
        JSON.stringify({ prompt: 'p', image_urls: ['https://x.test/u.png'] }),
        JSON.stringify(['aa', 'bb']),
      );
    old.close();
    const db = openDatabase(path);
    expect(new JobStore(db).get(1)?.refPositions).toEqual([0, 1]);
    db.close();
  });

  it('an older build refuses a newer database without changing it', () => {
    const path = freshPath();
    openDatabase(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.prepare("INSERT INTO settings (key, value) VALUES ('k', '1')").run();
    raw.close();
    expect(() => openDatabase(path)).toThrow(DatabaseVersionError);
    expect(() => openDatabase(path)).toThrow(/newer Qwen Studio/);
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    expect(check.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: '1' });
    check.close();
  });

  it('an applied migration edited afterwards is detected', () => {
    const path = freshPath();
    openDatabase(path).close();
    const edited = MIGRATIONS.map((m) => (m.version === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    expect(() => openDatabase(path, { migrations: edited })).toThrow(MigrationChecksumError);
  });

  it('a later migration applies on top of existing data in one transaction', () => {
    const path = freshPath();
    openDatabase(path).close();
    const next = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'test', sql: 'ALTER TABLE refs ADD COLUMN note TEXT;' },
    ];
    const db = openDatabase(path, { migrations: next });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    db.close();
    const broken = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'bad', sql: 'CREATE TABLE x (a); SELECT * FROM nope;' },
    ];
    const path2 = freshPath();
    openDatabase(path2).close();
    expect(() => openDatabase(path2, { migrations: broken })).toThrow(/nope/);
    const after = new Database(path2);
    // Rolled back whole: no half-applied table, version unchanged.
    expect(after.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'x'").get()).toEqual({ n: 0 });
    expect(after.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    after.close();
  });
});
