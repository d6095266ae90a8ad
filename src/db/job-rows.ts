/** Converting between stored job rows and JobRecords (ids stay bigint end to end). */
import type { JobRecord, JobResult, JobSpec, JobState } from '../model/job.js';
import type { UsageSummary } from '../model/usage.js';

export type Row = Record<string, unknown>;

function num(value: unknown): number | null {
  if (value === null || value === undefined) {
    return null;
  }
  return typeof value === 'bigint' ? Number(value) : Number(value);
}

function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function bool(value: unknown): boolean | null {
  const n = num(value);
  return n === null ? null : n !== 0;
}

export function rowToJob(row: Row): JobRecord {
  const id = typeof row.id === 'bigint' ? row.id : BigInt(String(row.id));
  return {
    id,
    owner: String(row.owner),
    userid: num(row.userid) ?? 0,
    name: String(row.name),
    command: JSON.parse(String(row.command)) as string[],
    spec: JSON.parse(String(row.spec)) as JobSpec,
    executor: String(row.executor),
    backendRef: str(row.backend_ref),
    state: String(row.state) as JobState,
    result: str(row.result) as JobResult | null,
    success: bool(row.success),
    returncode: num(row.returncode),
    waitstatus: num(row.waitstatus),
    exception: {
      occurred: bool(row.exception_occurred) ?? false,
      type: str(row.exception_type),
      severity: num(row.exception_severity),
      note: str(row.exception_note),
    },
    urgency: num(row.urgency) ?? 16,
    priority: num(row.priority),
    ntasks: num(row.ntasks) ?? 1,
    ncores: num(row.ncores) ?? 1,
    nnodes: num(row.nnodes),
    ngpus: num(row.ngpus) ?? 0,
    duration: num(row.duration) ?? 0,
    cwd: str(row.cwd),
    queue: str(row.queue),
    ranks: str(row.ranks),
    nodelist: str(row.nodelist),
    expiration: num(row.expiration),
    t_submit: num(row.t_submit) ?? 0,
    t_depend: num(row.t_depend),
    t_priority: num(row.t_priority),
    t_sched: num(row.t_sched),
    t_run: num(row.t_run),
    t_cleanup: num(row.t_cleanup),
    t_inactive: num(row.t_inactive),
    usage: usageFromRow(row),
  };
}

/** The usage summary columns of a jobs row (migration 0004). */
export function usageFromRow(row: Row): UsageSummary {
  return {
    cpuSeconds: num(row.usage_cpu_seconds),
    cpuEfficiency: num(row.usage_cpu_efficiency),
    peakMemBytes: num(row.usage_peak_mem),
    gpuSeconds: num(row.usage_gpu_seconds),
    measuredSeconds: num(row.usage_measured_seconds),
  };
}

type Column = string;
type Value = string | number | bigint | null;

/** Flattens a (partial) JobRecord into `jobs` column → value pairs (argv and spec are stored apart). */
export function jobToColumns(job: Partial<JobRecord>): Record<Column, Value> {
  const columns: Record<Column, Value> = {};
  const set = (column: string, value: Value | undefined): void => {
    if (value !== undefined) {
      columns[column] = value;
    }
  };
  const boolValue = (value: boolean | null | undefined): Value | undefined => (value === undefined ? undefined : value === null ? null : value ? 1 : 0);
  set('id', job.id);
  set('owner', job.owner);
  set('userid', job.userid);
  set('name', job.name);
  set('executor', job.executor);
  set('backend_ref', job.backendRef);
  set('state', job.state);
  set('result', job.result);
  set('success', boolValue(job.success));
  set('returncode', job.returncode);
  set('waitstatus', job.waitstatus);
  if (job.exception !== undefined) {
    set('exception_occurred', job.exception.occurred ? 1 : 0);
    set('exception_type', job.exception.type);
    set('exception_severity', job.exception.severity);
    set('exception_note', job.exception.note);
  }
  for (const key of ['urgency', 'priority', 'ntasks', 'ncores', 'nnodes', 'ngpus', 'duration', 'cwd', 'queue', 'ranks', 'nodelist', 'expiration',
    't_submit', 't_depend', 't_priority', 't_sched', 't_run', 't_cleanup', 't_inactive'] as const) {
    set(key, job[key]);
  }
  return columns;
}
