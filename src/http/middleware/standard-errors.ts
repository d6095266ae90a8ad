/**
 * One error shape for every route beyond flux-restful-api's:
 * `{"error": {"code", "message", "details": [{field, message}], "request_id"}}` with a stable
 * code. Mounted right after the error renderer for the paths of those routes only, it replaces
 * the compatible bodies the shared pieces produce (FastAPI's 422 for a bad parameter,
 * `{"detail": ...}` for a missing login or a CSRF refusal) — keeping their status, except that a
 * bad parameter is a 400 here — and keeps their headers (WWW-Authenticate, Retry-After).
 */
import type { Middleware } from 'koa';
import { AppError, type ErrorCode } from '../../errors.js';
import type { AppState } from '../state.js';
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
 * Restyles the errors of requests to the given paths, wherever they were thrown: in a route, or
 * before it (a CSRF refusal, a malformed or too large body). Unexpected errors pass through
 * untouched, so the error renderer logs them and answers a generic 500.
 */
export function standardErrorsFor(matches: (path: string) => boolean): Middleware<AppState> {
  return async function standardErrorsMiddleware(ctx, next) {
    try {
      await next();
    } catch (error: unknown) {
      if (!matches(ctx.path)) {
        throw error;
      }
      const known = fromUnknown(error);
      throw known.code === 'INTERNAL_ERROR' && !(error instanceof AppError) ? error : restyle(known, ctx.state.requestId);
    }
  };
}
