/** Checks of a request that hold in both Slurm modes, before anything reaches Slurm. */
import type { JobSpec } from '../../model/job.js';
import type { FieldProblem } from '../types.js';
import { workdirProblems } from '../workdir-check.js';

export function commonProblems(spec: JobSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (spec.tty) {
    problems.push({ field: 'option_flags', message: 'pty: the slurm executor runs jobs without a terminal' });
  }
  // Slurm would silently run the job in /tmp instead (slurmstepd: "couldn't chdir ... going to
  // /tmp instead"). The data and work directories are shared with the nodes in a Slurm setup,
  // so what does not exist here does not exist there either.
  problems.push(...workdirProblems(spec));
  return problems;
}

/** A small counting semaphore: at most `limit` Slurm commands of one kind at a time. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      // The slot is handed over by the caller that frees it.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) {
        next();
      } else {
        this.active -= 1;
      }
    }
  }
}
