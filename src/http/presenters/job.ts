/**
 * The job shapes clients of flux-restful-api read: the detail object (Flux's job-list record
 * with the original's overrides: `""` while a value is unknown, `returncode` `""` until the
 * job ends) with the job's labels added, and the short listing record.
 */
import { toF58, type JobId } from '../../model/job-id.js';
import { runtimeOf, type JobRecord } from '../../model/job.js';
import type { JobLabels } from '../../model/job-labels.js';
import { presentLabels } from './job-labels.js';
import { presentUsageSummary } from './usage.js';

type Json = Record<string, unknown>;

function orBlank<T>(value: T | null): T | '' {
  return value === null ? '' : value;
}

/** Reads the labels of jobs already known to be visible (JobLabelsService.labelsFor). */
export type LabelsOf = (ids: readonly JobId[]) => ReadonlyMap<JobId, JobLabels>;

export function presentJobDetail(job: JobRecord, labels: JobLabels | undefined, nowSeconds: number): Json {
  const active = job.state !== 'INACTIVE';
  const detail: Json = {
    id: job.id,
    jobid: toF58(job.id),
    userid: job.userid,
    username: job.owner,
    owner: job.owner,
    urgency: job.urgency,
    priority: job.priority ?? job.urgency,
    t_submit: job.t_submit,
  };
  for (const stamp of ['t_depend', 't_priority', 't_sched', 't_run', 't_cleanup', 't_inactive'] as const) {
    if (job[stamp] !== null) {
      detail[stamp] = job[stamp];
    }
  }
  Object.assign(detail, {
    state: job.state,
    name: job.name,
    command: job.command,
    cwd: orBlank(job.cwd),
    queue: orBlank(job.queue),
    executor: job.executor,
    // The job's id in Slurm ("123", or "123.4" for a step), to find it with squeue/sacct.
    ...(job.executor === 'slurm' && job.backendRef !== null ? { slurm_id: job.backendRef } : {}),
    ntasks: job.ntasks,
    ncores: job.ncores,
    ngpus: job.ngpus,
    duration: job.duration,
    nnodes: orBlank(job.nnodes),
    ranks: orBlank(job.ranks),
    nodelist: orBlank(job.nodelist),
    expiration: orBlank(job.expiration),
  });
  if (!active) {
    detail.success = job.success ?? false;
    detail.exception_occurred = job.exception.occurred;
  }
  Object.assign(detail, {
    result: active ? '' : orBlank(job.result),
    returncode: active ? '' : orBlank(job.returncode),
    runtime: runtimeOf(job, nowSeconds),
    waitstatus: active ? '' : orBlank(job.waitstatus),
    exception: active && !job.exception.occurred
      ? { occurred: '', severity: '', type: '', note: '' }
      : {
          occurred: job.exception.occurred,
          severity: orBlank(job.exception.severity),
          type: orBlank(job.exception.type),
          note: orBlank(job.exception.note),
        },
  });
  Object.assign(detail, presentLabels(job, labels));
  detail.usage = presentUsageSummary(job.usage);
  return detail;
}

/** Details of several jobs, their labels read at once (three queries, whatever the count). */
export function presentJobDetails(jobs: readonly JobRecord[], labelsOf: LabelsOf, nowSeconds: number): Json[] {
  const labels = labelsOf(jobs.map((job) => job.id));
  return jobs.map((job) => presentJobDetail(job, labels.get(job.id), nowSeconds));
}

/** The short record of `GET /v1/jobs` (clients read `id`; the rest saves them a round trip). */
export function presentJobSummary(job: JobRecord): Json {
  return {
    id: job.id,
    jobid: toF58(job.id),
    name: job.name,
    owner: job.owner,
    state: job.state,
    result: orBlank(job.result),
    returncode: job.state === 'INACTIVE' ? orBlank(job.returncode) : '',
    t_submit: job.t_submit,
  };
}
