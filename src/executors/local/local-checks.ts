/** What the local executor refuses at submit: requests this one machine can never satisfy. */
import type { JobSpec } from '../../model/job.js';
import type { FieldProblem } from '../types.js';
import { workdirProblems } from '../workdir-check.js';

export function localProblems(spec: JobSpec, totalCores: number, totalGpus: number): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (spec.numNodes !== null && spec.numNodes > 1) {
    problems.push({ field: 'num_nodes', message: `This machine is one node; num_nodes=${spec.numNodes} cannot be satisfied` });
  }
  const cores = spec.numTasks * spec.coresPerTask;
  if (cores > totalCores) {
    problems.push({
      field: spec.coresPerTask > 1 ? 'cores_per_task' : 'num_tasks',
      message: `num_tasks × cores_per_task = ${cores} cores requested; this machine has ${totalCores}`,
    });
  }
  const gpus = spec.numTasks * spec.gpusPerTask;
  if (gpus > 0 && totalGpus === 0) {
    problems.push({ field: 'gpus_per_task', message: 'This machine has no GPUs: gpus_per_task cannot be set.' });
  } else if (gpus > totalGpus) {
    problems.push({ field: 'gpus_per_task', message: `num_tasks × gpus_per_task = ${gpus} GPUs requested; this machine has ${totalGpus}` });
  }
  problems.push(...workdirProblems(spec));
  return problems;
}
