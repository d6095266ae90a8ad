/** Refuses oversized query strings with a 413 that names the query (bodies are limited by the body parser). */
import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';

export function queryLimit(maxBytes: number): Middleware {
  return async function queryLimitMiddleware(ctx, next) {
    if (ctx.querystring.length > maxBytes) {
      throw new AppError(413, 'PAYLOAD_TOO_LARGE', `query string is ${ctx.querystring.length} bytes; at most ${maxBytes}`, [{ field: 'query', message: 'too large' }]);
    }
    await next();
  };
}
