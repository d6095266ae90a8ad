/**
 * Serves static/ from jobgate itself (clusters are often offline: pages never load anything
 * from a CDN). @koa/send resolves paths inside the root and refuses traversal.
 */
import type { Middleware } from 'koa';
import { send } from '@koa/send';

export function staticFiles(prefix: string, root: string): Middleware {
  return async function staticFilesMiddleware(ctx, next) {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ctx.path.startsWith(`${prefix}/`)) {
      await next();
      return;
    }
    let served = '';
    try {
      served = (await send(ctx, ctx.path.slice(prefix.length), { root, maxage: 3600 * 1000, gzip: false, brotli: false })) ?? '';
    } catch (error: unknown) {
      const status = (error as { status?: number }).status ?? 500;
      if (status === 404 || status === 400 || status === 403) {
        ctx.status = 404;
        ctx.body = { detail: 'Not Found' };
        return;
      }
      throw error;
    }
    if (served === '') {
      ctx.status = 404;
      ctx.body = { detail: 'Not Found' };
    }
  };
}
