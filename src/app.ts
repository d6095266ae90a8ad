/**
 * createApp(deps): the Koa application with its middleware in order. It never listens (the
 * server module does), so tests drive it with supertest on a throwaway data directory.
 *
 * Order: request id → request log (child logger, access log, metrics) → error renderer → one
 * error shape (extended routes) → security headers → (loopback host guard, auth off) → query
 * limit → HTTP caching (outside the JSON writer: it validates the bytes that leave) → JSON writer
 * → browser assets and static files → body parser → (admin addresses, JOBGATE_ADMIN_ALLOW) →
 * identify caller → rate limit (per user, so after identifying) → read-only credentials (by
 * method, for API and pages alike) → CSRF check (after the body parser: forms carry their token in the body) →
 * routes (the extended ones first: `/v1/jobs/query` must not be read as `/v1/jobs/{id}`).
 */
import path from 'node:path';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import nunjucks from 'nunjucks';
import type { AuthService } from './auth/auth-service.js';
import type { Config } from './config/schema.js';
import { isLoopback } from './config/load.js';
import type { JobService } from './domain/jobs-service.js';
import type { OutputStore } from './output/output-store.js';
import { errorRenderer } from './http/middleware/error-renderer.js';
import { requestId } from './http/middleware/request-id.js';
import { requestLog } from './http/middleware/request-log.js';
import { securityHeaders } from './http/middleware/security-headers.js';
import { queryLimit } from './http/middleware/limits.js';
import { jsonBody } from './http/middleware/json-body.js';
import { identify, type Authenticator } from './http/middleware/auth.js';
import { csrfProtection } from './http/middleware/csrf.js';
import { readOnlyGuard } from './http/middleware/read-only.js';
import { adminAddresses } from './http/middleware/admin-addresses.js';
import { loopbackHostGuard } from './http/middleware/host-guard.js';
import { staticFiles } from './http/static-files.js';
import { browserAssets } from './http/pages/assets.js';
import { v1Routes } from './http/api/v1/index.js';
import { extendedRoutes, isExtendedPath } from './http/api/extended/index.js';
import { standardErrorsFor } from './http/middleware/standard-errors.js';
import { CACHED_API_PATHS, httpCache } from './http/middleware/http-cache.js';
import { rateLimit } from './http/middleware/rate-limit.js';
import type { ExtendedServices } from './domain/extended-services.js';
import { pagesRoutes } from './http/pages/pages-routes.js';
import { authPagesRoutes } from './http/pages/auth-pages.js';
import { pageRenderer } from './http/pages/render.js';
import { apiDocsRoutes } from './http/pages/api-docs.js';
import { opsRoutes } from './http/api/ops-routes.js';
import type { Metrics } from './metrics/metrics.js';
import type { Logger } from './logger.js';
import type { AppState } from './http/state.js';
import { ApiCatalog } from './http/route.js';
import { projectRoot, version } from './version.js';

export interface AppDeps {
  config: Config;
  jobs: JobService;
  output: OutputStore;
  authenticator: Authenticator;
  /** Users, tokens and sessions. */
  auth: AuthService;
  logger: Logger;
  metrics: Metrics;
  requestStop: (reason: string) => void;
  /** Labels, hold/release, bulk, templates, events, exports (the routes beyond flux-restful-api's). */
  extended: ExtendedServices;
  now?: () => number;
}

export interface JobgateApp {
  app: Koa<AppState>;
  /** Every declared route, for the OpenAPI document. */
  catalog: ApiCatalog;
}

export function createApp(deps: AppDeps): JobgateApp {
  const app = new Koa<AppState>();
  const catalog = new ApiCatalog();
  app.proxy = false;
  app.silent = true;
  const now = (): number => (deps.now ?? Date.now)() / 1000;
  const views = nunjucks.configure(path.join(projectRoot, 'views'), { autoescape: true, throwOnUndefined: false, noCache: false });
  // Asset URLs carry the version, so a browser never keeps an old script after an upgrade.
  views.addGlobal('assetVersion', version);

  const startedAt = Date.now();
  app.use(requestId());
  app.use(requestLog(deps.logger, deps.metrics));
  app.use(
    errorRenderer({
      logger: deps.logger,
      renderPage: (ctx, error) =>
        views.render('errors/error.njk', { title: `Error ${error.status}`, status: error.status, message: error.expose ? error.message : 'Internal Server Error', requestId: ctx.state.requestId }),
    }),
  );
  // The routes beyond flux-restful-api's answer every error in one shape, even those thrown
  // before them (CSRF, body parser).
  app.use(standardErrorsFor(isExtendedPath));
  app.use(securityHeaders());
  if (!deps.config.requireAuth && isLoopback(deps.config.host)) {
    app.use(loopbackHostGuard());
  }
  app.use(queryLimit(32 * 1024));
  app.use(httpCache({ isApiPath: (apiPath) => CACHED_API_PATHS.test(apiPath) }));
  app.use(jsonBody());
  app.use(browserAssets(projectRoot));
  app.use(staticFiles('/static', path.join(projectRoot, 'static')));
  app.use(
    koaBody({
      json: true,
      urlencoded: true,
      text: false,
      multipart: false,
      jsonLimit: deps.config.maxBodyBytes,
      formLimit: deps.config.maxBodyBytes,
      jsonStrict: false,
      includeUnparsed: true,
      onError: (error) => {
        throw error;
      },
    }),
  );
  if (deps.config.adminAllow !== null) {
    app.use(adminAddresses(deps.config.adminAllow));
  }
  app.use(identify(deps.authenticator));
  app.use(rateLimit({ ...deps.config.rateLimit, byUser: deps.config.requireAuth }));
  app.use(readOnlyGuard());
  app.use(csrfProtection());

  const render = pageRenderer(views, deps.config.requireAuth);
  const apiDeps = { config: deps.config, jobs: deps.jobs, auth: deps.auth, output: deps.output, requestStop: deps.requestStop, now, extended: deps.extended };
  const opsDeps = { config: deps.config, jobs: deps.jobs, metrics: deps.metrics, version, startedAt, standardErrors: isExtendedPath };
  const pageDeps = { views, render, executor: deps.jobs.executorName, version, jobs: deps.jobs, extended: deps.extended, output: deps.output, maxNodes: () => deps.jobs.maxNodes, now };
  const extended = extendedRoutes({ config: deps.config, jobs: deps.jobs, services: deps.extended, auth: deps.auth, now }, catalog);
  for (const router of [...extended, ...v1Routes(apiDeps, catalog), opsRoutes(opsDeps, catalog), apiDocsRoutes({ render }), pagesRoutes(pageDeps), authPagesRoutes({ auth: deps.auth, render, authRequired: deps.config.requireAuth })]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return { app, catalog };
}
