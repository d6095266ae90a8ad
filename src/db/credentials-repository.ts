/**
 * Access tokens and browser sessions: the credentials jobgate hands out. A credential is valid
 * only while its row exists and has not expired, so deleting rows is how they are revoked.
 */
import type { Db, Statement } from './database.js';
import type { Role } from '../model/user.js';

/** A live credential and the user it belongs to (read in one query, so a removed user's credentials stop working at once). */
export interface CredentialOwner {
  userId: number;
  name: string;
  role: Role;
  expiresAt: number;
}

/** A live access token: its owner, and what it was issued for. */
export interface TokenRow extends CredentialOwner {
  /** Issued for a read-only API key. */
  readOnly: boolean;
  /** The API key it was obtained with (client_credentials), if any. */
  apiKeyId: number | null;
}

/** What a token was issued for, beyond its user. */
export interface TokenGrant {
  readOnly: boolean;
  apiKeyId: number | null;
}

export interface SessionRow extends CredentialOwner {
  csrfToken: string;
}

interface OwnerRow {
  user_id: number;
  name: string;
  role: Role;
  expires_at: number;
  csrf_token?: string;
  read_only?: number;
  api_key_id?: number | null;
}

export class CredentialsRepository {
  private readonly tokenStatement: Statement;
  private readonly sessionStatement: Statement;

  constructor(private readonly db: Db) {
    this.tokenStatement = db.prepare(
      'SELECT t.user_id, u.name, u.role, t.expires_at, t.read_only, t.api_key_id FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.jti = ? AND t.expires_at > ?',
    );
    this.sessionStatement = db.prepare(
      'SELECT s.user_id, u.name, u.role, s.expires_at, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ?',
    );
  }

  addToken(jti: string, userId: number, issuedAt: number, expiresAt: number, grant: TokenGrant = { readOnly: false, apiKeyId: null }): void {
    this.db
      .prepare('INSERT INTO access_tokens (jti, user_id, issued_at, expires_at, read_only, api_key_id) VALUES (?, ?, ?, ?, ?, ?)')
      .run(jti, userId, issuedAt, expiresAt, grant.readOnly ? 1 : 0, grant.apiKeyId);
  }

  token(jti: string, now: number): TokenRow | undefined {
    const row = this.tokenStatement.get(jti, now) as OwnerRow | undefined;
    return row === undefined
      ? undefined
      : { userId: row.user_id, name: row.name, role: row.role, expiresAt: row.expires_at, readOnly: row.read_only === 1, apiKeyId: row.api_key_id ?? null };
  }

  removeToken(jti: string): boolean {
    return this.db.prepare('DELETE FROM access_tokens WHERE jti = ?').run(jti).changes > 0;
  }

  addSession(idHash: string, userId: number, csrfToken: string, createdAt: number, expiresAt: number): void {
    this.db.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(idHash, userId, csrfToken, createdAt, expiresAt);
  }

  session(idHash: string, now: number): SessionRow | undefined {
    const row = this.sessionStatement.get(idHash, now) as OwnerRow | undefined;
    return row === undefined ? undefined : { userId: row.user_id, name: row.name, role: row.role, expiresAt: row.expires_at, csrfToken: row.csrf_token ?? '' };
  }

  removeSession(idHash: string): boolean {
    return this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash).changes > 0;
  }

  /** Revokes every token and session of a user; returns how many were revoked. */
  removeAllOf(userId: number): number {
    return this.db.transaction(() => {
      const tokens = this.db.prepare('DELETE FROM access_tokens WHERE user_id = ?').run(userId).changes;
      const sessions = this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
      return tokens + sessions;
    })();
  }

  /** Live tokens and sessions of a user (for `jobgate users list`). */
  countOf(userId: number, now: number): { tokens: number; sessions: number } {
    const tokens = Number(this.db.prepare('SELECT COUNT(*) FROM access_tokens WHERE user_id = ? AND expires_at > ?').pluck().get(userId, now));
    const sessions = Number(this.db.prepare('SELECT COUNT(*) FROM sessions WHERE user_id = ? AND expires_at > ?').pluck().get(userId, now));
    return { tokens, sessions };
  }

  /** Forgets expired rows (they are already invalid; this only keeps the tables small). */
  prune(now: number): void {
    this.db.prepare('DELETE FROM access_tokens WHERE expires_at <= ?').run(now);
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  }
}
