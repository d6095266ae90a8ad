/** Named queries over API keys. Keys are found by the hash of their text, never by the text. */
import type { Db } from './database.js';
import { Repository } from './repository.js';
import type { ApiKeyRecord } from '../model/api-key.js';
import type { Role } from '../model/user.js';

interface KeyRow {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  read_only: number;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

/** A live key and the user it belongs to (one query, so a removed user's keys stop at once). */
export interface ApiKeyOwner {
  key: ApiKeyRecord;
  name: string;
  role: Role;
}

function toKey(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    readOnly: row.read_only === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

export class ApiKeysRepository extends Repository {
  constructor(db: Db) {
    super(db);
  }

  insert(key: Omit<ApiKeyRecord, 'id' | 'lastUsedAt'>, keyHash: string): ApiKeyRecord {
    const info = this.statement('INSERT INTO api_keys (user_id, name, prefix, key_hash, read_only, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(key.userId, key.name, key.prefix, keyHash, key.readOnly ? 1 : 0, key.createdAt, key.expiresAt);
    return { ...key, id: Number(info.lastInsertRowid), lastUsedAt: null };
  }

  byName(userId: number, name: string): ApiKeyRecord | undefined {
    const row = this.statement('SELECT * FROM api_keys WHERE user_id = ? AND name = ?').get(userId, name) as KeyRow | undefined;
    return row === undefined ? undefined : toKey(row);
  }

  /** The unexpired key with this hash, with its owner. */
  live(keyHash: string, now: number): ApiKeyOwner | undefined {
    const row = this.statement(
      'SELECT k.*, u.name AS owner_name, u.role AS owner_role FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ? AND (k.expires_at IS NULL OR k.expires_at > ?)',
    ).get(keyHash, now) as (KeyRow & { owner_name: string; owner_role: Role }) | undefined;
    return row === undefined ? undefined : { key: toKey(row), name: row.owner_name, role: row.owner_role };
  }

  listOf(userId: number): ApiKeyRecord[] {
    return (this.statement('SELECT * FROM api_keys WHERE user_id = ? ORDER BY name').all(userId) as KeyRow[]).map(toKey);
  }

  /** Notes a use; at most one write a minute per key, so a busy key costs no write per request. */
  touch(id: number, now: number): void {
    this.statement('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(now, id, now - 60);
  }

  remove(userId: number, name: string): boolean {
    return this.statement('DELETE FROM api_keys WHERE user_id = ? AND name = ?').run(userId, name).changes > 0;
  }
}
