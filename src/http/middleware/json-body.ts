/**
 * Writes object and array bodies with the bigint-safe serializer, so 64-bit job ids leave as
 * exact JSON integers (Koa's own JSON.stringify cannot write a bigint).
 */
import type { Middleware } from 'koa';
import { Stream } from 'node:stream';
import { stringifyJson } from '../../lib/json.js';

export function jsonBody(): Middleware {
  return async function jsonBodyMiddleware(ctx, next) {
    await next();
    const body: unknown = ctx.body;
    if (body === null || body === undefined || typeof body !== 'object' || Buffer.isBuffer(body) || body instanceof Stream) {
      return;
    }
    const status = ctx.status;
    ctx.body = stringifyJson(body);
    ctx.status = status;
    ctx.type = 'application/json';
  };
}
