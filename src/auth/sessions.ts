/**
 * Browser sessions kept server-side, so signing out (or a password change, or removing the
 * user) ends them at once. The cookie holds 32 random bytes; the store keeps only their
 * SHA-256. Each session has its own CSRF token, which every state-changing request made with
 * the session cookie must echo.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CredentialsRepository } from '../db/credentials-repository.js';
import type { Role, UserRecord } from '../model/user.js';

export interface OpenedSession {
  /** The cookie value (never stored). */
  id: string;
  csrfToken: string;
  expiresAt: number;
  maxAgeSeconds: number;
}

export interface SessionOwner {
  name: string;
  role: Role;
  userId: number;
  csrfToken: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function hashOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export interface SessionsDeps {
  store: CredentialsRepository;
  lifetimeSeconds: number;
  now: () => number;
}

export class Sessions {
  constructor(private readonly deps: SessionsDeps) {}

  open(user: Pick<UserRecord, 'id'>): OpenedSession {
    const now = this.deps.now() / 1000;
    const id = newSecret();
    const csrfToken = newSecret();
    const expiresAt = now + this.deps.lifetimeSeconds;
    this.deps.store.prune(now);
    this.deps.store.addSession(hashOf(id), user.id, csrfToken, now, expiresAt);
    return { id, csrfToken, expiresAt, maxAgeSeconds: this.deps.lifetimeSeconds };
  }

  /** The session's owner, or null when the id is unknown, expired or revoked. */
  find(id: string): SessionOwner | null {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) {
      return null;
    }
    const row = this.deps.store.session(hashOf(id), this.deps.now() / 1000);
    return row === undefined ? null : { name: row.name, role: row.role, userId: row.userId, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
  }

  close(id: string): void {
    this.deps.store.removeSession(hashOf(id));
  }
}
