/**
 * Who is asking. An Authenticator turns a request's credentials into an Actor; this middleware
 * puts it on ctx.state and answers 401 (with `WWW-Authenticate`, which the Python client needs
 * to start its token handshake) where a route needs one and there is none.
 */
import type { Middleware, ParameterizedContext } from 'koa';
import { AppError } from '../../errors.js';
import type { Actor } from '../../model/job.js';
import type { AppState } from '../state.js';

export interface Authenticator {
  /**
   * The actor behind the request, or null when it carries no (valid) credentials. Bad
   * credentials are noted on ctx.state (authProblem) rather than thrown, so public routes still
   * answer; routes that need an actor answer 401 through requireActor.
   */
  identify(ctx: ParameterizedContext<AppState>): Promise<Actor | null>;
}

/** With auth off every caller acts as the local superuser (only allowed on loopback unless told otherwise). */
export function openAuthenticator(localUser: string): Authenticator {
  const actor: Actor = { name: localUser, superuser: true };
  return { identify: async () => actor };
}

export function notAuthenticated(): AppError {
  return new AppError(401, 'UNAUTHENTICATED', 'Not authenticated')
    .withHeaders({ 'WWW-Authenticate': 'Bearer' })
    .withBody({ detail: 'Not authenticated' });
}

/**
 * A forged, expired or revoked Bearer token. flux-restful-api answered 403 here; a 401 with
 * `WWW-Authenticate` (RFC 6750) makes its Python client fetch a fresh token and retry, so a
 * long-lived client survives token expiry.
 */
export function invalidToken(): AppError {
  return new AppError(401, 'UNAUTHENTICATED', 'Could not validate credentials')
    .withHeaders({ 'WWW-Authenticate': 'Bearer error="invalid_token"' })
    .withBody({ detail: 'Could not validate credentials' });
}

export function notEnoughPrivileges(): AppError {
  return new AppError(403, 'FORBIDDEN', "The user doesn't have enough privileges").withBody({ detail: "The user doesn't have enough privileges" });
}

export function identify(authenticator: Authenticator): Middleware<AppState> {
  return async function identifyMiddleware(ctx, next) {
    const actor = await authenticator.identify(ctx);
    if (actor !== null) {
      ctx.state.actor = actor;
    }
    await next();
  };
}

export function requireActor(ctx: ParameterizedContext<AppState>): Actor {
  const actor = ctx.state.actor;
  if (actor === undefined) {
    throw ctx.state.authProblem === 'invalid_token' ? invalidToken() : notAuthenticated();
  }
  return actor;
}

export function requireSuperuser(ctx: ParameterizedContext<AppState>): Actor {
  const actor = requireActor(ctx);
  if (!actor.superuser) {
    throw notEnoughPrivileges();
  }
  return actor;
}

/** Admin routes (`admin: true`) from an address outside JOBGATE_ADMIN_ALLOW: 403 saying so. */
export function refuseOutsideAdminAddresses(ctx: ParameterizedContext<AppState>): void {
  const refusal = ctx.state.adminRefusal;
  if (refusal !== undefined) {
    throw new AppError(403, 'FORBIDDEN', refusal).withBody({ detail: refusal });
  }
}
