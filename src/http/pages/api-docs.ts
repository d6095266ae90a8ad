/**
 * `/docs`: the API documentation page. Swagger UI reads `/openapi.json`; its files come from the
 * swagger-ui-dist package and are served by jobgate itself (no CDN: clusters are often offline),
 * and only the few files the page loads are reachable.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import Router from '@koa/router';
import { send } from '@koa/send';
import type { AppState } from '../state.js';
import type { PageRenderer } from './render.js';

const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-16x16.png', 'favicon-32x32.png']);

function swaggerUiDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

export function apiDocsRoutes(deps: { render: PageRenderer }): Router<AppState> {
  const router = new Router<AppState>();
  const root = swaggerUiDir();

  router.get('/docs', async (ctx) => {
    deps.render(ctx, 'api-docs.njk', { title: 'API' });
  });

  router.get('/docs/assets/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    if (!ASSETS.has(file)) {
      ctx.status = 404;
      ctx.body = { detail: 'Not Found' };
      return;
    }
    await send(ctx, file, { root, maxage: 24 * 3600 * 1000, gzip: false, brotli: false });
  });

  return router;
}
