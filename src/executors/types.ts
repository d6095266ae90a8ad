/**
 * The contract between the domain and every backend (local, flux, slurm).
 *
 * Executors never touch the database: they report what happens to jobs as events in Flux's
 * eventlog vocabulary through the sink, and the domain persists them. They write output only
 * through the LiveOutput the domain hands them with each job.
 */
import type { JobId } from '../model/job-id.js';
import type { JobSpec, JobState } from '../model/job.js';
import type { ExecutorEvent } from '../model/executor-events.js';
import type { LiveOutput } from '../output/live-output.js';
import type { ExecutorName } from '../config/schema.js';
import type { UsageReading } from '../model/usage.js';

export interface ExecutorSink {
  event(event: ExecutorEvent): void;
  /** Records the backend's handle for a job (process ids, step id...), kept for reconciling. */
  backendRef(id: JobId, ref: string): void;
  /** A job's output, to append to or to track (opened on first use). */
  output(id: JobId): LiveOutput;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** Everything an executor needs to run one job. */
export interface JobLaunch {
  /** The id the domain chose, or null for executors that assign ids (they return it). */
  id: JobId | null;
  owner: string;
  spec: JobSpec;
  /** The complete environment of the job's tasks: a clean base plus the job's envars. */
  env: Record<string, string>;
}

/** A job that was active when jobgate last stopped, handed back for reconciling. */
export interface ActiveJob {
  id: JobId;
  owner: string;
  spec: JobSpec;
  state: JobState;
  backendRef: string | null;
  /** When the job started running (epoch seconds), if it did. */
  tRun: number | null;
  env: Record<string, string>;
  output: LiveOutput;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export interface SubmitOutcome {
  /** Set by executors whose backend assigns ids (Flux). */
  id?: JobId;
  backendRef?: string;
}

export interface NodeInfo {
  name: string;
  state: 'up' | 'down' | 'drained' | 'allocated' | 'idle' | 'mixed' | string;
  cores: number;
  coresBusy: number;
  gpus: number;
  gpusBusy: number;
  jobs: JobId[];
}

/** Why an operation on a job was refused by the backend. */
export class ExecutorError extends Error {
  constructor(
    readonly kind: 'inactive' | 'unknown' | 'conflict' | 'invalid' | 'unavailable' | 'unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'ExecutorError';
  }
}

export type StopMode = 'cancel-jobs' | 'leave-jobs';

export interface Executor {
  readonly name: ExecutorName;
  /** True when the backend assigns job ids (the domain then inserts the row after submit). */
  readonly assignsIds: boolean;
  /** Backend-specific checks of a request (resources that cannot exist here, ...). */
  check(spec: JobSpec): FieldProblem[];
  /** Connects, and re-attaches or ends the jobs that were active when jobgate last stopped. */
  start(sink: ExecutorSink, active: ActiveJob[]): Promise<void>;
  submit(launch: JobLaunch): Promise<SubmitOutcome>;
  cancel(id: JobId, reason: string): Promise<void>;
  /** Changes urgency (0 holds, 16 default, 31 expedites) of a job that has not started. */
  setUrgency(id: JobId, urgency: number): Promise<void>;
  nodes(): Promise<NodeInfo[]>;
  /** How many nodes a job may ask for when the configuration does not say (FLUX_NUMBER_NODES). */
  size(): number;
  /** Whether the backend answers right now (for /ready). */
  ready(): Promise<boolean>;
  version(): Promise<string>;
  stop(mode: StopMode): Promise<void>;
  /**
   * What the given running jobs use right now, for those the backend can measure (others are
   * left out, never reported as zeros). Optional: a backend without it has no usage metrics.
   */
  sampleUsage?(ids: readonly JobId[]): Promise<UsageReading[]>;
}
