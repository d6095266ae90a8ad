/** Nodes and `POST /v1/service/stop` (which the Flux Operator uses to end a mini-cluster). */
import Router from '@koa/router';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { nodesQuery } from './schemas.js';
import { nodesAnswer } from './responses.js';
import { messageBody } from '../../error-schemas.js';
import type { ApiDeps } from './context.js';

export function serviceRoutes(deps: ApiDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'listNodes',
    path: '/v1/nodes',
    summary: 'Nodes',
    description: '`{"nodes": [names]}`; with details also cores, GPUs, busy and free counts and the jobs running on each.',
    tags: ['resources'],
    access: 'user',
    query: nodesQuery,
    responses: { 200: { description: 'The nodes that are up', schema: nodesAnswer } },
  }, async (ctx, { actor, query }) => {
    const details = query.details ?? false;
    const nodes = await deps.jobs.nodes(actor);
    const body: Record<string, unknown> = { nodes: [...new Set(nodes.filter((node) => node.state !== 'down').map((node) => node.name))] };
    if (details) {
      body.details = nodes.map((node) => ({
        name: node.name,
        state: node.state,
        cores: node.cores,
        cores_busy: node.coresBusy,
        cores_free: Math.max(0, node.cores - node.coresBusy),
        gpus: node.gpus,
        gpus_busy: node.gpusBusy,
        gpus_free: Math.max(0, node.gpus - node.gpusBusy),
        jobs: node.jobs,
      }));
    }
    ctx.body = body;
  });

  defineRoute(router, catalog, {
    method: 'post',
    operationId: 'stopService',
    path: '/v1/service/stop',
    summary: 'Stop the service (ends the Flux instance when jobgate is its initial program)',
    description: 'Answers first, then refuses new jobs, cancels running ones, ends every stream with a final event, closes the store and exits 0.',
    tags: ['service'],
    access: 'superuser',
    admin: true,
    responses: { 200: { description: 'Stopping', schema: messageBody } },
  }, async (ctx, { actor }) => {
    ctx.body = { Message: 'Service stopping: no new jobs are accepted, running jobs are canceled, streams are closed, then jobgate exits.' };
    // Answer first; the drain starts once the response has left.
    ctx.res.once('finish', () => deps.requestStop(`service/stop by ${actor.name}`));
  });

  return router;
}
