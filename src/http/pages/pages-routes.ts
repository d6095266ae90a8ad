/** Server-rendered pages. `GET /` answers 200 without credentials: it is the operator's readiness probe. */
import Router from '@koa/router';
import type { Environment } from 'nunjucks';
import type { JobService } from '../../domain/jobs-service.js';
import type { ExtendedServices } from '../../domain/extended-services.js';
import type { OutputStore } from '../../output/output-store.js';
import type { AppState } from '../state.js';
import type { PageRenderer } from './render.js';
import { jobPages } from './job-pages.js';
import { jobActionPages } from './job-actions.js';
import { templatePages } from './template-pages.js';
import { nodesPage } from './nodes-page.js';
import { submitPage } from './submit-page.js';

export interface PageDeps {
  views: Environment;
  /** Renders a page with the caller's sign-in state and CSRF token (see render.ts). */
  render: PageRenderer;
  executor: string;
  version: string;
  jobs: JobService;
  /** Labels, hold/release/priority and templates (the job page's controls, the templates pages). */
  extended: ExtendedServices;
  output: OutputStore;
  /** Largest num_nodes the server accepts (the form's limit). */
  maxNodes: number;
  /** Seconds since the epoch. */
  now: () => number;
}

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
  return router;
}
