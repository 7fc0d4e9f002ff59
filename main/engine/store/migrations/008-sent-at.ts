import type { Migration } from './types.ts';

// The "create sent" mark (issue 7): written, in the job's `submitting` row, the moment its create is about
// to be written to the network. After a crash only marked jobs are looked for in the running list; a job
// claimed but never marked never left the process and is simply queued again.
export const migration: Migration = {
  version: 8,
  name: 'sent-at',
  sql: `
ALTER TABLE jobs ADD COLUMN sent_at INTEGER;
`,
};
