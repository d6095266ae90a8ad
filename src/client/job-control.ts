/** Hold, release and priority of one job, and cancel, hold or release of many (`/v1/jobs/bulk`). */
import type { JobgateClient } from './client.js';
import { pathId } from './client.js';
import { selectionFilter, type JobSelection } from './selection.js';
import type { BulkAnswer, ControlAnswer, WireId } from './types.js';

export type BulkAction = 'cancel' | 'hold' | 'release';

export interface BulkRequest {
  action: BulkAction;
  /** The jobs by id, or (without ids) the jobs a selection chooses. */
  ids?: WireId[];
  selection?: JobSelection;
  reason?: string;
  dryRun?: boolean;
}

export async function holdJob(client: JobgateClient, id: WireId, reason?: string): Promise<ControlAnswer> {
  return (await client.request('PUT', `/v1/jobs/${pathId(id)}/hold`, { json: reason === undefined ? {} : { reason } })).body as ControlAnswer;
}

export async function releaseJob(client: JobgateClient, id: WireId): Promise<ControlAnswer> {
  return (await client.request('PUT', `/v1/jobs/${pathId(id)}/release`)).body as ControlAnswer;
}

/** `urgency`: 0-31, or hold, default, expedite. */
export async function setPriority(client: JobgateClient, id: WireId, urgency: number | string): Promise<ControlAnswer> {
  return (await client.request('PUT', `/v1/jobs/${pathId(id)}/priority`, { json: { urgency } })).body as ControlAnswer;
}

export async function bulkAction(client: JobgateClient, request: BulkRequest): Promise<BulkAnswer> {
  const body = {
    action: request.action,
    // Decimal strings: exact whatever the size (JSON.stringify cannot write a bigint).
    ...(request.ids === undefined ? { filter: selectionFilter(request.selection ?? {}) } : { job_ids: request.ids.map(pathId) }),
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...(request.dryRun === true ? { dry_run: true } : {}),
  };
  return (await client.request('POST', '/v1/jobs/bulk', { json: body })).body as BulkAnswer;
}
