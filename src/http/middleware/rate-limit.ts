/**
 * A token bucket per client over the whole API: the signed-in user when auth is on (so people
 * behind one address do not share a budget), else the client address. Every answer says where
 * the client stands (X-RateLimit-Limit, -Remaining, and -Reset in seconds until the bucket is
 * full); a client over its budget gets a 429 with Retry-After. Loopback clients (the tools and
 * sidecars of the allocation itself) are not limited unless asked.
 */
import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import { TokenBuckets } from '../../lib/token-bucket.js';
import { standardErrorBody } from './standard-errors.js';
import type { AppState } from '../state.js';

export interface RateLimitOptions {
  /** Sustained requests per second per client; 0 turns limiting off. */
  perSecond: number;
  /** Requests a client may make at once. */
  burst: number;
  /** Limit loopback clients too. */
  limitLoopback: boolean;
  /** Key by user (auth on) rather than by address. */
  byUser: boolean;
  now?: () => number;
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

export function rateLimit(options: RateLimitOptions): Middleware<AppState> {
  if (options.perSecond <= 0) {
    return async function rateLimitOff(_ctx, next) {
      await next();
    };
  }
  const buckets = new TokenBuckets(options.burst, options.perSecond, options.now);
  return async function rateLimitMiddleware(ctx, next) {
    if (!options.limitLoopback && isLoopbackAddress(ctx.ip)) {
      await next();
      return;
    }
    const actor = ctx.state.actor;
    const key = options.byUser && actor !== undefined ? `user:${actor.name}` : `address:${ctx.ip}`;
    const take = buckets.take(key);
    const headers = {
      'X-RateLimit-Limit': String(options.burst),
      'X-RateLimit-Remaining': String(take.remaining),
      'X-RateLimit-Reset': String(take.resetSeconds),
    };
    ctx.set(headers);
    if (!take.allowed) {
      const error = new AppError(429, 'RATE_LIMIT_EXCEEDED', `Too many requests; retry in ${take.retryAfterSeconds} s`)
        .withHeaders({ ...headers, 'Retry-After': String(take.retryAfterSeconds) });
      throw error.withBody(standardErrorBody(error, ctx.state.requestId));
    }
    await next();
  };
}
