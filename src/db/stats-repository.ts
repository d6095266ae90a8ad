/** What the allocation statistics read from jobs: their time stamps and sizes, and what runs now. */
import { Repository } from './repository.js';

export interface JobSpan {
  t_submit: number;
  t_run: number | null;
  t_cleanup: number | null;
  t_inactive: number | null;
  ncores: number;
  ngpus: number;
}

export class StatsRepository extends Repository {
  /** Jobs that existed at some time between `from` and `to` (submitted by `to`, not gone before `from`). */
  spans(from: number, to: number): JobSpan[] {
    return this.statement(
      'SELECT t_submit, t_run, t_cleanup, t_inactive, ncores, ngpus FROM jobs WHERE t_submit <= @to AND (t_inactive IS NULL OR t_inactive >= @from)',
    ).all({ from, to }) as JobSpan[];
  }

  /** Cores and GPUs held by running jobs, and how many run. */
  allocatedNow(): { cores: number; gpus: number; running: number } {
    const row = this.statement("SELECT COALESCE(SUM(ncores), 0) AS cores, COALESCE(SUM(ngpus), 0) AS gpus, COUNT(*) AS running FROM jobs WHERE state = 'RUN'").get() as
      { cores: number; gpus: number; running: number };
    return row;
  }
}
