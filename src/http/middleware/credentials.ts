/**
 * The authenticator used when auth is on: a Bearer access token (API clients), else the
 * session cookie (browsers; pages never need the Bearer handshake, and the API answers the
 * cookie too). Bad credentials never throw here: public routes (`GET /`, `/v1/token`, whose
 * Authorization header holds a token *request*) must keep working; routes that need an actor
 * answer 401 through `requireActor`.
 */
import type { AuthService } from '../../auth/auth-service.js';
import type { Authenticator } from './auth.js';
import { readCookie, SESSION_COOKIE } from '../cookies.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function credentialsAuthenticator(auth: AuthService): Authenticator {
  return {
    async identify(ctx) {
      const bearer = BEARER.exec(ctx.get('Authorization'));
      if (bearer !== null && bearer[1] !== undefined) {
        const owner = await auth.tokenOwner(bearer[1]);
        if (owner === null || owner.jti === undefined) {
          ctx.state.authProblem = 'invalid_token';
          return null;
        }
        ctx.state.credential = { kind: 'bearer', jti: owner.jti };
        return owner.actor;
      }
      // Any other scheme (Basic included) is no credential for the API, as in flux-restful-api.
      const sessionId = readCookie(ctx, SESSION_COOKIE);
      if (sessionId !== undefined) {
        const owner = auth.sessionOwner(sessionId);
        if (owner !== null && owner.csrfToken !== undefined) {
          ctx.state.credential = { kind: 'session', id: sessionId, csrfToken: owner.csrfToken };
          return owner.actor;
        }
      }
      return null;
    },
  };
}
