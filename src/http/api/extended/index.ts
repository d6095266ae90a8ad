/**
 * The routes beyond flux-restful-api's: meta, the scalable listing, export, hold/release/
 * priority, bulk, tags and metadata, templates, events. Mounted before the v1 routes, so
 * `/v1/jobs/query` and `/v1/jobs/export` are never read as `/v1/jobs/{id}` (the route table
 * matches in the same order). Each declares `errors: 'standard'`: their errors all have one shape.
 */
import type Router from '@koa/router';
import type { AppState } from '../../state.js';
import type { ApiCatalog } from '../../route.js';
import type { ExtendedDeps } from './context.js';
import { metaRoutes } from './meta-routes.js';
import { queryRoutes } from './query-routes.js';
import { exportRoutes } from './export-routes.js';
import { controlRoutes } from './control-routes.js';
import { bulkRoutes } from './bulk-routes.js';
import { labelRoutes } from './label-routes.js';
import { templateRoutes } from './template-routes.js';
import { eventsRoutes } from './events-routes.js';
import { userRoutes } from './user-routes.js';
import { purgeRoutes } from './purge-routes.js';
import { usageRoutes } from './usage-routes.js';
import { statsRoutes } from './stats-routes.js';

export function extendedRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState>[] {
  // `/meta/...` is theirs alone: an unknown path there gets the one error shape too. (`/ping`'s
  // neighbours stay with the service's paths, as before.)
  catalog.addSpace('/meta', 'standard');
  catalog.addSpace('/ping', 'compat');
  return [metaRoutes, queryRoutes, exportRoutes, controlRoutes, bulkRoutes, labelRoutes, templateRoutes, eventsRoutes, userRoutes, purgeRoutes, usageRoutes, statsRoutes].map((build) => build(deps, catalog));
}
