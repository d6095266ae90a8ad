/**
 * A job's labels as clients read them: `tags`, `metadata`, `held` and `hold` (fields added to
 * flux-restful-api's job detail, so its clients read it unchanged).
 */
import { PENDING_STATES, type JobRecord } from '../../model/job.js';
import type { JobLabels } from '../../model/job-labels.js';

type Json = Record<string, unknown>;

export function isHeld(job: Pick<JobRecord, 'urgency' | 'state'>): boolean {
  return job.urgency === 0 && PENDING_STATES.includes(job.state);
}

export function presentLabels(job: JobRecord, labels: JobLabels | undefined): Json {
  const held = isHeld(job);
  const hold = held && labels?.hold ? { reason: labels.hold.reason, held_by: labels.hold.heldBy, t: labels.hold.t } : null;
  return { tags: labels?.tags ?? [], metadata: labels?.metadata ?? {}, held, hold };
}
