/**
 * The authenticator used when auth is on: an API key (`X-API-Key`, or a Bearer value that
 * starts with `jg_`), a Bearer access token (API clients), else the session cookie (browsers;
 * pages never need the Bearer handshake, and the API answers the cookie too). Bad credentials
 * never throw here: public routes (`GET /`, `/v1/token`, whose Authorization header holds a
 * token *request*) must keep working; routes that need an actor answer 401 through
 * `requireActor`.
 */
import type { ParameterizedContext } from 'koa';
import type { AuthService } from '../../auth/auth-service.js';
import { looksLikeApiKey } from '../../auth/api-keys.js';
import type { Actor } from '../../model/job.js';
import type { AppState } from '../state.js';
import type { Authenticator } from './auth.js';
import { readCookie, SESSION_COOKIE } from '../cookies.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function keyActor(ctx: ParameterizedContext<AppState>, auth: AuthService, key: string): Actor | null {
  const owner = auth.apiKeyOwner(key);
  if (owner === null || owner.apiKey === undefined) {
    ctx.state.authProblem = 'invalid_token';
    return null;
  }
  ctx.state.credential = { kind: 'api_key', keyId: owner.apiKey.id, keyName: owner.apiKey.name, expiresAt: owner.expiresAt, readOnly: owner.readOnly };
  return owner.actor;
}

export function credentialsAuthenticator(auth: AuthService): Authenticator {
  return {
    async identify(ctx) {
      const headerKey = ctx.get('X-API-Key').trim();
      if (headerKey !== '') {
        return keyActor(ctx, auth, headerKey);
      }
      const bearer = BEARER.exec(ctx.get('Authorization'));
      if (bearer !== null && bearer[1] !== undefined) {
        if (looksLikeApiKey(bearer[1])) {
          return keyActor(ctx, auth, bearer[1]);
        }
        const owner = await auth.tokenOwner(bearer[1]);
        if (owner === null || owner.jti === undefined || owner.expiresAt === null) {
          ctx.state.authProblem = 'invalid_token';
          return null;
        }
        ctx.state.credential = { kind: 'bearer', jti: owner.jti, expiresAt: owner.expiresAt, readOnly: owner.readOnly, viaApiKey: owner.viaApiKey === true };
        return owner.actor;
      }
      // Any other scheme (Basic included) is no credential for the API, as in flux-restful-api.
      const sessionId = readCookie(ctx, SESSION_COOKIE);
      if (sessionId !== undefined) {
        const owner = auth.sessionOwner(sessionId);
        if (owner !== null && owner.csrfToken !== undefined && owner.expiresAt !== null) {
          ctx.state.credential = { kind: 'session', id: sessionId, csrfToken: owner.csrfToken, expiresAt: owner.expiresAt, readOnly: false };
          return owner.actor;
        }
      }
      return null;
    },
  };
}
