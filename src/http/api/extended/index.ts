/**
 * The routes beyond flux-restful-api's: meta, the scalable listing, export, hold/release/
 * priority, bulk, tags and metadata, templates, events. Mounted before the v1 routes, so
 * `/v1/jobs/query` and `/v1/jobs/export` are never read as `/v1/jobs/{id}`. Their errors all
 * have one shape: `isExtendedPath` tells the app which paths are theirs.
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
  return [metaRoutes, queryRoutes, exportRoutes, controlRoutes, bulkRoutes, labelRoutes, templateRoutes, eventsRoutes, userRoutes, purgeRoutes, usageRoutes, statsRoutes].map((build) => build(deps, catalog));
}

const EXTENDED_PATHS = [
  /^\/ping$/,
  /^\/meta\/.+$/,
  /^\/v1\/(tags|events|templates|stats)$/,
  /^\/v1\/templates\/[^/]+(\/submit)?$/,
  /^\/v1\/jobs\/(query|export|bulk|purge)$/,
  /^\/v1\/users(\/me(\/keys(\/[^/]+)?)?)?$/,
  /^\/v1\/jobs\/[^/]+\/(hold|release|priority|tags|metadata|labels|metrics)$/,
];

/** Whether a request path belongs to these routes (their errors get the one error shape). */
export function isExtendedPath(path: string): boolean {
  return EXTENDED_PATHS.some((pattern) => pattern.test(path));
}
