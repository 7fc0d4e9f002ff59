// Named presets in SQLite (migration 004): one row each, at most one marked default.
import {
  presetFileSchema,
  presetNameSchema,
  presetSchema,
  type NamedPreset,
  type Preset,
  type PresetFile,
} from '../../../shared/preset.ts';
import type { DB } from './db.ts';
import { StudioError } from '../errors.ts';

export class PresetError extends StudioError {
  constructor(message: string, code: 'INVALID_INPUT' | 'NOT_FOUND' = 'INVALID_INPUT') {
    super(code, message);
    this.name = 'PresetError';
  }
}

interface Row {
  name: string;
  preset_json: string;
  is_default: number;
  updated_at: number;
}

const toNamed = (r: Row): NamedPreset => ({
  name: r.name,
  preset: presetSchema.parse(JSON.parse(r.preset_json)),
  isDefault: r.is_default === 1,
  updatedAt: r.updated_at,
});

export class PresetStore {
  private readonly db: DB;
  constructor(db: DB) {
    this.db = db;
  }

  list(): NamedPreset[] {
    return (this.db.prepare('SELECT * FROM presets ORDER BY name COLLATE NOCASE').all() as Row[]).map(
      toNamed,
    );
  }

  get(name: string): NamedPreset {
    const row = this.db.prepare('SELECT * FROM presets WHERE name = ? COLLATE NOCASE').get(name.trim()) as
      Row | undefined;
    if (!row) {
      const known = this.list().map((p) => p.name);
      throw new PresetError(
        `There is no preset "${name}"` +
          (known.length ? ` (presets: ${known.join(', ')}).` : '; save one first.'),
      );
    }
    return toNamed(row);
  }

  defaultPreset(): NamedPreset | null {
    const row = this.db.prepare('SELECT * FROM presets WHERE is_default = 1').get() as Row | undefined;
    return row ? toNamed(row) : null;
  }

  /** Saves (or replaces) a preset; `isDefault` true makes it the only default. */
  save(name: string, preset: unknown, isDefault = false): NamedPreset {
    const n = presetNameSchema.parse(name);
    const p: Preset = presetSchema.parse(preset);
    this.db.transaction(() => {
      if (isDefault) this.db.prepare('UPDATE presets SET is_default = 0').run();
      this.db
        .prepare(
          `INSERT INTO presets (name, preset_json, is_default, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET preset_json = excluded.preset_json,
             is_default = MAX(excluded.is_default, presets.is_default), updated_at = excluded.updated_at`,
        )
        .run(n, JSON.stringify(p), isDefault ? 1 : 0, Date.now());
    })();
    return this.get(n);
  }

  /** Makes `name` the default preset, or (null) leaves none. */
  setDefault(name: string | null): void {
    this.db.transaction(() => {
      if (name !== null) this.get(name);
      this.db.prepare('UPDATE presets SET is_default = 0').run();
      if (name !== null)
        this.db.prepare('UPDATE presets SET is_default = 1 WHERE name = ? COLLATE NOCASE').run(name);
    })();
  }

  remove(name: string): void {
    const r = this.db.prepare('DELETE FROM presets WHERE name = ? COLLATE NOCASE').run(name.trim());
    if (r.changes === 0) this.get(name);
  }

  exportFile(): PresetFile {
    return {
      format: 'qwen-studio-presets',
      version: 1,
      presets: this.list().map((p) => ({ name: p.name, isDefault: p.isDefault, preset: p.preset })),
    };
  }

  /** Adds the presets of an exported file's text; the same rules as importFile. */
  importText(text: string): number {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new PresetError(
        'That file is not JSON — choose a file exported from Presets (qwen-studio presets export).',
      );
    }
    return this.importFile(data);
  }

  /** Adds the file's presets (a name already used is replaced); returns how many were read. */
  importFile(data: unknown): number {
    const parsed = presetFileSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PresetError(
        `Not a presets file: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'} — ` +
          'export one with qwen-studio presets export',
      );
    }
    this.db.transaction(() => {
      for (const p of parsed.data.presets) this.save(p.name, p.preset, p.isDefault);
    })();
    return parsed.data.presets.length;
  }
}
