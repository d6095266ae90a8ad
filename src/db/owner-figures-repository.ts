/**
 * Per-owner figures over the jobs table in one GROUP BY: jobs by state and CPU-seconds used
 * (cores × runtime, a running job counted up to now), the figure ClusterCockpit shows per user.
 */
import type { Db } from './database.js';
import { Repository } from './repository.js';
import type { JobState } from '../model/job.js';

export interface OwnerStateFigures {
  owner: string;
  state: JobState;
  jobs: number;
  cpuSeconds: number;
}

export class OwnerFiguresRepository extends Repository {
  constructor(db: Db) {
    super(db);
  }

  /** `now` in epoch seconds. */
  byOwnerAndState(now: number): OwnerStateFigures[] {
    const rows = this.statement(
      `SELECT owner, state, COUNT(*) AS jobs,
              TOTAL(ncores * CASE WHEN t_run IS NULL THEN 0 ELSE MAX(0, COALESCE(t_cleanup, @now) - t_run) END) AS cpu_seconds
         FROM jobs GROUP BY owner, state ORDER BY owner`,
    ).all({ now }) as { owner: string; state: JobState; jobs: number; cpu_seconds: number }[];
    return rows.map((row) => ({ owner: row.owner, state: row.state, jobs: row.jobs, cpuSeconds: row.cpu_seconds }));
  }
}
