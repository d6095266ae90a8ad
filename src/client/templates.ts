/** Job templates: list, read, create or replace, delete, and submit a job from one with parameters. */
import type { JobgateClient } from './client.js';
import type { JobTemplate, TemplateSubmitted } from './types.js';

const path = (name: string): string => `/v1/templates/${encodeURIComponent(name)}`;

export interface TemplateSubmit {
  params?: Record<string, string>;
  tags?: string[];
  metadata?: Record<string, string>;
}

export async function listTemplates(client: JobgateClient): Promise<JobTemplate[]> {
  return ((await client.request('GET', '/v1/templates')).body as { templates: JobTemplate[] }).templates;
}

export async function getTemplate(client: JobgateClient, name: string): Promise<JobTemplate> {
  return (await client.request('GET', path(name))).body as JobTemplate;
}

/** Creates the template, or with `replace` replaces the one of that name. */
export async function saveTemplate(client: JobgateClient, name: string, definition: Record<string, unknown>, replace: boolean): Promise<JobTemplate> {
  const answer = replace
    ? await client.request('PUT', path(name), { json: { ...definition, name } })
    : await client.request('POST', '/v1/templates', { json: { ...definition, name } });
  return answer.body as JobTemplate;
}

export async function deleteTemplate(client: JobgateClient, name: string): Promise<void> {
  await client.request('DELETE', path(name));
}

export async function submitTemplate(client: JobgateClient, name: string, request: TemplateSubmit): Promise<TemplateSubmitted> {
  return (await client.request('POST', `${path(name)}/submit`, { json: request })).body as TemplateSubmitted;
}
