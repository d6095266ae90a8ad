/**
 * Named API keys: `jg_` followed by 32 random bytes (base64url), shown once at creation and
 * stored only as their SHA-256.
 *
 * Why a fast hash and not scrypt as for passwords: a password is guessable, so its hash must be
 * slow to make each guess expensive. A key is 256 random bits that nobody chose; no amount of
 * guessing finds one, so a slow hash would only cost every request a few milliseconds of CPU
 * without making a stolen copy of the store any more useful. An unsalted SHA-256 also lets a
 * key be found by an indexed look-up of its hash (GitHub and Stripe keys work the same way).
 */
import { createHash, randomBytes } from 'node:crypto';
import { conflict, notFound, validationError } from '../errors.js';
import type { ApiKeysRepository, ApiKeyOwner } from '../db/api-keys-repository.js';
import type { UsersRepository } from '../db/users-repository.js';
import { API_KEY_NAME, type ApiKeyRecord } from '../model/api-key.js';

export const API_KEY_PREFIX = 'jg_';
const KEY_TEXT = /^jg_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  /** The key itself: shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

export interface ApiKeyOptions {
  readOnly: boolean;
  /** Seconds from now; null: until revoked. */
  expiresInSeconds: number | null;
}

export interface ApiKeysDeps {
  keys: ApiKeysRepository;
  users: UsersRepository;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** Whether a credential's text looks like one of our keys (so a Bearer header can carry either a key or a token). */
export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(API_KEY_PREFIX);
}

function hashOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class ApiKeys {
  constructor(private readonly deps: ApiKeysDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)() / 1000;
  }

  private userId(userName: string): number {
    const user = this.deps.users.byName(userName);
    if (user === undefined) {
      throw notFound(`no user named '${userName}'`);
    }
    return user.id;
  }

  create(userName: string, name: string, options: ApiKeyOptions): NewApiKey {
    if (!API_KEY_NAME.test(name)) {
      throw validationError([{ field: 'name', message: 'must be 1-64 letters, digits or . _ - and start with a letter or digit' }]);
    }
    if (options.expiresInSeconds !== null && !(options.expiresInSeconds > 0)) {
      throw validationError([{ field: 'expires', message: 'must be a positive duration such as 90d' }]);
    }
    const userId = this.userId(userName);
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    return this.deps.keys.transaction(() => {
      if (this.deps.keys.byName(userId, name) !== undefined) {
        throw conflict(`${userName} already has a key named '${name}'`);
      }
      const record = this.deps.keys.insert(
        { userId, name, prefix: key.slice(0, 8), readOnly: options.readOnly, createdAt: now, expiresAt: options.expiresInSeconds === null ? null : now + options.expiresInSeconds },
        hashOf(key),
      );
      return { key, record };
    });
  }

  /** The key's owner, or null when the text is no live key (unknown, expired, revoked, its user gone). */
  verify(key: string): ApiKeyOwner | null {
    if (!KEY_TEXT.test(key)) {
      return null;
    }
    const now = this.now();
    const owner = this.deps.keys.live(hashOf(key), now);
    if (owner === undefined) {
      return null;
    }
    this.deps.keys.touch(owner.key.id, now);
    return owner;
  }

  list(userName: string): ApiKeyRecord[] {
    return this.deps.keys.listOf(this.userId(userName));
  }

  /** Revokes a key and every access token obtained with it. */
  revoke(userName: string, name: string): void {
    if (!this.deps.keys.remove(this.userId(userName), name)) {
      throw notFound(`${userName} has no key named '${name}'`);
    }
  }
}
