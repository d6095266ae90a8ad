/**
 * Hold, release and priority of one job, in Flux's terms (urgency 0 holds, 16 is the default,
 * 31 expedites) whatever the backend: Flux urgency, Slurm hold/release, the local queue.
 * Only pending jobs can change; a running or ended job is a 409 that says why.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { jobIdParam, JOBID_PATH } from '../v1/params.js';
import { standardError } from '../../error-schemas.js';
import { toF58 } from '../../../model/job-id.js';
import { URGENCY } from '../../../model/job.js';
import type { ControlOutcome } from '../../../domain/job-control.js';
import { controlSchema } from './schemas.js';
import type { ExtendedDeps } from './context.js';

const holdBody = z.strictObject({ reason: z.string().max(1024).optional().meta({ description: 'Why; shown with the job until it is released.' }) });
const URGENCY_NAMES = { hold: URGENCY.hold, default: URGENCY.default, expedite: URGENCY.expedite } as const;
const priorityBody = z.strictObject({
  urgency: z.union([z.number().int().min(URGENCY.hold).max(URGENCY.expedite), z.enum(['hold', 'default', 'expedite'])])
    .meta({ description: '0-31 (0 holds, 16 default, 31 expedite), or the names hold, default, expedite.' }),
});
const RESPONSES = {
  200: { description: 'Done (changed is false when the job already was so)', schema: controlSchema },
  400: { description: 'Invalid id or body', schema: standardError },
  404: { description: 'No such job (or not yours)', schema: standardError },
  409: { description: 'The job is running or has ended, or the backend refused', schema: standardError },
  503: { description: 'The backend is unreachable', schema: standardError },
};

function present(outcome: ControlOutcome): Record<string, unknown> {
  const held = outcome.urgency === URGENCY.hold;
  return {
    id: outcome.job.id,
    jobid: toF58(outcome.job.id),
    state: outcome.job.state,
    urgency: outcome.urgency,
    changed: outcome.changed,
    held,
    hold: held && outcome.hold !== null ? { reason: outcome.hold.reason, held_by: outcome.hold.heldBy, t: outcome.hold.t } : null,
  };
}

export function controlRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const control = deps.services.control;

  defineRoute(router, catalog, {
    method: 'put',
    path: '/v1/jobs/:jobid/hold',
    summary: 'Hold a pending job (it stays queued until released)',
    tags: ['jobs'],
    access: 'user',
    pathParams: JOBID_PATH,
    body: holdBody,
    responses: RESPONSES,
  }, async (ctx, { actor, body }) => {
    ctx.body = present(await control.hold(jobIdParam(ctx.params.jobid), actor, body.reason ?? ''));
  });

  defineRoute(router, catalog, {
    method: 'put',
    path: '/v1/jobs/:jobid/release',
    summary: 'Release a held job (back to the urgency it had before the hold)',
    tags: ['jobs'],
    access: 'user',
    pathParams: JOBID_PATH,
    responses: RESPONSES,
  }, async (ctx, { actor }) => {
    ctx.body = present(await control.release(jobIdParam(ctx.params.jobid), actor));
  });

  defineRoute(router, catalog, {
    method: 'put',
    path: '/v1/jobs/:jobid/priority',
    summary: 'Set the urgency of a pending job',
    tags: ['jobs'],
    access: 'user',
    pathParams: JOBID_PATH,
    body: priorityBody,
    responses: RESPONSES,
  }, async (ctx, { actor, body }) => {
    const urgency = typeof body.urgency === 'number' ? body.urgency : URGENCY_NAMES[body.urgency];
    ctx.body = present(await control.setPriority(jobIdParam(ctx.params.jobid), actor, urgency));
  });

  return router;
}
