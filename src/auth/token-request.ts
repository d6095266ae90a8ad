/**
 * The flux-restful-api token request: the client signs `{"user", "pass", "scope": "token"}`
 * with the shared FLUX_SECRET_KEY (HS256, usually without exp) and sends it in the
 * Authorization header of `POST /v1/token`. This only proves the client knows the shared
 * secret; the password inside is still checked against the user store.
 */
import { jwtVerify } from 'jose';

export interface TokenRequest {
  user: string;
  pass: string;
}

/** The last space-separated word of the header (any scheme word, or none, as the original accepted). */
export function tokenFromHeader(authorization: string | undefined): string | undefined {
  const words = (authorization ?? '').trim().split(/\s+/);
  const last = words[words.length - 1];
  return last === undefined || last === '' ? undefined : last;
}

/** The request's credentials, or null for anything not signed with the client secret or not of this shape. */
export async function readTokenRequest(jwt: string, clientSecret: string, now: number): Promise<TokenRequest | null> {
  try {
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode(clientSecret), { algorithms: ['HS256'], currentDate: new Date(now) });
    const { user, pass, scope } = payload;
    if (typeof user !== 'string' || typeof pass !== 'string' || user === '' || pass === '' || scope !== 'token') {
      return null;
    }
    return { user, pass };
  } catch {
    return null;
  }
}

/** Reads the claimed user name without verifying anything (only to key the rate limiter). */
export function claimedUser(jwt: string): string | undefined {
  const part = jwt.split('.')[1];
  if (part === undefined || part.length > 4096) {
    return undefined;
  }
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    const user = typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>).user : undefined;
    return typeof user === 'string' && user.length <= 128 ? user : undefined;
  } catch {
    return undefined;
  }
}
