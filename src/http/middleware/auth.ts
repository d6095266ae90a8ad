/**
 * Who is asking. An Authenticator turns a request's credentials into an Actor; this middleware
 * puts it on ctx.state and answers 401 (with `WWW-Authenticate`, which the Python client needs
 * to start its token handshake) where a route needs one and there is none.
 */
import type { Middleware, ParameterizedContext } from 'koa';
import { AppError } from '../../errors.js';
import type { Actor } from '../../domain/job.js';
import type { AppState } from '../state.js';

export interface Authenticator {
  /** The actor behind the request, or null when it carries no credentials. Throws for bad ones. */
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
    throw notAuthenticated();
  }
  return actor;
}
