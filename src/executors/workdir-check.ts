/**
 * A working directory that does not exist is a 400 naming `workdir`, not a job that silently
 * runs elsewhere (Flux and Slurm would fall back to /tmp). jobgate sees the same filesystem as
 * the jobs (the local machine, or the shared filesystems of a cluster).
 */
import fs from 'node:fs';
import type { JobSpec } from '../model/job.js';
import type { FieldProblem } from './types.js';

export function workdirProblems(spec: Pick<JobSpec, 'workdir'>): FieldProblem[] {
  if (spec.workdir === null) {
    return [];
  }
  try {
    if (fs.statSync(spec.workdir).isDirectory()) {
      return [];
    }
  } catch {
    // missing or unreadable: reported below
  }
  return [{ field: 'workdir', message: `No such directory: ${spec.workdir}` }];
}
