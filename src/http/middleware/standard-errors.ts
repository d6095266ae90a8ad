/**
 * Each route's errors in the shape it declares (`errors` in its RouteSpec). One error shape for
 * every route beyond flux-restful-api's:
 * `{"error": {"code", "message", "details": [{field, message}], "request_id"}}` with a stable
 * code. Mounted right after the error renderer, for the routes that declare it, it replaces
 * the compatible bodies the shared pieces produce (FastAPI's 422 for a bad parameter,
 * `{"detail": ...}` for a missing login or a CSRF refusal) — keeping their status, except that a
 * bad parameter is a 400 here — and keeps their headers (WWW-Authenticate, Retry-After).
 */
import type { Middleware, ParameterizedContext } from 'koa';
import { AppError, type ErrorCode } from '../../errors.js';
import type { AppState } from '../state.js';
import type { ErrorShape } from '../route-spec.js';
import { fromUnknown } from './error-renderer.js';

/** Messages shown for 5xx errors, whose own text may reveal internals. */
const HIDDEN: Partial<Record<ErrorCode, string>> = {
  BACKEND_ERROR: 'The backend failed',
  SERVICE_UNAVAILABLE: 'The service or its backend is unavailable right now',
};

export function standardErrorBody(error: AppError, requestId: string): { error: { code: ErrorCode; message: string; details: AppError['details']; request_id: string } } {
  const message = error.expose ? error.message : (HIDDEN[error.code] ?? 'Internal Server Error');
  return { error: { code: error.code, message, details: error.details, request_id: requestId } };
}

function restyle(error: AppError, requestId: string): AppError {
  // FastAPI's 422 (a parameter of the wrong type) is a plain validation error here.
  const styled = error.status === 422 ? new AppError(400, 'VALIDATION_ERROR', error.message, error.details) : error;
  if (styled !== error) {
    styled.withHeaders(error.headers);
  }
  return styled.withBody(standardErrorBody(styled, requestId));
}

/**
 * Gives the errors of each request the shape its route declares, wherever they were thrown: in
 * the route, or before it (a CSRF refusal, a malformed or too large body). `shapeOf` asks the
 * route table; `compatible` adds flux-restful-api's bodies to the domain's errors. Unexpected
 * errors pass through untouched, so the error renderer logs them and answers a generic 500.
 */
export function declaredErrorShapes(shapeOf: (ctx: ParameterizedContext<AppState>) => ErrorShape, compatible: (error: AppError) => AppError): Middleware<AppState> {
  return async function errorShapesMiddleware(ctx, next) {
    try {
      await next();
    } catch (error: unknown) {
      if (shapeOf(ctx) === 'compat') {
        throw error instanceof AppError ? compatible(error) : error;
      }
      const known = fromUnknown(error);
      throw known.code === 'INTERNAL_ERROR' && !(error instanceof AppError) ? error : restyle(known, ctx.state.requestId);
    }
  };
}
