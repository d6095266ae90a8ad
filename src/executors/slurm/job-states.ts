/**
 * Slurm job states in Flux's vocabulary. Given what Slurm now says about a batch job and what
 * jobgate has already reported, `eventsFor` returns the events still missing:
 * PENDING → (nothing: the job is in SCHED since submit), RUNNING → alloc + start,
 * COMPLETING → finish (CLEANUP), and a final state → its exception, then release, free, clean.
 * ExitCode is a raw wait status, so `code:signal` becomes the return code as it does in Flux.
 */
import type { ExecutorEvent } from '../../model/executor-events.js';
import type { SlurmJobRecord } from './slurm-record.js';

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type PlannedEvent = WithoutId<ExecutorEvent>;

/** What jobgate has reported about a job so far. */
export interface JobProgress {
  started: boolean;
  finished: boolean;
  /** A fatal exception is recorded (jobgate's own cancel or timeout); Slurm's final state adds none. */
  excepted: boolean;
  /** Time of the last reported event: events never go back in time. */
  lastT: number;
}

const FINAL_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);

/** A fatal exception for a final state, if that state is one (COMPLETED and FAILED are not: the exit code tells). */
function exceptionFor(record: SlurmJobRecord, ran: boolean): { type: string; note: string } | null {
  const why = record.reason !== '' ? ` (${record.reason})` : '';
  switch (record.state) {
    case 'CANCELLED':
      return { type: 'cancel', note: `canceled in Slurm${why}` };
    case 'TIMEOUT':
      return { type: 'timeout', note: `Slurm time limit of ${record.timeLimit ?? '?'} min reached` };
    case 'OUT_OF_MEMORY':
      return { type: 'oom', note: 'Slurm: the job ran out of memory (OUT_OF_MEMORY)' };
    case 'NODE_FAIL':
      return { type: 'node-failure', note: `Slurm: a node of the job failed (NODE_FAIL)${why}` };
    case 'BOOT_FAIL':
      return { type: 'node-failure', note: `Slurm: a node could not boot (BOOT_FAIL)${why}` };
    case 'PREEMPTED':
      return { type: 'preempt', note: `Slurm preempted the job${why}` };
    case 'DEADLINE':
      return { type: 'deadline', note: `Slurm: the job reached its deadline${why}` };
    case 'FAILED':
      // Failed without an exit status worth the name: it could not be launched.
      return !ran || record.exitStatus === 0 || record.exitStatus === null ? { type: 'exec', note: `Slurm: the job failed to launch${why}` } : null;
    default:
      return null;
  }
}

export function eventsFor(record: SlurmJobRecord, progress: JobProgress, now: number): { events: PlannedEvent[]; progress: JobProgress } {
  const events: PlannedEvent[] = [];
  const next = { ...progress };
  const at = (t: number): number => {
    next.lastT = Math.max(next.lastT, t > 0 ? t : now);
    return next.lastT;
  };
  const final = FINAL_STATES.has(record.state);
  // A job canceled while pending has start and end times but no nodes: it never ran.
  const ran = record.nodes !== '' && record.state !== 'PENDING' && record.state !== 'CONFIGURING';

  if (ran && !next.started) {
    const t = at(record.startTime);
    const nnodes = Math.max(1, record.nodeCount);
    events.push({
      t,
      name: 'alloc',
      ranks: nnodes > 1 ? `0-${nnodes - 1}` : '0',
      nodelist: record.nodes,
      nnodes,
      ncores: record.cpus,
      // From the (possibly clamped) start, so expiration − t_run is the limit Slurm keeps.
      ...(record.timeLimit !== null ? { expiration: t + record.timeLimit * 60 } : {}),
    });
    events.push({ t, name: 'start' });
    next.started = true;
  }
  if (!final && record.state !== 'COMPLETING') {
    return { events, progress: next };
  }
  const t = at(record.endTime);
  if (ran && !next.finished) {
    events.push({ t, name: 'finish', status: record.exitStatus ?? 0 });
    next.finished = true;
  }
  if (!final) {
    return { events, progress: next };
  }
  const exception = exceptionFor(record, ran);
  if (exception !== null && !next.excepted) {
    events.push({ t, name: 'exception', type: exception.type, severity: 0, note: exception.note });
    next.excepted = true;
  }
  if (ran) {
    events.push({ t, name: 'release' }, { t, name: 'free' });
  }
  events.push({ t, name: 'clean' });
  return { events, progress: next };
}
