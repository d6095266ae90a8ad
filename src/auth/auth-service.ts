/**
 * Authentication as the HTTP layer sees it: password logins and flux-restful-api token
 * requests (both throttled), access tokens, and browser sessions. No Koa here.
 */
import type { Db } from '../db/database.js';
import { CredentialsRepository } from '../db/credentials-repository.js';
import { UsersRepository } from '../db/users-repository.js';
import { ApiKeysRepository } from '../db/api-keys-repository.js';
import { ApiKeys } from './api-keys.js';
import type { Actor } from '../model/job.js';
import { AccessTokens, type IssuedToken } from './access-tokens.js';
import { LoginThrottle, type ThrottleLimits } from './login-throttle.js';
import { Sessions, type OpenedSession } from './sessions.js';
import { claimedUser, readTokenRequest } from './token-request.js';
import { actorOf, type UserRecord } from '../model/user.js';
import { UsersService } from './users-service.js';

/** A login attempt's outcome: the user, or refused (retryAfter > 0 when throttled). */
export type LoginOutcome = { ok: true; user: UserRecord } | { ok: false; retryAfter: number };

/** A client_credentials login's outcome: the key's user and what a token for it may do. */
export type KeyLoginOutcome = { ok: true; user: UserRecord; readOnly: boolean; apiKeyId: number; expiresAt: number | null } | { ok: false; retryAfter: number };

export interface AuthServiceOptions {
  signingKey: Uint8Array;
  /** FLUX_SECRET_KEY: verifies token requests; null turns `/v1/token` off (always Denied). */
  clientSecret: string | null;
  lifetimeSeconds: number;
  limits?: ThrottleLimits;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export interface CredentialOwner {
  actor: Actor;
  /** The token's id (to revoke it), for Bearer tokens. */
  jti?: string;
  /** The session's CSRF token, for sessions. */
  csrfToken?: string;
  /** Epoch seconds; null: until revoked (API keys without expiry). */
  expiresAt: number | null;
  /** Only reading is allowed (read-only API keys and the tokens obtained with them). */
  readOnly: boolean;
  /** The API key used, when the credential is one. */
  apiKey?: { id: number; name: string };
  /** An access token obtained with an API key. */
  viaApiKey?: boolean;
}

export class AuthService {
  readonly users: UsersService;
  readonly apiKeys: ApiKeys;
  private readonly tokens: AccessTokens;
  private readonly sessions: Sessions;
  private readonly throttle: LoginThrottle;
  private readonly now: () => number;

  constructor(db: Db, private readonly options: AuthServiceOptions) {
    this.now = options.now ?? Date.now;
    const credentials = new CredentialsRepository(db);
    this.users = new UsersService({ users: new UsersRepository(db), credentials, now: this.now });
    this.tokens = new AccessTokens({ key: options.signingKey, store: credentials, lifetimeSeconds: options.lifetimeSeconds, now: this.now });
    this.sessions = new Sessions({ store: credentials, lifetimeSeconds: options.lifetimeSeconds, now: this.now });
    this.throttle = new LoginThrottle(options.limits);
    this.apiKeys = new ApiKeys({ keys: new ApiKeysRepository(db), users: new UsersRepository(db), now: this.now });
  }

  get acceptsTokenRequests(): boolean {
    return this.options.clientSecret !== null;
  }

  /** A name and password (login form, OAuth2 password form). `address` is the client's, for throttling. */
  async passwordLogin(address: string, name: string, password: string): Promise<LoginOutcome> {
    const retryAfter = await this.throttle.retryAfter(address, name);
    if (retryAfter > 0) {
      return { ok: false, retryAfter };
    }
    const user = await this.users.authenticate(name, password);
    if (user === null) {
      await this.throttle.failed(address, name);
      return { ok: false, retryAfter: 0 };
    }
    await this.throttle.succeeded(address, name);
    return { ok: true, user };
  }

  /** A flux-restful-api token request: a JWT signed with FLUX_SECRET_KEY holding user, pass and scope "token". */
  async tokenRequestLogin(address: string, jwt: string | undefined): Promise<LoginOutcome> {
    const claimed = jwt === undefined ? undefined : claimedUser(jwt);
    const retryAfter = await this.throttle.retryAfter(address, claimed);
    if (retryAfter > 0) {
      return { ok: false, retryAfter };
    }
    const secret = this.options.clientSecret;
    const request = jwt === undefined || secret === null ? null : await readTokenRequest(jwt, secret, this.now());
    if (request === null) {
      await this.throttle.failed(address, claimed);
      return { ok: false, retryAfter: 0 };
    }
    return this.passwordLogin(address, request.user, request.pass);
  }

  /**
   * OAuth2 client credentials (RFC 6749 §4.4): an API key as the client secret. Failures count
   * against the address like failed passwords, so keys cannot be guessed at speed either.
   */
  async apiKeyLogin(address: string, key: string): Promise<KeyLoginOutcome> {
    const retryAfter = await this.throttle.retryAfter(address, undefined);
    if (retryAfter > 0) {
      return { ok: false, retryAfter };
    }
    const owner = this.apiKeys.verify(key);
    const user = owner === null ? undefined : this.users.byName(owner.name);
    if (owner === null || user === undefined) {
      await this.throttle.failed(address, undefined);
      return { ok: false, retryAfter: 0 };
    }
    return { ok: true, user, readOnly: owner.key.readOnly, apiKeyId: owner.key.id, expiresAt: owner.key.expiresAt };
  }

  issueToken(user: UserRecord): Promise<IssuedToken> {
    return this.tokens.issue(user);
  }

  /** A token for an API key's login: read-only if the key is, ending with the key at the latest, revoked with it. */
  issueKeyToken(outcome: Extract<KeyLoginOutcome, { ok: true }>): Promise<IssuedToken> {
    return this.tokens.issue(outcome.user, { readOnly: outcome.readOnly, apiKeyId: outcome.apiKeyId }, outcome.expiresAt);
  }

  async tokenOwner(token: string): Promise<CredentialOwner | null> {
    const owner = await this.tokens.verify(token);
    return owner === null ? null : { actor: actorOf(owner), jti: owner.jti, expiresAt: owner.expiresAt, readOnly: owner.readOnly, viaApiKey: owner.viaApiKey };
  }

  /** The owner of an API key sent as a credential (Bearer or X-API-Key). */
  apiKeyOwner(key: string): CredentialOwner | null {
    const owner = this.apiKeys.verify(key);
    return owner === null ? null : { actor: actorOf(owner), expiresAt: owner.key.expiresAt, readOnly: owner.key.readOnly, apiKey: { id: owner.key.id, name: owner.key.name } };
  }

  revokeToken(jti: string): boolean {
    return this.tokens.revoke(jti);
  }

  openSession(user: UserRecord): OpenedSession {
    return this.sessions.open(user);
  }

  sessionOwner(id: string): CredentialOwner | null {
    const owner = this.sessions.find(id);
    return owner === null ? null : { actor: actorOf(owner), csrfToken: owner.csrfToken, expiresAt: owner.expiresAt, readOnly: false };
  }

  closeSession(id: string): void {
    this.sessions.close(id);
  }

  /** Signs a user out everywhere: every token and session they hold. */
  revokeEverything(name: string): number {
    return this.users.revokeAll(name);
  }
}
