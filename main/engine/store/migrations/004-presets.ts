import type { Migration } from './types.ts';

// Presets (issue 9): named parameter sets; at most one is the default.
export const migration: Migration = {
  version: 4,
  name: 'presets',
  sql: `
CREATE TABLE presets (
  name        TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
  preset_json TEXT    NOT NULL,
  is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX presets_one_default ON presets(is_default) WHERE is_default = 1;
`,
};
