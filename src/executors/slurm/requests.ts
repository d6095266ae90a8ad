/** Checks of a request that hold in both Slurm modes, before anything reaches Slurm. */
import fs from 'node:fs';
import type { JobSpec } from '../../domain/job.js';
import type { FieldProblem } from '../types.js';

export function commonProblems(spec: JobSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (spec.tty) {
    problems.push({ field: 'option_flags', message: 'pty: the slurm executor runs jobs without a terminal' });
  }
  // Slurm would silently run the job in /tmp instead (slurmstepd: "couldn't chdir ... going to
  // /tmp instead"). The data and work directories are shared with the nodes in a Slurm setup,
  // so what does not exist here does not exist there either.
  if (spec.workdir !== null) {
    let isDir = false;
    try {
      isDir = fs.statSync(spec.workdir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) {
      problems.push({ field: 'workdir', message: `No such directory: ${spec.workdir}` });
    }
  }
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
