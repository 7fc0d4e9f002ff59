import type { DB } from './db.ts';

/** Key/value settings stored as JSON; callers validate values with the settings schema. */
export class SettingsStore {
  private readonly db: DB;
  constructor(db: DB) {
    this.db = db;
  }

  all(): Record<string, unknown> {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  }

  set(values: Record<string, unknown>): void {
    const put = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) if (v !== undefined) put.run(k, JSON.stringify(v));
    })();
  }
}
