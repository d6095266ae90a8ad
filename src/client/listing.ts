/** Listing and exporting jobs: `/v1/jobs/query` (a page and the total) and `/v1/jobs/export` (a stream). */
import type { JobgateClient } from './client.js';
import { selectionQuery, type JobSelection } from './selection.js';
import type { JobPage } from './types.js';

export interface Paging {
  /** Columns, first one first: `name`, `-t_submit` (descending), `name:desc`. */
  sort?: string[];
  limit?: number;
  offset?: number;
}

export interface ExportRequest {
  format: 'csv' | 'json' | 'ndjson';
  fields?: string[];
  times?: 'epoch' | 'iso';
  sort?: string[];
}

export async function queryJobs(client: JobgateClient, selection: JobSelection, paging: Paging = {}): Promise<JobPage> {
  const query = { ...selectionQuery(selection), sort: paging.sort?.join(','), limit: paging.limit, offset: paging.offset };
  return (await client.request('GET', '/v1/jobs/query', { query })).body as JobPage;
}

/** Opens the export; the caller reads the body as it arrives (it can be 100,000s of rows). */
export async function exportJobs(client: JobgateClient, selection: JobSelection, request: ExportRequest): Promise<Response> {
  const query = { ...selectionQuery(selection), format: request.format, fields: request.fields?.join(','), times: request.times, sort: request.sort?.join(',') };
  return (await client.request('GET', '/v1/jobs/export', { query, headers: { Accept: '*/*' }, raw: true })).response;
}
