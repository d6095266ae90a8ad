/** The user store of a data directory as the `jobgate users` commands open it, and what they share. */
import fs from 'node:fs';
import path from 'node:path';
import type { UsersService } from '../auth/users-service.js';
import type { ApiKeys } from '../auth/api-keys.js';

export class UsageError extends Error {}

/** The user store of a data directory, open. */
export interface UserStore {
  users: UsersService;
  keys: ApiKeys;
  close: () => void;
}

/** Runs one subcommand's work and turns refusals into a message and exit status 1. */
export type RunAction = (work: (dataDir: string, options: Record<string, unknown>, name: string, args: unknown[]) => Promise<void>) => (...args: unknown[]) => Promise<void>;

/** Opens the user store of a data directory; `create` makes a new one (only `add` may). */
export async function openStore(dataDir: string, create: boolean): Promise<UserStore> {
  const file = path.join(dataDir, 'jobgate.db');
  if (!create && !fs.existsSync(file)) {
    throw new UsageError(`no jobgate data directory at ${dataDir} (use --data-dir, or JOBGATE_DATA_DIR)`);
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Loaded on use: the client commands of the same program never load the store.
  const [{ closeDatabase, openDatabase }, { CredentialsRepository }, { UsersRepository }, { UsersService }, { keepStorePrivate }, { ApiKeysRepository }, { ApiKeys }] = await Promise.all([
    import('../db/database.js'),
    import('../db/credentials-repository.js'),
    import('../db/users-repository.js'),
    import('../auth/users-service.js'),
    import('../auth/private-files.js'),
    import('../db/api-keys-repository.js'),
    import('../auth/api-keys.js'),
  ]);
  const db = openDatabase({ file });
  keepStorePrivate(dataDir);
  const usersRepo = new UsersRepository(db);
  return {
    users: new UsersService({ users: usersRepo, credentials: new CredentialsRepository(db) }),
    keys: new ApiKeys({ keys: new ApiKeysRepository(db), users: usersRepo }),
    close: () => closeDatabase(db),
  };
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

