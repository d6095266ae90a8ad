/** Submit, list, detail and cancel, in flux-restful-api's shapes. */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { presentJobDetail, presentJobDetails, presentJobSummary } from '../../presenters/job.js';
import { setLastModified } from '../../middleware/http-cache.js';
import { jobIdParam, JOBID_PATH } from './params.js';
import { readSubmitRequest } from './submit-input.js';
import { cancelQuery, envarsBody, listQuery, submitBody, submitQuery } from './schemas.js';
import { cancelAnswer, jobListing, submitAccepted, submitRefused } from './responses.js';
import { jobDetailSchema } from '../../presenters/job-schemas.js';
import { errorBody, invalidJobId } from '../../error-schemas.js';
import type { ApiDeps } from './context.js';


export function jobsRoutes(deps: ApiDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const labelsOf = (ids: readonly bigint[]) => deps.extended.labels.labelsFor(ids);

  defineRoute(router, catalog, {
    method: 'post',
    operationId: 'submitJob',
    path: '/v1/jobs/submit',
    summary: 'Submit a job',
    description: 'Fields may come in the query string, as a JSON body holding the whole request, or as a form. A JSON body without "command" is the job\'s environment variables.',
    tags: ['jobs'],
    access: 'user',
    errors: 'compat',
    query: submitQuery,
    body: z.union([submitBody, envarsBody]),
    bodyTypes: ['application/json', 'application/x-www-form-urlencoded'],
    bodyHandledByRoute: true,
    responses: {
      200: { description: 'Accepted', schema: submitAccepted },
      400: { description: 'Invalid request: `{"Message": "Invalid submit request", "Errors": [...]}`, or a body that is not a JSON object', schema: z.union([submitRefused, errorBody]) },
      503: { description: 'Stopping, or the backend is unreachable (Retry-After)', schema: errorBody, headers: { 'Retry-After': 'Seconds to wait' } },
    },
  }, async (ctx, { actor }) => {
    const { input, user } = readSubmitRequest(ctx);
    // With auth off the original recorded a `user` parameter as the job's user; with auth on
    // the owner is always the authenticated user.
    const owner = deps.config.requireAuth || user === undefined ? actor.name : user;
    const job = await deps.jobs.submit(input, actor, owner);
    ctx.body = { Message: 'Job submit.', id: job.id };
  });

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'listJobs',
    path: '/v1/jobs',
    summary: 'List jobs',
    description: 'Newest first. `{"jobs": [...]}`; with details an object keyed by id; with details and listing a list.',
    tags: ['jobs'],
    access: 'user',
    errors: 'compat',
    query: listQuery,
    responses: { 200: { description: 'The jobs the caller may see', schema: jobListing } },
  }, async (ctx, { actor, query }) => {
    const details = query.details ?? query.detail ?? false;
    const max = deps.config.maxPageLength;
    const jobs = deps.jobs.query({ sort: [], offset: query.offset ?? 0, limit: Math.min(query.limit ?? max, max) }, actor);
    if (!details) {
      ctx.body = { jobs: jobs.map(presentJobSummary) };
      return;
    }
    const presented = presentJobDetails(jobs, labelsOf, deps.now());
    ctx.body = query.listing ? presented : Object.fromEntries(jobs.map((job, index) => [job.id.toString(), presented[index]]));
  });

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'getJob',
    path: '/v1/jobs/:jobid',
    summary: 'Job detail',
    tags: ['jobs'],
    access: 'user',
    errors: 'compat',
    pathParams: JOBID_PATH,
    responses: {
      200: { description: 'The job, with its tags, metadata and hold (fields added to flux-restful-api\'s)', schema: jobDetailSchema },
      400: { description: 'Not a job id', schema: invalidJobId },
      404: { description: 'No such job (or not yours)', schema: errorBody },
    },
  }, async (ctx, { actor }) => {
    const job = deps.jobs.get(jobIdParam(ctx.params.jobid), actor);
    const now = deps.now();
    // A running job's runtime grows by itself: its detail changes every second.
    setLastModified(ctx, job.state === 'RUN' ? now : deps.extended.clock.lastChange);
    ctx.body = presentJobDetail(job, deps.extended.labels.labelsFor([job.id]).get(job.id), now);
  });

  defineRoute(router, catalog, {
    method: 'post',
    operationId: 'cancelJob',
    path: '/v1/jobs/:jobid/cancel',
    summary: 'Cancel a job',
    tags: ['jobs'],
    access: 'user',
    errors: 'compat',
    pathParams: JOBID_PATH,
    query: cancelQuery,
    responses: {
      200: { description: '`{"Message": "Job is requested to cancel.", "id": "<as given>"}`', schema: cancelAnswer },
      400: { description: 'Not a job id, or no longer cancelable (as in flux-restful-api): `{"Message": "Job cannot be cancelled: job is inactive.", "id": ...}`', schema: z.union([invalidJobId, cancelAnswer]) },
      404: { description: 'No such job (or not yours): `{"Message": "Job cannot be cancelled: unknown job id.", "id": ...}`', schema: cancelAnswer },
    },
  }, async (ctx, { actor, query }) => {
    const given = ctx.params.jobid ?? '';
    const id = jobIdParam(given);
    try {
      await deps.jobs.cancel(id, actor, query.reason ?? '');
    } catch (error: unknown) {
      if (error instanceof AppError && error.status < 500) {
        const why = error.status === 404 ? 'unknown job id' : error.message;
        const body = { Message: `Job cannot be cancelled: ${why}.`, id: given };
        // flux-restful-api answered 400 for a job that can no longer be canceled, and its
        // clients (and their tests) expect that status.
        throw error.status === 409 ? new AppError(400, 'RESOURCE_CONFLICT', error.message).withBody(body) : error.withBody(body);
      }
      throw error;
    }
    ctx.body = { Message: 'Job is requested to cancel.', id: given };
  });

  return router;
}
