/**
 * Tags and key/value metadata on jobs, hold reasons, job templates, and the state each job
 * event left its job in.
 *
 * Tags are (type, name) pairs as ClusterCockpit has them; both tag and metadata tables are
 * keyed by job first (a job's labels in one range read) and indexed by label (the jobs having
 * one, for filters). A hold remembers why, by whom, and the urgency to restore on release.
 * `job_events.state` lets a resumable event stream filter on state without replaying a job's
 * whole history; rows written before this migration have none and are derived from the event
 * name instead. Two indexes keep the listing fast at 100,000 jobs (owner+state+result filters,
 * sorting by name).
 */
export const sql = `
CREATE TABLE job_tags (
  job_id INTEGER NOT NULL,
  type   TEXT    NOT NULL,
  name   TEXT    NOT NULL,
  t      REAL    NOT NULL,                     -- when it was added
  PRIMARY KEY (job_id, type, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX job_tags_by_tag  ON job_tags (type, name, job_id);
CREATE INDEX job_tags_by_name ON job_tags (name, job_id);

CREATE TABLE job_metadata (
  job_id INTEGER NOT NULL,
  key    TEXT    NOT NULL,
  value  TEXT    NOT NULL,
  t      REAL    NOT NULL,                     -- when it was last set
  PRIMARY KEY (job_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX job_metadata_by_value ON job_metadata (key, value, job_id);

CREATE TABLE job_holds (
  job_id           INTEGER PRIMARY KEY,
  reason           TEXT    NOT NULL,
  held_by          TEXT    NOT NULL,
  t                REAL    NOT NULL,
  previous_urgency INTEGER NOT NULL           -- restored on release
) STRICT;

CREATE TABLE job_templates (
  name        TEXT    PRIMARY KEY,
  owner       TEXT    NOT NULL,
  shared      INTEGER NOT NULL DEFAULT 0,    -- 1: every user may read it and submit from it
  description TEXT    NOT NULL DEFAULT '',
  definition  TEXT    NOT NULL,              -- JSON: {parameters, job}
  revision    INTEGER NOT NULL DEFAULT 1,
  created_at  REAL    NOT NULL,
  updated_at  REAL    NOT NULL
) STRICT;
CREATE INDEX job_templates_owner ON job_templates (owner);

ALTER TABLE job_events ADD COLUMN state TEXT;

-- A user's view is always narrowed to their own jobs: owner first, then state and result, so
-- their filters and counts are answered from the index alone.
CREATE INDEX jobs_owner_state_result ON jobs (owner, state, result);
-- Sorting by name either way walks this index (equal names newest first when descending);
-- it also serves name filters, so the index on name alone goes.
CREATE INDEX jobs_name_submit ON jobs (name, t_submit, id);
DROP INDEX jobs_name;
`;
