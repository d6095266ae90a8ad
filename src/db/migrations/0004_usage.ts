/**
 * What jobs used: the sampled series and each job's summary.
 *
 * `job_usage` holds one row per sample, keyed by job then time (a job's series in one range
 * read). `resolution` is the seconds a row stands for: raw samples have the sampling interval,
 * older ones are merged into coarser buckets as the job ages, so a long job's series stays
 * bounded. The summary lives on `jobs` itself so the listing can sort and filter by it.
 */
export const sql = `
CREATE TABLE job_usage (
  job_id      INTEGER NOT NULL,
  t           REAL    NOT NULL,                -- end of the interval the row stands for
  resolution  REAL    NOT NULL,                -- seconds it stands for
  cpu         REAL    NOT NULL,                -- cores used (CPU-seconds per second)
  mem         INTEGER NOT NULL,                -- resident bytes (the largest, once merged)
  gpu         REAL,                            -- GPUs busy; NULL where there is no GPU reading
  gpu_mem     INTEGER,
  PRIMARY KEY (job_id, t)
) STRICT, WITHOUT ROWID;
CREATE INDEX job_usage_by_time ON job_usage (t);

ALTER TABLE jobs ADD COLUMN usage_cpu_seconds REAL;
ALTER TABLE jobs ADD COLUMN usage_cpu_efficiency REAL;
ALTER TABLE jobs ADD COLUMN usage_peak_mem INTEGER;
ALTER TABLE jobs ADD COLUMN usage_gpu_seconds REAL;
ALTER TABLE jobs ADD COLUMN usage_measured_seconds REAL;
CREATE INDEX jobs_usage_cpu_efficiency ON jobs (usage_cpu_efficiency);
CREATE INDEX jobs_usage_peak_mem ON jobs (usage_peak_mem);
`;
