/** What each owner has used: jobs by state and CPU-seconds (cores × runtime), for `GET /v1/users`. */
import type { OwnerFiguresRepository } from '../db/owner-figures-repository.js';
import { JOB_STATES, type JobState } from '../model/job.js';

export interface OwnerFigures {
  jobs: Record<JobState, number>;
  total: number;
  cpuSeconds: number;
}

export function emptyFigures(): OwnerFigures {
  return { jobs: Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>, total: 0, cpuSeconds: 0 };
}

export class OwnerFiguresService {
  /** `now` in epoch seconds. */
  constructor(private readonly repo: OwnerFiguresRepository, private readonly now: () => number) {}

  byOwner(): Map<string, OwnerFigures> {
    const figures = new Map<string, OwnerFigures>();
    for (const row of this.repo.byOwnerAndState(this.now())) {
      const entry = figures.get(row.owner) ?? emptyFigures();
      entry.jobs[row.state] += row.jobs;
      entry.total += row.jobs;
      entry.cpuSeconds += row.cpuSeconds;
      figures.set(row.owner, entry);
    }
    return figures;
  }
}
