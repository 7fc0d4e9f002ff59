import type { Migration } from './types.ts';

// Times are integer milliseconds since the epoch; JSON columns hold zod-validated shapes from shared/.
export const migration: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE batches (
  id                INTEGER PRIMARY KEY,
  name              TEXT    NOT NULL,
  model             TEXT    NOT NULL,
  spec_json         TEXT    NOT NULL,
  total_jobs        INTEGER NOT NULL,
  total_images      INTEGER NOT NULL,
  credits_per_image REAL    NOT NULL,
  max_credits       INTEGER,
  status            TEXT    NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'paused', 'canceled', 'done')),
  pause_reason      TEXT,
  created_at        INTEGER NOT NULL,
  finished_at       INTEGER
);

CREATE TABLE jobs (
  id             INTEGER PRIMARY KEY,
  batch_id       INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
  seq            INTEGER NOT NULL,
  state          TEXT    NOT NULL CHECK (state IN
                   ('queued','paused','submitting','running','downloading','done','failed','canceled','uncertain')),
  model          TEXT    NOT NULL,
  prompt         TEXT    NOT NULL,
  input_json     TEXT    NOT NULL,
  ref_hashes     TEXT    NOT NULL DEFAULT '[]',
  template       TEXT    NOT NULL,
  bindings_json  TEXT    NOT NULL DEFAULT '[]',
  origin         TEXT,
  num_images     INTEGER NOT NULL,
  remote_id      TEXT    UNIQUE,
  remote_status  TEXT,
  result_json    TEXT,
  actual_prompt  TEXT,
  usage_json     TEXT,
  credits        INTEGER,
  attempts       INTEGER NOT NULL DEFAULT 0,
  download_attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  error_class    TEXT,
  error_code     TEXT,
  error_message  TEXT,
  created_at     INTEGER NOT NULL,
  submitted_at   INTEGER,
  accepted_at    INTEGER,
  completed_at   INTEGER,
  updated_at     INTEGER NOT NULL,
  UNIQUE (batch_id, seq)
);
CREATE INDEX jobs_by_state ON jobs(state, next_attempt_at, id);
CREATE INDEX jobs_by_batch ON jobs(batch_id, state);

CREATE TABLE job_events (
  id         INTEGER PRIMARY KEY,
  job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at         INTEGER NOT NULL,
  from_state TEXT,
  to_state   TEXT    NOT NULL,
  detail     TEXT
);
CREATE INDEX job_events_by_job ON job_events(job_id, id);

CREATE TABLE assets (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  batch_id    INTEGER REFERENCES batches(id) ON DELETE SET NULL,
  idx         INTEGER NOT NULL DEFAULT 0,
  sha256      TEXT    NOT NULL,
  path        TEXT    NOT NULL,
  bytes       INTEGER NOT NULL,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  format      TEXT    NOT NULL,
  prompt      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (job_id, idx)
);
CREATE INDEX assets_by_sha ON assets(sha256);
CREATE INDEX assets_by_created ON assets(created_at DESC, id DESC);
CREATE INDEX assets_by_batch ON assets(batch_id, created_at DESC);

CREATE TABLE refs (
  sha256     TEXT PRIMARY KEY,
  path       TEXT    NOT NULL,
  file_name  TEXT    NOT NULL,
  mime       TEXT    NOT NULL,
  bytes      INTEGER NOT NULL,
  width      INTEGER NOT NULL,
  height     INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE queue_state (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  paused        INTEGER NOT NULL DEFAULT 0,
  pause_reason  TEXT,
  pause_message TEXT,
  updated_at    INTEGER NOT NULL
);
INSERT INTO queue_state (id, paused, updated_at) VALUES (1, 0, 0);

CREATE TABLE runner_lease (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  owner        TEXT    NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT    NOT NULL,
  acquired_at  INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  released     INTEGER NOT NULL DEFAULT 0
);
`,
};
