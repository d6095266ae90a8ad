/** Server-rendered pages. `GET /` answers 200 without credentials: it is the operator's readiness probe. */
import Router from '@koa/router';
import type { Environment } from 'nunjucks';
import type { AppState } from '../state.js';

export interface PageDeps {
  views: Environment;
  executor: string;
  version: string;
}

export function pagesRoutes(deps: PageDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/', async (ctx) => {
    ctx.type = 'html';
    ctx.body = deps.views.render('index.njk', { title: 'Home', executor: deps.executor, version: deps.version });
  });
  return router;
}
