/**
 * The Slurm allocation jobgate runs in (started from `sbatch` or `salloc`): its id, nodes and
 * CPUs from the variables Slurm sets, and its end from slurmctld when it has a time limit.
 */
import { expandCounts, expandHostlist } from './hostlist.js';

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
