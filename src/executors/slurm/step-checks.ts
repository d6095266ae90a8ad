/** What the slurm step executor refuses at submit: requests its allocation can never satisfy. */
import type { JobSpec } from '../../model/job.js';
import type { FieldProblem } from '../types.js';
import { totalCpus, type Allocation } from './allocation.js';
import { commonProblems } from './requests.js';

/** `now`: epoch seconds, to compare a runtime with what is left of the allocation. */
export function stepProblems(spec: JobSpec, allocation: Allocation, now: number): FieldProblem[] {
  const problems = commonProblems(spec);
  const nodes = allocation.nodes;
  const where = `allocation ${allocation.jobId}`;
  const cpus = totalCpus(allocation);
  if (spec.queue !== null && allocation.partition !== null && spec.queue !== allocation.partition) {
    problems.push({ field: 'queue', message: `job steps run in the partition of ${where} (${allocation.partition}), not ${spec.queue}` });
  }
  if (spec.numNodes !== null && nodes.length > 0 && spec.numNodes > nodes.length) {
    problems.push({ field: 'num_nodes', message: `${where} has ${nodes.length} node(s); num_nodes=${spec.numNodes} cannot be satisfied` });
  }
  const wanted = spec.numTasks * spec.coresPerTask;
  if (nodes.length > 0 && wanted > cpus) {
    problems.push({ field: spec.coresPerTask > 1 ? 'cores_per_task' : 'num_tasks', message: `num_tasks × cores_per_task = ${wanted} CPUs requested; ${where} has ${cpus}` });
  }
  if (allocation.endTime !== null && spec.runtime > 0) {
    const left = Math.floor(allocation.endTime - now);
    if (spec.runtime > left) {
      problems.push({ field: 'runtime', message: `runtime ${spec.runtime}s is longer than what is left of ${where} (${Math.max(0, left)}s)` });
    }
  }
  return problems;
}
