/**
 * Job templates: list, create, read, replace, delete, and submit a job from one with
 * parameters. Problems with parameters name them (`params.<name>`) in the error details.
 */
import type { JobTemplate } from '../../../model/template.js';
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { standardError } from '../../error-schemas.js';
import { setLastModified } from '../../middleware/http-cache.js';
import { presentJobDetail } from '../../presenters/job.js';
import { toF58 } from '../../../model/job-id.js';
import { parseTagRef } from '../../../domain/job-labels.js';
import { templateCreateSchema, templateReplaceSchema } from '../../../domain/templates/template-definition.js';
import { templateSchema, templateSubmitResponseSchema } from './schemas.js';
import type { ExtendedDeps } from './context.js';

const NAME = { name: 'Template name.' };
const submitBody = z.strictObject({
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional()
    .meta({ description: 'Parameter name → value (strings are read as the parameter\'s type: "8" for an integer).' }),
  tags: z.array(z.union([z.string().min(1).max(200), z.strictObject({ type: z.string().optional(), name: z.string() })])).max(64).optional()
    .meta({ description: 'Tags for the new job (it also gets template:<name>).' }),
  metadata: z.record(z.string(), z.string()).optional().meta({ description: 'Metadata for the new job.' }),
});
const NOT_FOUND = { description: 'No such template (or not shared with you)', schema: standardError };
const BAD = { description: 'Invalid definition (each problem named in details)', schema: standardError };

function presentTemplate(template: JobTemplate): Record<string, unknown> {
  return {
    name: template.name,
    owner: template.owner,
    shared: template.shared,
    description: template.description,
    parameters: template.definition.parameters,
    job: template.definition.job,
    revision: template.revision,
    created_at: template.createdAt,
    updated_at: template.updatedAt,
  };
}

export function templateRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const templates = deps.services.templates;

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/templates',
    summary: 'Templates you may use (yours and shared ones)',
    tags: ['templates'],
    access: 'user',
    responses: { 200: { description: 'Templates, by name', schema: z.object({ templates: z.array(templateSchema) }) } },
  }, async (ctx, { actor }) => {
    setLastModified(ctx, deps.services.clock.lastChange);
    ctx.body = { templates: templates.list(actor).map(presentTemplate) };
  });

  defineRoute(router, catalog, {
    method: 'post',
    path: '/v1/templates',
    summary: 'Create a template',
    description: 'Strings in `job` may hold `{{ parameter }}`; a numeric or boolean field may be exactly one placeholder of a parameter of that type. ' +
      'Every parameter needs a default or `required: true`. A command string is split into words when saved, so a value always stays one word.',
    tags: ['templates'],
    access: 'user',
    body: templateCreateSchema,
    responses: { 201: { description: 'Created (Location: the template)', schema: templateSchema }, 400: BAD, 409: { description: 'The name is taken', schema: standardError } },
  }, async (ctx, { actor, body }) => {
    const template = templates.create(body, actor);
    ctx.status = 201;
    ctx.set('Location', `/v1/templates/${encodeURIComponent(template.name)}`);
    ctx.body = presentTemplate(template);
  });

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/templates/:name',
    summary: 'A template',
    tags: ['templates'],
    access: 'user',
    pathParams: NAME,
    responses: { 200: { description: 'The template', schema: templateSchema }, 404: NOT_FOUND },
  }, async (ctx, { actor }) => {
    const template = templates.get(ctx.params.name ?? '', actor);
    setLastModified(ctx, template.updatedAt);
    ctx.body = presentTemplate(template);
  });

  defineRoute(router, catalog, {
    method: 'put',
    path: '/v1/templates/:name',
    summary: 'Replace a template (owner or superuser)',
    tags: ['templates'],
    access: 'user',
    pathParams: NAME,
    body: templateReplaceSchema,
    responses: { 200: { description: 'The template after the change', schema: templateSchema }, 400: BAD, 403: { description: 'Not yours', schema: standardError }, 404: NOT_FOUND },
  }, async (ctx, { actor, body }) => {
    ctx.body = presentTemplate(templates.replace(ctx.params.name ?? '', body, actor));
  });

  defineRoute(router, catalog, {
    method: 'delete',
    path: '/v1/templates/:name',
    summary: 'Delete a template (owner or superuser)',
    description: 'Jobs made from it keep running and keep their template tag.',
    tags: ['templates'],
    access: 'user',
    pathParams: NAME,
    responses: { 204: { description: 'Deleted' }, 403: { description: 'Not yours', schema: standardError }, 404: NOT_FOUND },
  }, async (ctx, { actor }) => {
    templates.remove(ctx.params.name ?? '', actor);
    ctx.status = 204;
  });

  defineRoute(router, catalog, {
    method: 'post',
    path: '/v1/templates/:name/submit',
    summary: 'Submit a job from a template',
    tags: ['templates', 'jobs'],
    access: 'user',
    pathParams: NAME,
    body: submitBody,
    responses: {
      201: { description: 'Submitted (Location: the job)', schema: templateSubmitResponseSchema },
      400: { description: 'A parameter is missing or invalid (details name `params.<name>`)', schema: standardError },
      404: NOT_FOUND,
      503: { description: 'Stopping, or the backend is unreachable', schema: standardError },
    },
  }, async (ctx, { actor, body }) => {
    const name = ctx.params.name ?? '';
    const tags = (body.tags ?? []).map((tag) => (typeof tag === 'string' ? parseTagRef(tag) : tag));
    const { job, values } = await templates.submit(name, actor, { params: body.params, tags, metadata: body.metadata });
    ctx.status = 201;
    ctx.set('Location', `/v1/jobs/${job.id.toString()}`);
    ctx.body = {
      id: job.id,
      jobid: toF58(job.id),
      template: name,
      params: values,
      job: presentJobDetail(job, deps.services.labels.labelsFor([job.id]).get(job.id), deps.now()),
    };
  });

  return router;
}
