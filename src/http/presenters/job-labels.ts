/**
 * What a job looks like with its labels: the compatible detail object plus `tags`, `metadata`,
 * `held` and `hold` (additive fields only, so flux-restful-api clients read it unchanged).
 */
import { PENDING_STATES, type JobRecord } from '../../domain/job.js';
import type { JobLabels } from '../../domain/job-labels.js';
import { presentJobDetail } from './job.js';

type Json = Record<string, unknown>;

export function isHeld(job: Pick<JobRecord, 'urgency' | 'state'>): boolean {
  return job.urgency === 0 && PENDING_STATES.includes(job.state);
}

export function presentLabels(job: JobRecord, labels: JobLabels | undefined): Json {
  const held = isHeld(job);
  const hold = held && labels?.hold ? { reason: labels.hold.reason, held_by: labels.hold.heldBy, t: labels.hold.t } : null;
  return { tags: labels?.tags ?? [], metadata: labels?.metadata ?? {}, held, hold };
}

export function presentJobWithLabels(job: JobRecord, labels: JobLabels | undefined, nowSeconds: number): Json {
  return { ...presentJobDetail(job, nowSeconds), ...presentLabels(job, labels) };
}
