/** Server-rendered pages. `GET /` answers 200 without credentials: it is the operator's readiness probe. */
import Router from '@koa/router';
import type { AppState } from '../state.js';
import type { PageDeps } from './page-deps.js';
import { jobPages } from './job-pages.js';
import { jobActionPages } from './job-actions.js';
import { templatePages } from './template-pages.js';
import { nodesPage } from './nodes-page.js';
import { utilizationPage } from './utilization-page.js';
import { submitPage } from './submit-page.js';

export function pagesRoutes(deps: PageDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/', async (ctx) => {
    deps.render(ctx, 'index.njk', { title: 'Home', executor: deps.executor, version: deps.version });
  });
  jobPages(router, deps);
  jobActionPages(router, deps);
  templatePages(router, deps);
  submitPage(router, deps);
  nodesPage(router, deps);
  utilizationPage(router, deps);
  return router;
}
