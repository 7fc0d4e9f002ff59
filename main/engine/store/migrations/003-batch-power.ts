import type { Migration } from './types.ts';

// Batch power (issue 9): a job remembers its sweep cell (the batch's axes are in its spec), and batches
// get a place in the queue and a priority, which the scheduler claims jobs by.
export const migration: Migration = {
  version: 3,
  name: 'batch-power',
  sql: `
ALTER TABLE jobs ADD COLUMN cell_json TEXT;
ALTER TABLE batches ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -2 AND 2);
ALTER TABLE batches ADD COLUMN queue_pos REAL;
UPDATE batches SET queue_pos = id;
`,
};
