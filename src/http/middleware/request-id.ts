/** Gives every request an id (the caller's X-Request-Id when it is sane), echoed back and logged. */
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AppState } from '../state.js';

export function requestId(): Middleware<AppState> {
  return async function requestIdMiddleware(ctx, next) {
    const given = ctx.get('X-Request-Id');
    const id = /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
