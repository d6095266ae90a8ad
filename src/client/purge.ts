/** `POST /v1/jobs/purge`: removing ended jobs for good, or only hearing what would go. */
import type { JobgateClient } from './client.js';
import { selectionQuery, type JobSelection } from './selection.js';

export interface PurgeAnswer {
  dry_run: boolean;
  jobs: number;
  output_bytes: number;
  /** Exact ids (the lossless parser keeps them as given). */
  ids: unknown[];
}

export async function purgeJobs(client: JobgateClient, selection: JobSelection, dryRun: boolean): Promise<PurgeAnswer> {
  const query = { ...selectionQuery(selection), ...(dryRun ? { dry_run: 'true' } : {}) };
  return (await client.request('POST', '/v1/jobs/purge', { query })).body as PurgeAnswer;
}
