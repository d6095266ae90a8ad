/**
 * Per request: a child logger carrying the request id (`ctx.state.log`, so every line logged
 * for the request can be found by that id), the request's duration in the metrics by route
 * pattern (never the raw path: ids would make every job a new series), and one access-log line
 * when the response is done (streams: when they end). Query strings are not logged: they can
 * carry commands, environment variables and passwords.
 */
import type { Middleware, ParameterizedContext } from 'koa';
import type { Logger } from '../../logger.js';
import type { AppState } from '../state.js';

export interface RequestObserver {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/** Probes and assets are logged at debug level: a scrape every 15 s should not fill the log. */
const QUIET = /^\/(health|ready|metrics|static\/|docs\/assets\/|favicon)/;

/** The route pattern that answered (`/v1/jobs/:jobid`), or a fixed name for what no router matched. */
export function routeLabel(ctx: ParameterizedContext): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') {
    return matched;
  }
  if (ctx.path.startsWith('/static/')) {
    return '/static/*';
  }
  if (ctx.path.startsWith('/docs/assets/')) {
    return '/docs/assets/*';
  }
  return 'unmatched';
}

export function requestLog(logger: Logger, observer: RequestObserver): Middleware<AppState> {
  return async function requestLogMiddleware(ctx, next) {
    const log = logger.child({ requestId: ctx.state.requestId });
    ctx.state.log = log;
    const started = process.hrtime.bigint();
    // Read now: once the connection has closed, the socket no longer knows its peer.
    const ip = ctx.ip;
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    ctx.res.once('close', () => {
      const fields = {
        method: ctx.method,
        path: ctx.path,
        route: routeLabel(ctx),
        status: ctx.status,
        durationMs: Math.round(seconds() * 1e4) / 10,
        user: ctx.state.actor?.name,
        ip,
        ...(ctx.res.writableFinished ? {} : { aborted: true }),
      };
      if (QUIET.test(ctx.path)) {
        log.debug(fields, 'request');
      } else {
        log.info(fields, 'request');
      }
    });
    try {
      await next();
    } finally {
      observer.observeRequest(ctx.method, routeLabel(ctx), ctx.status, seconds());
    }
  };
}
