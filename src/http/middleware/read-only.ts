/**
 * Read-only credentials (read-only API keys and the tokens obtained with them) may list, read
 * and follow, nothing more. Checked here, once, by method for every route — API and pages
 * alike, so no route or form can forget it: every request that is not GET, HEAD or OPTIONS is
 * refused, but for the token routes, which change no job or user, only credentials (and a
 * read-only token must be able to drop itself). jobgate has no POST route that only reads.
 */
import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import type { AppState } from '../state.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CREDENTIAL_PATHS = new Set(['/v1/token', '/v1/login/access-token', '/v1/token/revoke']);

export function readOnlyRefused(): AppError {
  const message = 'This credential is read-only (a read-only API key): it may list, read and follow, not change anything';
  return new AppError(403, 'FORBIDDEN', message).withBody({ detail: message });
}

export function readOnlyGuard(): Middleware<AppState> {
  return async function readOnlyGuardMiddleware(ctx, next) {
    if (ctx.state.credential?.readOnly === true && !READ_METHODS.has(ctx.method) && !CREDENTIAL_PATHS.has(ctx.path)) {
      throw readOnlyRefused();
    }
    await next();
  };
}
