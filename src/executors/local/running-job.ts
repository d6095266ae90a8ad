/**
 * What the local executor knows of a job while it waits and while it runs, and the pure rules
 * it applies to one: the cores it takes, how its tasks' ends combine into the job's status, and
 * the environment each task starts with.
 */
import { toF58, type JobId } from '../../model/job-id.js';
import type { JobSpec } from '../../model/job.js';
import type { ExitInfo, Termination } from '../process.js';
import type { LiveOutput } from '../../output/live-output.js';
import { formatIdset } from './resources.js';
import type { LocalRef } from './task-ref.js';

export interface QueuedJob {
  id: JobId;
  spec: JobSpec;
  env: Record<string, string>;
  output: LiveOutput;
  urgency: number;
}

export interface RunningTask {
  rank: number;
  pid: number;
  start: string | null;
  exit: ExitInfo | null;
  /** Lets jobgate exit while the task runs on (absent for tasks picked up after a restart). */
  release?: () => void;
}

export interface RunningJob {
  id: JobId;
  cores: number[];
  gpus: number[];
  tasks: RunningTask[];
  statusDir: string;
  /** Why jobgate is ending the job, if it is: canceled, out of time, or a task lost its wrapper. */
  ending: 'cancel' | 'timeout' | 'lost' | null;
  timers: NodeJS.Timeout[];
  /** The SIGTERM → SIGKILL escalation under way, if jobgate is ending the job. */
  termination: Termination | null;
  /** Its tasks are not this jobgate's children (picked up after a restart): their ends are polled. */
  reattached: boolean;
  finished: boolean;
}

/** A job whose tasks are about to start (or, `reattached`, were started by an earlier jobgate). */
export function runningJob(id: JobId, cores: number[], gpus: number[], statusDir: string, reattached: boolean): RunningJob {
  return { id, cores, gpus, tasks: [], statusDir, ending: null, timers: [], termination: null, reattached, finished: false };
}

/** What the store keeps of a running job so that a restarted jobgate can find its tasks again. */
export function localRefOf(boot: string, running: RunningJob, tty: boolean): LocalRef {
  const tasks = running.tasks.map((task) => ({ rank: task.rank, pid: task.pid, start: task.start }));
  return { boot, cores: running.cores, gpus: running.gpus, tty, tasks };
}

export function coresNeeded(spec: JobSpec, total: number): number {
  return spec.exclusive ? total : spec.numTasks * spec.coresPerTask;
}

/** Flux's job exit status: the highest task status (signals count as 128+N), as a wait status. */
export function combineStatus(exits: ExitInfo[]): number {
  let highest = 0;
  let rawSignal: number | null = null;
  for (const exit of exits) {
    const code = exit.signal !== null ? 128 + exit.signal : (exit.code ?? 0);
    if (code >= highest) {
      highest = code;
      rawSignal = exit.signal;
    }
  }
  return rawSignal !== null ? rawSignal : highest << 8;
}

/** A task's environment: the job's own, plus its place in the job as jobgate and Flux name it. */
export function taskEnv(job: QueuedJob, running: RunningJob, rank: number): Record<string, string> {
  const env: Record<string, string> = {
    ...job.env,
    JOBGATE_JOB_ID: job.id.toString(),
    JOBGATE_JOB_ID_F58: toF58(job.id, true),
    JOBGATE_TASK_RANK: String(rank),
    JOBGATE_JOB_SIZE: String(job.spec.numTasks),
    JOBGATE_CORES: formatIdset(running.cores),
    FLUX_TASK_RANK: String(rank),
    FLUX_TASK_LOCAL_ID: String(rank),
    FLUX_JOB_SIZE: String(job.spec.numTasks),
    FLUX_JOB_NNODES: '1',
  };
  if (running.gpus.length > 0) {
    const perTask = job.spec.gpusPerTask;
    env.CUDA_VISIBLE_DEVICES = running.gpus.slice(rank * perTask, (rank + 1) * perTask).join(',');
  }
  if (job.spec.tty) {
    env.TERM = job.env.TERM ?? 'xterm-256color';
  }
  return env;
}
