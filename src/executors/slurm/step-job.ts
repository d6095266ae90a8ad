/**
 * What the slurm step executor knows of one job, from its submit to its end, and what its
 * step holds of the allocation once srun has said where the tasks run.
 */
import type { JobId } from '../../model/job-id.js';
import type { JobSpec } from '../../model/job.js';
import type { LiveOutput } from '../../output/live-output.js';
import type { StreamingProcess, Termination } from '../process.js';
import type { ExecutorEvent } from '../../model/executor-events.js';
import type { NodeInfo } from '../types.js';
import type { Allocation } from './allocation.js';
import { SrunStderr, type StepHost } from './srun-stderr.js';

export interface StepJob {
  id: JobId;
  spec: JobSpec;
  env: Record<string, string>;
  output: LiveOutput;
  urgency: number;
  /** CPUs of the allocation the step takes while it runs. */
  cpus: number;
  srun: StreamingProcess | null;
  stderr: SrunStderr;
  scheduled: boolean;
  started: boolean;
  done: boolean;
  excepted: boolean;
  ending: 'cancel' | 'timeout' | null;
  timers: NodeJS.Timeout[];
  /** The escalations under way while jobgate ends the step (scancel, then srun itself). */
  terminations: Termination[];
  lastT: number;
  ended: Promise<void>;
}

export function stepJob(id: JobId, spec: JobSpec, env: Record<string, string>, output: LiveOutput, cpus: number, t: number): StepJob {
  return {
    id,
    spec,
    env,
    output,
    urgency: spec.urgency,
    cpus,
    srun: null,
    stderr: new SrunStderr(),
    scheduled: false,
    started: false,
    done: false,
    excepted: false,
    ending: null,
    timers: [],
    terminations: [],
    lastT: t,
    ended: Promise.resolve(),
  };
}

/** The CPUs a step holds on one host: all of an exclusive step's node, else its tasks' CPUs. */
function coresOn(job: StepJob, host: StepHost, allocation: Allocation): number {
  if (job.spec.exclusive) {
    return allocation.nodes.find((node) => node.name === host.host)?.cpus ?? host.tasks * job.spec.coresPerTask;
  }
  return host.tasks * job.spec.coresPerTask;
}

/** The alloc event of a step whose tasks run, from the hosts srun named (the allocation's first node when it named none). */
export function stepAlloc(job: StepJob, allocation: Allocation, t: number): ExecutorEvent {
  const hosts = job.stderr.hosts;
  const nnodes = Math.max(1, hosts.length);
  return {
    id: job.id,
    t,
    name: 'alloc',
    ranks: nnodes > 1 ? `0-${nnodes - 1}` : '0',
    nodelist: hosts.map((host) => host.host).join(',') || (allocation.nodes[0]?.name ?? ''),
    nnodes,
    ncores: hosts.length > 0 ? hosts.reduce((sum, host) => sum + coresOn(job, host, allocation), 0) : job.spec.numTasks * job.spec.coresPerTask,
    ...(job.spec.runtime > 0 ? { expiration: t + job.spec.runtime } : {}),
  };
}

/** The allocation's nodes with the CPUs and jobs of the steps that run on each. */
export function allocationNodes(allocation: Allocation, jobs: readonly StepJob[]): NodeInfo[] {
  return allocation.nodes.map((node) => {
    let busy = 0;
    const here: JobId[] = [];
    for (const job of jobs) {
      const host = job.started ? job.stderr.hosts.find((each) => each.host === node.name) : undefined;
      if (host !== undefined) {
        busy += coresOn(job, host, allocation);
        here.push(job.id);
      }
    }
    return { name: node.name, state: 'up', cores: node.cpus, coresBusy: Math.min(busy, node.cpus), gpus: 0, gpusBusy: 0, jobs: here };
  });
}
