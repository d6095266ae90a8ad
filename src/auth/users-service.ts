/**
 * Users: creating, listing, removing, changing passwords, and checking a name and password.
 * Used by the server (login, token handshake, the FLUX_USER superuser at start) and by the
 * `jobgate users` command, both on the same SQLite store.
 */
import { conflict, notFound, validationError } from '../errors.js';
import type { CredentialsRepository } from '../db/credentials-repository.js';
import type { UsersRepository } from '../db/users-repository.js';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyDecoy, verifyPassword } from './passwords.js';
import { USER_NAME, type Role, type UserRecord } from '../model/user.js';

export interface UserSummary {
  name: string;
  role: Role;
  createdAt: number;
  updatedAt: number;
  tokens: number;
  sessions: number;
}

export interface UsersServiceDeps {
  users: UsersRepository;
  credentials: CredentialsRepository;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

function checkName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw validationError([{ field: 'name', message: 'must be 1-64 letters, digits or . _ @ + - and start with a letter or digit' }]);
  }
}

/** Passwords chosen through jobgate must be at least 8 characters; FLUX_TOKEN is taken as given (compatibility). */
function checkPassword(password: string, minLength: number): void {
  if (password.length < minLength || password.length > MAX_PASSWORD_LENGTH) {
    throw validationError([{ field: 'password', message: `must be ${minLength} to ${MAX_PASSWORD_LENGTH} characters` }]);
  }
}

export class UsersService {
  constructor(private readonly deps: UsersServiceDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)() / 1000;
  }

  private existing(name: string): UserRecord {
    const user = this.deps.users.byName(name);
    if (user === undefined) {
      throw notFound(`no user named '${name}'`);
    }
    return user;
  }

  async add(name: string, password: string, role: Role): Promise<UserRecord> {
    return this.create(name, password, role, MIN_PASSWORD_LENGTH);
  }

  private async create(name: string, password: string, role: Role, minLength: number): Promise<UserRecord> {
    checkName(name);
    checkPassword(password, minLength);
    if (this.deps.users.byName(name) !== undefined) {
      throw conflict(`user '${name}' already exists`);
    }
    const passwordHash = await hashPassword(password);
    return this.deps.users.transaction(() => {
      // Checked again: another process (jobgate users add) may have created it meanwhile.
      if (this.deps.users.byName(name) !== undefined) {
        throw conflict(`user '${name}' already exists`);
      }
      return this.deps.users.insert({ name, role, passwordHash }, this.now());
    });
  }

  /**
   * FLUX_USER / FLUX_TOKEN at start: create that superuser, or bring an existing one back to
   * this password and role. A changed password revokes the user's tokens and sessions.
   */
  async ensureSuperuser(name: string, password: string): Promise<'created' | 'updated' | 'unchanged'> {
    const user = this.deps.users.byName(name);
    if (user === undefined) {
      // FLUX_TOKEN may be short (flux-restful-api's examples use "12345"); it is taken as given.
      await this.create(name, password, 'superuser', 1);
      return 'created';
    }
    const samePassword = await verifyPassword(password, user.passwordHash);
    if (samePassword && user.role === 'superuser') {
      return 'unchanged';
    }
    const passwordHash = samePassword ? undefined : await hashPassword(password);
    this.deps.users.transaction(() => {
      this.deps.users.update(user.id, { role: 'superuser', ...(passwordHash === undefined ? {} : { passwordHash }) }, this.now());
      if (passwordHash !== undefined) {
        this.deps.credentials.removeAllOf(user.id);
      }
    });
    return 'updated';
  }

  /** Sets a new password and revokes every token and session the user had. */
  async setPassword(name: string, password: string): Promise<void> {
    checkPassword(password, MIN_PASSWORD_LENGTH);
    const user = this.existing(name);
    const passwordHash = await hashPassword(password);
    this.deps.users.transaction(() => {
      this.deps.users.update(user.id, { passwordHash }, this.now());
      this.deps.credentials.removeAllOf(user.id);
    });
  }

  setRole(name: string, role: Role): void {
    const user = this.existing(name);
    this.deps.users.update(user.id, { role }, this.now());
  }

  /** Removes the user; their tokens and sessions go with them. Their jobs stay (a superuser still sees them). */
  remove(name: string): void {
    const user = this.existing(name);
    this.deps.users.remove(user.id);
  }

  /** Revokes every token and session of the user; returns how many there were. */
  revokeAll(name: string): number {
    return this.deps.credentials.removeAllOf(this.existing(name).id);
  }

  list(): UserSummary[] {
    const now = this.now();
    return this.deps.users.list().map((user) => ({
      name: user.name,
      role: user.role,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
      ...this.deps.credentials.countOf(user.id, now),
    }));
  }

  /** The user of that name, if any. */
  byName(name: string): UserRecord | undefined {
    return this.deps.users.byName(name);
  }

  count(): number {
    return this.deps.users.count();
  }

  /** The user if the password is theirs; null otherwise, after the same work either way. */
  async authenticate(name: string, password: string): Promise<UserRecord | null> {
    const user = name.length <= 128 && password.length <= MAX_PASSWORD_LENGTH ? this.deps.users.byName(name) : undefined;
    if (user === undefined) {
      return verifyDecoy(password.slice(0, MAX_PASSWORD_LENGTH)).then(() => null);
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : null;
  }
}
