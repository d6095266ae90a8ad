/**
 * Jobs, their event log and instance metadata.
 *
 * `jobs` holds only the scalar columns that listing, sorting and filtering touch, so scans and
 * sorts over hundreds of thousands of rows stay small; the submitted request (argv, spec with
 * env vars) lives in `job_specs`, and the text the search box matches in `job_search`, which a
 * trigram full-text index covers.
 */
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
  executor           TEXT    NOT NULL,
  backend_ref        TEXT,                     -- executor's handle (pids, step id, ...)
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
  t_inactive         REAL
) STRICT;

CREATE INDEX jobs_t_submit   ON jobs (t_submit DESC, id DESC);
CREATE INDEX jobs_state      ON jobs (state, t_submit DESC);
CREATE INDEX jobs_owner      ON jobs (owner, t_submit DESC);
CREATE INDEX jobs_name       ON jobs (name);
CREATE INDEX jobs_result     ON jobs (result, returncode);
CREATE INDEX jobs_returncode ON jobs (returncode);
CREATE INDEX jobs_t_run      ON jobs (t_run);
CREATE INDEX jobs_t_inactive ON jobs (t_inactive);
CREATE INDEX jobs_active     ON jobs (executor, state) WHERE state <> 'INACTIVE';

CREATE TABLE job_specs (
  id      INTEGER PRIMARY KEY,
  command TEXT NOT NULL,                       -- JSON array: argv
  spec    TEXT NOT NULL                        -- JSON: the whole normalised request
) STRICT;

-- Substring search over ids, names, commands, owners and working directories.
CREATE TABLE job_search (
  id   INTEGER PRIMARY KEY,
  text TEXT NOT NULL                           -- lower case
) STRICT;
CREATE VIRTUAL TABLE job_search_fts USING fts5(text, content='job_search', content_rowid='id', tokenize='trigram');
CREATE TRIGGER job_search_insert AFTER INSERT ON job_search BEGIN
  INSERT INTO job_search_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER job_search_delete AFTER DELETE ON job_search BEGIN
  INSERT INTO job_search_fts (job_search_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER job_search_update AFTER UPDATE OF text ON job_search BEGIN
  INSERT INTO job_search_fts (job_search_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO job_search_fts (rowid, text) VALUES (new.id, new.text);
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
