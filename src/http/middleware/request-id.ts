/**
 * Gives every request an id (the caller's X-Request-Id when it is sane), echoed back and
 * logged, and reports the time spent in jobgate as `Server-Timing` (seen by benchmarks and
 * browser developer tools; streams report the time to their first byte).
 */
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AppState } from '../state.js';

export function requestId(): Middleware<AppState> {
  return async function requestIdMiddleware(ctx, next) {
    const given = ctx.get('X-Request-Id');
    const id = /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      if (!ctx.headerSent) {
        ctx.set('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(2)}`);
      }
    }
  };
}
