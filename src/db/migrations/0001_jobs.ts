/** Jobs, their event log and instance metadata. */
export const sql = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE jobs (
  id                 INTEGER PRIMARY KEY,      -- public id: a FLUID, or the backend's own id
  owner              TEXT    NOT NULL,
  userid             INTEGER NOT NULL DEFAULT 0,
  name               TEXT    NOT NULL,
  command            TEXT    NOT NULL,         -- JSON array: argv
  spec               TEXT    NOT NULL,         -- JSON: the whole normalised request
  executor           TEXT    NOT NULL,
  backend_ref        TEXT,                     -- executor's handle (pid/pgid, step id, ...)
  state              TEXT    NOT NULL,
  result             TEXT,
  success            INTEGER,
  returncode         INTEGER,
  waitstatus         INTEGER,
  exception_occurred INTEGER,
  exception_type     TEXT,
  exception_severity INTEGER,
  exception_note     TEXT,
  urgency            INTEGER NOT NULL DEFAULT 16,
  priority           INTEGER,
  ntasks             INTEGER NOT NULL,
  ncores             INTEGER NOT NULL,
  nnodes             INTEGER,
  ngpus              INTEGER NOT NULL DEFAULT 0,
  duration           REAL    NOT NULL DEFAULT 0,
  cwd                TEXT,
  queue              TEXT,
  ranks              TEXT,
  nodelist           TEXT,
  expiration         REAL,
  t_submit           REAL    NOT NULL,
  t_depend           REAL,
  t_priority         REAL,
  t_sched            REAL,
  t_run              REAL,
  t_cleanup          REAL,
  t_inactive         REAL,
  search_text        TEXT    NOT NULL          -- what the search box matches (lower case)
) STRICT;

CREATE INDEX jobs_t_submit   ON jobs (t_submit DESC, id DESC);
CREATE INDEX jobs_state      ON jobs (state, t_submit DESC);
CREATE INDEX jobs_owner      ON jobs (owner, t_submit DESC);
CREATE INDEX jobs_name       ON jobs (name);
CREATE INDEX jobs_result     ON jobs (result);
CREATE INDEX jobs_returncode ON jobs (returncode);
CREATE INDEX jobs_t_run      ON jobs (t_run);
CREATE INDEX jobs_t_inactive ON jobs (t_inactive);
CREATE INDEX jobs_active     ON jobs (executor, state) WHERE state <> 'INACTIVE';

-- Substring search over names, commands, owners and ids: a trigram index keeps it fast at
-- hundreds of thousands of jobs (patterns of three characters or more).
CREATE VIRTUAL TABLE jobs_fts USING fts5(
  search_text, content='jobs', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO jobs_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
  INSERT INTO jobs_fts (jobs_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER jobs_fts_update AFTER UPDATE OF search_text ON jobs BEGIN
  INSERT INTO jobs_fts (jobs_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  INSERT INTO jobs_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

-- Each job's event log in Flux's vocabulary (submit, depend, priority, alloc, start,
-- exception, finish, release, free, clean, urgency, ...). seq is global so one stream of all
-- state changes can be resumed by position.
CREATE TABLE job_events (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id  INTEGER NOT NULL,
  t       REAL    NOT NULL,
  name    TEXT    NOT NULL,
  context TEXT
) STRICT;
CREATE INDEX job_events_job ON job_events (job_id, seq);
`;
