/**
 * Liveness and versions: `GET /ping` (no credentials, never touches the backend), the API
 * versions this server speaks, and jobgate's and the backend's versions.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { version } from '../../../version.js';
import { aboutSchema, latestVersionSchema, versionsSchema } from './schemas.js';
import type { ExtendedDeps } from './context.js';

const API_VERSIONS = [{ version: 'v1', path: '/v1', status: 'current' as const }];
const LATEST = 'v1';

export function metaRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();

  defineRoute(router, catalog, {
    method: 'get',
    path: '/ping',
    summary: 'Liveness: answers `pong`',
    description: 'No credentials needed; never contacts the backend (see `/ready` for that).',
    tags: ['meta'],
    access: 'public',
    errors: 'standard',
    cache: 'no-store',
    responses: { 200: { description: 'pong', schema: z.literal('pong'), contentType: 'text/plain' } },
  }, async (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = 'pong';
  });

  defineRoute(router, catalog, {
    method: 'get',
    path: '/meta/versions/supported',
    summary: 'API versions this server speaks',
    tags: ['meta'],
    access: 'public',
    errors: 'standard',
    responses: { 200: { description: 'Every supported version and the latest', schema: versionsSchema } },
  }, async (ctx) => {
    ctx.body = { versions: API_VERSIONS, latest: LATEST };
  });

  defineRoute(router, catalog, {
    method: 'get',
    path: '/meta/versions/latest',
    summary: 'The newest API version',
    tags: ['meta'],
    access: 'public',
    errors: 'standard',
    responses: { 200: { description: 'The newest version and its path prefix', schema: latestVersionSchema } },
  }, async (ctx) => {
    ctx.body = { version: LATEST, path: `/${LATEST}` };
  });

  defineRoute(router, catalog, {
    method: 'get',
    path: '/meta/info',
    summary: 'jobgate, API and backend versions',
    description: 'The backend version is `null` when the backend does not answer.',
    tags: ['meta'],
    access: 'user',
    errors: 'standard',
    responses: { 200: { description: 'Versions', schema: aboutSchema } },
  }, async (ctx) => {
    let backend: string | null;
    try {
      backend = await deps.jobs.backendVersion();
    } catch {
      backend = null;
    }
    ctx.body = {
      jobgate: version,
      api: { latest: LATEST, supported: API_VERSIONS.map((item) => item.version) },
      executor: deps.jobs.executorName,
      backend: { name: deps.jobs.executorName, version: backend },
    };
  });

  return router;
}
