/** A job's tags (`type:name`) and metadata (key → value). Every change answers with the job's labels after it. */
import type { JobgateClient } from './client.js';
import { pathId } from './client.js';
import type { JobLabels, WireId } from './types.js';

export async function jobLabels(client: JobgateClient, id: WireId): Promise<JobLabels> {
  return (await client.request('GET', `/v1/jobs/${pathId(id)}/labels`)).body as JobLabels;
}

export async function addTags(client: JobgateClient, id: WireId, tags: string[]): Promise<JobLabels> {
  return (await client.request('POST', `/v1/jobs/${pathId(id)}/tags`, { json: { tags } })).body as JobLabels;
}

export async function removeTags(client: JobgateClient, id: WireId, tags: string[]): Promise<JobLabels> {
  return (await client.request('DELETE', `/v1/jobs/${pathId(id)}/tags`, { query: { tag: tags.join(',') } })).body as JobLabels;
}

/** Merges: a null value removes its key. */
export async function setMetadata(client: JobgateClient, id: WireId, entries: Record<string, string | null>): Promise<JobLabels> {
  return (await client.request('PATCH', `/v1/jobs/${pathId(id)}/metadata`, { json: entries })).body as JobLabels;
}
