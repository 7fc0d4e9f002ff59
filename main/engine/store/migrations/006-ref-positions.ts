import type { Migration } from './types.ts';

// Reference order (issue 7): each local reference file's place among all of a job's references, files and
// URLs mixed, as a JSON array parallel to ref_hashes. NULL for jobs stored before: their files were sent
// before their URLs, and still are.
export const migration: Migration = {
  version: 6,
  name: 'ref-positions',
  sql: `
ALTER TABLE jobs ADD COLUMN ref_positions TEXT;
`,
};
