/**
 * How a job's record follows its event log, by Flux's rules: which event moves it to which
 * state, which timestamps it sets, and how result, return code and exception are derived when
 * it becomes inactive (flux-core job-list / JobInfo semantics).
 */
import type { ExecutorEvent } from '../model/executor-events.js';
import type { JobRecord, JobResult, JobState } from '../model/job.js';

/** The columns an event changes. */
export type JobPatch = Partial<Omit<JobRecord, 'id' | 'spec' | 'command'>>;

const ORDER: Record<JobState, number> = { NEW: 0, DEPEND: 1, PRIORITY: 2, SCHED: 3, RUN: 4, CLEANUP: 5, INACTIVE: 6 };

/** States only move forward; a late or repeated event never moves a job back. */
function advance(current: JobState, next: JobState): JobState | undefined {
  return ORDER[next] > ORDER[current] ? next : undefined;
}

export function applyEvent(job: JobRecord, event: ExecutorEvent): JobPatch {
  const patch: JobPatch = {};
  const moveTo = (state: JobState, stamp: keyof JobRecord & `t_${string}`): void => {
    const next = advance(job.state, state);
    if (next !== undefined) {
      patch.state = next;
      (patch as Record<string, unknown>)[stamp] = event.t;
    }
  };
  switch (event.name) {
    case 'submit':
      break;
    case 'depend':
      moveTo('PRIORITY', 't_priority');
      break;
    case 'priority':
      patch.priority = event.priority;
      moveTo('SCHED', 't_sched');
      break;
    case 'urgency':
      patch.urgency = event.urgency;
      break;
    case 'alloc':
      patch.ranks = event.ranks;
      patch.nodelist = event.nodelist;
      patch.nnodes = event.nnodes;
      if (event.ncores !== undefined) {
        patch.ncores = event.ncores;
      }
      if (event.expiration !== undefined) {
        patch.expiration = event.expiration;
      }
      moveTo('RUN', 't_run');
      break;
    case 'start':
      break;
    case 'exception':
      // The first fatal exception is the one that explains the job's end.
      if (!job.exception.occurred || (job.exception.severity ?? 1) > 0) {
        patch.exception = { occurred: true, type: event.type, severity: event.severity, note: event.note };
      }
      if (event.severity === 0 && ORDER[job.state] < ORDER.RUN) {
        moveTo('CLEANUP', 't_cleanup');
      }
      break;
    case 'finish':
      patch.waitstatus = event.status;
      moveTo('CLEANUP', 't_cleanup');
      break;
    case 'release':
    case 'free':
      break;
    case 'clean': {
      const next = advance(job.state, 'INACTIVE');
      if (next !== undefined) {
        patch.state = 'INACTIVE';
        patch.t_inactive = event.t;
        if (job.t_cleanup === null && patch.t_cleanup === undefined) {
          patch.t_cleanup = event.t;
        }
        const ended = { ...job, ...patch };
        const result = resultOf(ended);
        patch.result = result;
        patch.success = result === 'COMPLETED';
        patch.returncode = returncodeOf(ended, result);
        patch.exception = { ...ended.exception };
      }
      break;
    }
  }
  return patch;
}

/** Flux's result: a fatal exception decides it; otherwise the wait status does. */
export function resultOf(job: Pick<JobRecord, 'exception' | 'waitstatus'>): JobResult {
  if (job.exception.occurred && job.exception.severity === 0) {
    if (job.exception.type === 'cancel') {
      return 'CANCELED';
    }
    if (job.exception.type === 'timeout') {
      return 'TIMEOUT';
    }
    return 'FAILED';
  }
  return job.waitstatus === 0 ? 'COMPLETED' : 'FAILED';
}

/**
 * The return code people poll for: the exit code; 128+N when killed by signal N; -128 for a
 * job canceled before it ran; 1 for a job that failed before it ran (no wait status).
 */
export function returncodeOf(job: Pick<JobRecord, 'waitstatus'>, result: JobResult): number {
  const status = job.waitstatus;
  if (status === null) {
    return result === 'CANCELED' ? -128 : 1;
  }
  const signal = status & 0x7f;
  if (signal !== 0) {
    return 128 + signal;
  }
  return (status >> 8) & 0xff;
}
