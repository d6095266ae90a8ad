/** Users of jobgate and their roles: a superuser sees every job and may stop the service; a user sees only their own jobs. */
import type { Actor } from './job.js';

export const ROLES = ['superuser', 'user'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  id: number;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

/** What the rest of jobgate needs to know about an authenticated user. */
export function actorOf(user: Pick<UserRecord, 'name' | 'role'>): Actor {
  return { name: user.name, superuser: user.role === 'superuser' };
}

/** Names end up as job owners and in logs: keep them to a safe, printable set. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
