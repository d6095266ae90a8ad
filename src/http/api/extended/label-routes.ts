/**
 * Tags and metadata of one job, and the tags in use. Tags are `{type, name}` (a bare string
 * `type:name` or `name` is accepted too; the type defaults to `default`); metadata is string
 * key → string value, merged with PATCH (null removes a key) or replaced with PUT.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { jobIdParam, JOBID_PATH } from '../v1/params.js';
import { standardError } from '../../error-schemas.js';
import { presentLabels } from '../../presenters/job-labels.js';
import { parseTagRef } from '../../../domain/job-labels.js';
import { tagList } from './filter-values.js';
import { jobLabelsSchema } from '../../presenters/job-schemas.js';
import { tagCountSchema } from './schemas.js';
import type { ExtendedDeps } from './context.js';

const tagItem = z.union([
  z.string().min(1).max(200).meta({ description: '`type:name`, or `name` (type `default`)' }),
  z.strictObject({ type: z.string().optional(), name: z.string() }),
]);
const tagsBody = z.strictObject({ tags: z.array(tagItem).min(1).max(64) });
const metadataBody = z.record(z.string(), z.string().nullable()).meta({ description: 'Key → value; with PATCH, null removes the key.' });
const untagQuery = z.object({ tag: tagList().meta({ description: 'Tags to remove: `type:name`, or `name` for that name under any type.' }) });
const NOT_FOUND = { description: 'No such job (or not yours)', schema: standardError };
const BAD = { description: 'Not a job id, or invalid tags or metadata (each named in details)', schema: standardError };

export function labelRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const labels = deps.services.labels;
  const answer = (id: bigint, actor: Parameters<typeof labels.get>[1]) => presentLabels(deps.jobs.get(id, actor), labels.get(id, actor));

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/jobs/:jobid/labels',
    summary: 'Tags, metadata and hold of a job',
    tags: ['labels'],
    access: 'user',
    errors: 'standard',
    pathParams: JOBID_PATH,
    responses: { 200: { description: 'The labels', schema: jobLabelsSchema }, 400: { description: 'Not a job id', schema: standardError }, 404: NOT_FOUND },
  }, async (ctx, { actor }) => {
    ctx.body = answer(jobIdParam(ctx.params.jobid), actor);
  });

  defineRoute(router, catalog, {
    method: 'post',
    path: '/v1/jobs/:jobid/tags',
    summary: 'Add tags to a job',
    description: 'Tags already there stay; at most 64 per job.',
    tags: ['labels'],
    access: 'user',
    errors: 'standard',
    pathParams: JOBID_PATH,
    body: tagsBody,
    responses: { 200: { description: 'The job\'s labels after the change', schema: jobLabelsSchema }, 400: BAD, 404: NOT_FOUND },
  }, async (ctx, { actor, body }) => {
    const id = jobIdParam(ctx.params.jobid);
    labels.addTags(id, actor, body.tags.map((tag) => (typeof tag === 'string' ? parseTagRef(tag) : tag)));
    ctx.body = answer(id, actor);
  });

  defineRoute(router, catalog, {
    method: 'delete',
    path: '/v1/jobs/:jobid/tags',
    summary: 'Remove tags from a job',
    tags: ['labels'],
    access: 'user',
    errors: 'standard',
    pathParams: JOBID_PATH,
    query: untagQuery,
    responses: { 200: { description: 'The job\'s labels after the change', schema: jobLabelsSchema }, 400: BAD, 404: NOT_FOUND },
  }, async (ctx, { actor, query }) => {
    const id = jobIdParam(ctx.params.jobid);
    labels.removeTags(id, actor, query.tag ?? []);
    ctx.body = answer(id, actor);
  });

  for (const method of ['patch', 'put'] as const) {
    defineRoute(router, catalog, {
      method,
      path: '/v1/jobs/:jobid/metadata',
      summary: method === 'patch' ? 'Set or remove metadata keys of a job (merge)' : 'Replace all metadata of a job',
      description: 'At most 64 keys per job; keys are 1-64 letters, digits, `_ . : -`; values at most 4096 characters.',
      tags: ['labels'],
      access: 'user',
      errors: 'standard',
      pathParams: JOBID_PATH,
      body: metadataBody,
      responses: { 200: { description: 'The job\'s labels after the change', schema: jobLabelsSchema }, 400: BAD, 404: NOT_FOUND },
    }, async (ctx, { actor, body }) => {
      const id = jobIdParam(ctx.params.jobid);
      labels.setMetadata(id, actor, body, method === 'put');
      ctx.body = answer(id, actor);
    });
  }

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/tags',
    summary: 'Tags in use, with how many of your jobs carry each',
    tags: ['labels'],
    access: 'user',
    errors: 'standard',
    responses: { 200: { description: 'Tags', schema: z.object({ tags: z.array(tagCountSchema) }) } },
  }, async (ctx, { actor }) => {
    ctx.body = { tags: labels.tags(actor) };
  });

  return router;
}
