/**
 * The job model in Flux's vocabulary, whatever backend runs it: states, results, the
 * normalised submit request (JobSpec) and the stored record (JobRecord).
 */
import type { JobId } from './job-id.js';
import type { UsageSummary } from './usage.js';

export const JOB_STATES = ['NEW', 'DEPEND', 'PRIORITY', 'SCHED', 'RUN', 'CLEANUP', 'INACTIVE'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const ACTIVE_STATES: readonly JobState[] = ['NEW', 'DEPEND', 'PRIORITY', 'SCHED', 'RUN', 'CLEANUP'];
export const PENDING_STATES: readonly JobState[] = ['NEW', 'DEPEND', 'PRIORITY', 'SCHED'];

export const JOB_RESULTS = ['COMPLETED', 'FAILED', 'CANCELED', 'TIMEOUT'] as const;
export type JobResult = (typeof JOB_RESULTS)[number];

/** Urgency as Flux has it: 0 holds a job, 16 is the default, 31 expedites it. */
export const URGENCY = { hold: 0, default: 16, expedite: 31 } as const;

/** A submit request after validation: every field present, in backend-neutral terms. */
export interface JobSpec {
  /** argv: the command split into words; never run through a shell. */
  command: string[];
  /** Job name (defaults to the base name of argv[0], as Flux does). */
  name: string;
  numTasks: number;
  coresPerTask: number;
  gpusPerTask: number;
  /** null: the backend decides (one node here). */
  numNodes: number | null;
  exclusive: boolean;
  /** Absolute working directory, or null for the backend's default. */
  workdir: string | null;
  /** Seconds; 0 means no limit. */
  runtime: number;
  /** The job's own environment variables, added to a clean base environment. */
  envars: Record<string, string>;
  /** Shell options (`option_flags`), e.g. {pty: "1", "cpu-affinity": "off"}. */
  optionFlags: Record<string, string>;
  /** Run under a terminal (option flag `pty`). */
  tty: boolean;
  urgency: number;
  queue: string | null;
}

export interface JobException {
  occurred: boolean;
  type: string | null;
  severity: number | null;
  note: string | null;
}

export interface JobRecord {
  id: JobId;
  owner: string;
  userid: number;
  name: string;
  command: string[];
  spec: JobSpec;
  executor: string;
  backendRef: string | null;
  state: JobState;
  result: JobResult | null;
  success: boolean | null;
  returncode: number | null;
  waitstatus: number | null;
  exception: JobException;
  urgency: number;
  priority: number | null;
  ntasks: number;
  ncores: number;
  nnodes: number | null;
  ngpus: number;
  duration: number;
  cwd: string | null;
  queue: string | null;
  ranks: string | null;
  nodelist: string | null;
  expiration: number | null;
  t_submit: number;
  t_depend: number | null;
  t_priority: number | null;
  t_sched: number | null;
  t_run: number | null;
  t_cleanup: number | null;
  t_inactive: number | null;
  /** What the job used, as measured (absent on records not read from the store). */
  usage?: UsageSummary;
}

/** Who is asking: superusers see every job, users only their own. */
export interface Actor {
  name: string;
  superuser: boolean;
}

export function canSee(actor: Actor, job: { owner: string }): boolean {
  return actor.superuser || actor.name === job.owner;
}

/** Seconds the job has run (or ran): Flux's `runtime`. */
export function runtimeOf(job: Pick<JobRecord, 't_run' | 't_cleanup'>, nowSeconds: number): number {
  if (job.t_run === null) {
    return 0;
  }
  return Math.max(0, (job.t_cleanup ?? nowSeconds) - job.t_run);
}

/** A job record as it is at submit time (state DEPEND), from its normalised request. */
export function newJobRecord(fields: { id: JobId; owner: string; userid: number; spec: JobSpec; executor: string; t: number }): JobRecord {
  const { id, owner, userid, spec, executor, t } = fields;
  return {
    id,
    owner,
    userid,
    name: spec.name,
    command: spec.command,
    spec,
    executor,
    backendRef: null,
    state: 'DEPEND',
    result: null,
    success: null,
    returncode: null,
    waitstatus: null,
    exception: { occurred: false, type: null, severity: null, note: null },
    urgency: spec.urgency,
    priority: null,
    ntasks: spec.numTasks,
    ncores: spec.numTasks * spec.coresPerTask,
    nnodes: spec.numNodes,
    ngpus: spec.numTasks * spec.gpusPerTask,
    duration: spec.runtime,
    cwd: spec.workdir,
    queue: spec.queue,
    ranks: null,
    nodelist: null,
    expiration: null,
    t_submit: t,
    t_depend: t,
    t_priority: null,
    t_sched: null,
    t_run: null,
    t_cleanup: null,
    t_inactive: null,
  };
}
