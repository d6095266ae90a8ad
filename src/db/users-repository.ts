/** Named queries over users. Names are unique; removing a user removes their tokens and sessions (cascade). */
import type { Db, Statement } from './database.js';
import type { Role, UserRecord } from '../model/user.js';

interface UserRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

function toUser(row: UserRow): UserRecord {
  return { id: row.id, name: row.name, role: row.role, passwordHash: row.password_hash, createdAt: row.created_at, updatedAt: row.updated_at };
}

export class UsersRepository {
  private readonly byNameStatement: Statement;
  private readonly byIdStatement: Statement;

  constructor(private readonly db: Db) {
    this.byNameStatement = db.prepare('SELECT * FROM users WHERE name = ?');
    this.byIdStatement = db.prepare('SELECT * FROM users WHERE id = ?');
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  insert(user: { name: string; role: Role; passwordHash: string }, now: number): UserRecord {
    const info = this.db
      .prepare('INSERT INTO users (name, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
      .run(user.name, user.passwordHash, user.role, now, now);
    return { id: Number(info.lastInsertRowid), name: user.name, role: user.role, passwordHash: user.passwordHash, createdAt: now, updatedAt: now };
  }

  byName(name: string): UserRecord | undefined {
    const row = this.byNameStatement.get(name) as UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }

  byId(id: number): UserRecord | undefined {
    const row = this.byIdStatement.get(id) as UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }

  list(): UserRecord[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(toUser);
  }

  count(): number {
    return Number(this.db.prepare('SELECT COUNT(*) FROM users').pluck().get());
  }

  update(id: number, patch: { passwordHash?: string; role?: Role }, now: number): void {
    if (patch.passwordHash !== undefined) {
      this.db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?').run(patch.passwordHash, now, id);
    }
    if (patch.role !== undefined) {
      this.db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?').run(patch.role, now, id);
    }
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }
}
