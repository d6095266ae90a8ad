/** The flux-restful-api compatible v1 API. */
import type Router from '@koa/router';
import type { AppState } from '../../state.js';
import type { ApiCatalog } from '../../route.js';
import type { ApiDeps } from './context.js';
import { jobsRoutes } from './jobs-routes.js';
import { outputRoutes } from './output-routes.js';
import { searchRoutes } from './search-routes.js';
import { serviceRoutes } from './service-routes.js';
import { tokenRoutes } from './token-routes.js';

export function v1Routes(deps: ApiDeps, catalog: ApiCatalog): Router<AppState>[] {
  // Every path under /v1 is the API's: an unknown one answers JSON in flux-restful-api's shape.
  catalog.addSpace('/v1', 'compat');
  // search before /v1/jobs/:jobid so "search" is never read as an id.
  return [searchRoutes(deps, catalog), jobsRoutes(deps, catalog), outputRoutes(deps, catalog), serviceRoutes(deps, catalog), tokenRoutes(deps, catalog)];
}
