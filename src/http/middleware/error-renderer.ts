/**
 * The one place errors become responses. AppErrors keep their status and (for the
 * flux-restful-api routes) their compatible body; body-parser errors become 400/413 naming the
 * body; anything unexpected is logged with the request id and answered with a generic 500 whose
 * text reveals nothing. Pages get an HTML error page, API callers JSON.
 */
import type { Middleware, ParameterizedContext } from 'koa';
import { AppError, storageRefusal, type ErrorCode } from '../../errors.js';
import { stringifyJson } from '../../lib/json.js';
import type { AppState } from '../state.js';

export interface ErrorLogger {
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
  headers?: Record<string, string>;
}

/** Any thrown value as an AppError (body-parser errors keep their meaning; the rest is a 500). */
export function fromUnknown(error: unknown): AppError {
  if (error instanceof AppError) {
    return error;
  }
  const storage = storageRefusal(error);
  if (storage !== null) {
    return storage;
  }
  const http = (typeof error === 'object' && error !== null ? error : {}) as HttpishError;
  const status = http.status ?? http.statusCode ?? 500;
  if (status === 413) {
    return new AppError(413, 'PAYLOAD_TOO_LARGE', 'request body is larger than this server accepts', [{ field: 'body', message: 'too large' }]);
  }
  if (status === 400 && (http.type === 'entity.parse.failed' || /JSON|Unexpected|token/i.test(http.message ?? ''))) {
    return new AppError(400, 'VALIDATION_ERROR', 'body: not valid JSON', [{ field: 'body', message: 'not valid JSON' }]);
  }
  if (status === 415) {
    return new AppError(415, 'VALIDATION_ERROR', 'unsupported Content-Type', [{ field: 'Content-Type', message: 'unsupported' }]);
  }
  if (status >= 400 && status < 500 && http.expose !== false) {
    const codes: Record<number, ErrorCode> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'RESOURCE_NOT_FOUND', 409: 'RESOURCE_CONFLICT', 429: 'RATE_LIMIT_EXCEEDED' };
    return new AppError(status, codes[status] ?? 'VALIDATION_ERROR', http.message ?? 'bad request');
  }
  return new AppError(500, 'INTERNAL_ERROR', 'Internal Server Error');
}

export interface ErrorRendererOptions {
  logger: ErrorLogger;
  /** The HTML error page, for requests to a page (`isPage`) from a browser that prefers HTML. */
  renderPage?: (ctx: ParameterizedContext<AppState>, error: AppError) => string;
  /** Whether the request is for a page, as its route declares (API routes always answer JSON). */
  isPage?: (ctx: ParameterizedContext<AppState>) => boolean;
}

function wantsHtml(ctx: ParameterizedContext<AppState>, options: ErrorRendererOptions): boolean {
  return options.isPage !== undefined && options.isPage(ctx) && ctx.accepts('json', 'html') === 'html';
}

export function errorRenderer(options: ErrorRendererOptions): Middleware<AppState> {
  return async function errorRendererMiddleware(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(404, 'RESOURCE_NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (caught: unknown) {
      const error = fromUnknown(caught);
      if (error.status === 503 || error.status === 502) {
        // The backend or the disk is away, and the answer says so: one line, not a stack per request.
        const log = ctx.state.log ?? options.logger;
        log.warn({ requestId: ctx.state.requestId, path: ctx.path, status: error.status, reason: error.message }, 'request refused: unavailable');
      } else if (error.status >= 500) {
        // The request's own logger already carries its id.
        if (ctx.state.log !== undefined) {
          ctx.state.log.error({ err: caught, path: ctx.path }, 'request failed');
        } else {
          options.logger.error({ err: caught, requestId: ctx.state.requestId, path: ctx.path }, 'request failed');
        }
      }
      if (ctx.headerSent || !ctx.writable) {
        return;
      }
      ctx.status = error.status;
      for (const [name, value] of Object.entries(error.headers)) {
        ctx.set(name, value);
      }
      if (options.renderPage !== undefined && wantsHtml(ctx, options)) {
        ctx.type = 'html';
        ctx.body = options.renderPage(ctx, error);
        return;
      }
      const body = error.body !== undefined
        ? error.body
        : {
            detail: error.expose ? error.message : 'Internal Server Error',
            error: {
              code: error.code,
              message: error.expose ? error.message : 'Internal Server Error',
              details: error.details,
              request_id: ctx.state.requestId,
            },
          };
      ctx.type = 'application/json';
      ctx.body = stringifyJson(body);
    }
  };
}
