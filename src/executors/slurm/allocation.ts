/**
 * The Slurm allocation jobgate runs in (started from `sbatch` or `salloc`): its id, nodes and
 * CPUs from the variables Slurm sets, and its end from slurmctld when it has a time limit.
 */
import type { JobSpec } from '../../model/job.js';
import { expandCounts, expandHostlist } from './hostlist.js';
import type { SlurmCommands } from './slurm-cli.js';

export interface AllocationNode {
  name: string;
  cpus: number;
}

export interface Allocation {
  jobId: string;
  nodes: AllocationNode[];
  partition: string | null;
  /** Epoch seconds when Slurm ends the allocation, or null (no limit, or not known). */
  endTime: number | null;
  /**
   * Memory (MB) per CPU to give each step, when the allocation has memory: without it every
   * step asks for all of the allocation's memory and steps run one at a time.
   */
  memPerCpu: number | null;
}

function memPerCpuOf(env: Readonly<Record<string, string | undefined>>, nodes: AllocationNode[]): number | null {
  const perCpu = Number.parseInt(env.SLURM_MEM_PER_CPU ?? '', 10);
  if (perCpu > 0) {
    return perCpu;
  }
  const perNode = Number.parseInt(env.SLURM_MEM_PER_NODE ?? '', 10);
  const cpus = Math.min(...nodes.map((node) => node.cpus));
  return perNode > 0 && Number.isFinite(cpus) && cpus > 0 ? Math.max(1, Math.floor(perNode / cpus)) : null;
}

/** Reads the allocation from Slurm's variables; null outside one. */
export function allocationFromEnv(env: Readonly<Record<string, string | undefined>>): Allocation | null {
  const jobId = env.SLURM_JOB_ID ?? env.SLURM_JOBID;
  if (jobId === undefined || !/^\d+$/.test(jobId)) {
    return null;
  }
  const names = expandHostlist(env.SLURM_JOB_NODELIST ?? env.SLURM_NODELIST ?? '');
  const counts = expandCounts(env.SLURM_JOB_CPUS_PER_NODE ?? '');
  const nodes = names.map((name, index) => ({ name, cpus: counts[index] ?? counts[counts.length - 1] ?? 1 }));
  return { jobId, nodes, partition: env.SLURM_JOB_PARTITION ?? null, endTime: null, memPerCpu: memPerCpuOf(env, nodes) };
}

/** CPUs of the allocation a step takes: an exclusive one whole nodes, any other its tasks' CPUs (0 when the allocation is unknown). */
export function cpusFor(spec: JobSpec, nodes: readonly AllocationNode[]): number {
  const total = nodes.reduce((sum, node) => sum + node.cpus, 0);
  if (total === 0) {
    return 0;
  }
  if (spec.exclusive) {
    const perNode = Math.max(...nodes.map((node) => node.cpus));
    return Math.min(total, (spec.numNodes ?? 1) * perNode);
  }
  return Math.min(total, spec.numTasks * spec.coresPerTask);
}

export function totalCpus(allocation: Allocation): number {
  return allocation.nodes.reduce((sum, node) => sum + node.cpus, 0);
}

/** When Slurm ends the allocation, from its record in squeue; null when it has no limit (or is not known). */
export async function allocationEnd(cli: Pick<SlurmCommands, 'squeue'>, jobId: string): Promise<number | null> {
  const record = (await cli.squeue()).get(Number.parseInt(jobId, 10));
  return record !== undefined && record.timeLimit !== null && record.startTime > 0 ? record.startTime + record.timeLimit * 60 : null;
}
