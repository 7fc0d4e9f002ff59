import type { Migration } from './types.ts';

// "Pick the best" (issue 9): an Elo score and a comparison count per image (1500 and 0 until compared, so
// an image never compared sorts as average), the index "best first" reads, and a log of every choice
// (the scores it replaced, so the last one can be taken back).
export const migration: Migration = {
  version: 5,
  name: 'ranking',
  sql: `
ALTER TABLE assets ADD COLUMN score REAL NOT NULL DEFAULT 1500;
ALTER TABLE assets ADD COLUMN comparisons INTEGER NOT NULL DEFAULT 0 CHECK (comparisons >= 0);
CREATE INDEX assets_by_score ON assets(score DESC, sort_key) WHERE deleted_at IS NULL;

CREATE TABLE comparisons (
  id            INTEGER PRIMARY KEY,
  winner_id     INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  loser_id      INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  winner_before REAL    NOT NULL,
  loser_before  REAL    NOT NULL,
  winner_after  REAL    NOT NULL,
  loser_after   REAL    NOT NULL,
  at            INTEGER NOT NULL,
  undone_at     INTEGER
);
CREATE INDEX comparisons_by_winner ON comparisons(winner_id);
CREATE INDEX comparisons_by_loser ON comparisons(loser_id);
`,
};
