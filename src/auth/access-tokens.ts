/**
 * Access tokens: HS256 JWTs (jose) signed with the server-only key, carrying sub (user name),
 * iat, exp and jti. A token is accepted only if its signature, issuer, audience and expiry hold
 * AND its jti is still in the store — so tokens can be revoked one by one, all of a user's at
 * once (password change, removal), and a token without exp is never accepted.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { CredentialsRepository, TokenGrant } from '../db/credentials-repository.js';
import type { UserRecord } from '../model/user.js';
import type { Role } from '../model/user.js';

const ISSUER = 'jobgate';
const AUDIENCE = 'jobgate-api';

export interface IssuedToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export interface TokenOwner {
  jti: string;
  name: string;
  role: Role;
  userId: number;
  /** Epoch seconds. */
  expiresAt: number;
  /** Obtained with a read-only API key: it may only read. */
  readOnly: boolean;
  /** Obtained with an API key (client_credentials). */
  viaApiKey: boolean;
}

export interface AccessTokensDeps {
  key: Uint8Array;
  store: CredentialsRepository;
  lifetimeSeconds: number;
  /** Milliseconds since the epoch (tests move it). */
  now: () => number;
}

export class AccessTokens {
  constructor(private readonly deps: AccessTokensDeps) {}

  /** `notAfter` (epoch seconds) shortens the lifetime: a token obtained with an API key never outlives the key. */
  async issue(user: Pick<UserRecord, 'id' | 'name'>, grant?: TokenGrant, notAfter?: number | null): Promise<IssuedToken> {
    const iat = Math.floor(this.deps.now() / 1000);
    const exp = Math.min(iat + this.deps.lifetimeSeconds, Math.floor(notAfter ?? Infinity));
    const jti = randomUUID();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.name)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(this.deps.key);
    this.deps.store.prune(iat);
    this.deps.store.addToken(jti, user.id, iat, exp, grant);
    return { token, jti, expiresIn: exp - iat };
  }

  /** The token's owner, or null when the token is forged, expired, revoked, or its user is gone. */
  async verify(token: string): Promise<TokenOwner | null> {
    const now = this.deps.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.deps.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        currentDate: new Date(now),
      }));
    } catch {
      return null;
    }
    if (typeof payload.jti !== 'string' || typeof payload.sub !== 'string') {
      return null;
    }
    const owner = this.deps.store.token(payload.jti, now / 1000);
    if (owner === undefined || owner.name !== payload.sub) {
      return null;
    }
    return { jti: payload.jti, name: owner.name, role: owner.role, userId: owner.userId, expiresAt: owner.expiresAt, readOnly: owner.readOnly, viaApiKey: owner.apiKeyId !== null };
  }

  revoke(jti: string): boolean {
    return this.deps.store.removeToken(jti);
  }
}
