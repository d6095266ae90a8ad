/** Server-rendered pages. `GET /` answers 200 without credentials: it is the operator's readiness probe. */
import Router from '@koa/router';
import type { Environment } from 'nunjucks';
import type { AppState } from '../state.js';
import type { PageRenderer } from './render.js';

export interface PageDeps {
  views: Environment;
  /** Renders a page with the caller's sign-in state and CSRF token (see render.ts). */
  render: PageRenderer;
  executor: string;
  version: string;
}

export function pagesRoutes(deps: PageDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/', async (ctx) => {
    deps.render(ctx, 'index.njk', { title: 'Home', executor: deps.executor, version: deps.version });
  });
  return router;
}
