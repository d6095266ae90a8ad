/**
 * Browser assets that do not live in static/: the page scripts (TypeScript in web/, compiled
 * to dist/web by the build) under `/static/app/`, DataTables from its npm packages under
 * `/static/vendor/datatables/` and uPlot (the usage charts) under `/static/vendor/uplot/` —
 * served by jobgate itself, never from a CDN (clusters are often
 * offline). Vendor files come from a fixed list, so no request path is ever joined onto
 * node_modules; anything else falls through to the static/ folder.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Middleware } from 'koa';
import { send } from '@koa/send';

const require = createRequire(import.meta.url);
const MAX_AGE_MS = 3600 * 1000;

/** URL path → file inside an installed package. */
const VENDOR: Record<string, string> = {
  '/static/vendor/datatables/dataTables.min.js': 'datatables.net/js/dataTables.min.js',
  '/static/vendor/datatables/dataTables.dataTables.min.css': 'datatables.net-dt/css/dataTables.dataTables.min.css',
  '/static/vendor/uplot/uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  '/static/vendor/uplot/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

function resolveVendor(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [urlPath, file] of Object.entries(VENDOR)) {
    files.set(urlPath, require.resolve(file));
  }
  return files;
}

export function browserAssets(projectRoot: string): Middleware {
  const vendor = resolveVendor();
  const compiled = path.join(projectRoot, 'dist', 'web');
  return async function browserAssetsMiddleware(ctx, next) {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      await next();
      return;
    }
    if (ctx.path.startsWith('/static/vendor/')) {
      const file = vendor.get(ctx.path);
      if (file !== undefined) {
        await send(ctx, path.basename(file), { root: path.dirname(file), maxage: MAX_AGE_MS });
        return;
      }
    } else if (ctx.path.startsWith('/static/app/') && /^\/static\/app\/[\w/-]+\.js(\.map)?$/.test(ctx.path) && !ctx.path.includes('..')) {
      const relative = ctx.path.slice('/static/app/'.length);
      if (fs.existsSync(path.join(compiled, relative))) {
        await send(ctx, relative, { root: compiled, maxage: MAX_AGE_MS });
        return;
      }
    }
    await next();
  };
}
