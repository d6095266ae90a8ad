/**
 * `jobgate users add|list|remove|passwd|revoke`: the user store in a data directory. It works
 * on the same SQLite file a running jobgate uses (WAL lets both write), and the server reads
 * users on every request, so changes apply at once: a removed user's tokens and sessions stop
 * working immediately.
 */
import { Option, type Command } from 'commander';
import { AppError } from '../errors.js';
import { addKeyCommands } from './user-keys.js';
import { isoTime, openStore, table, UsageError, type RunAction } from './user-store.js';
import { ROLES, type Role } from '../model/user.js';
import { processPasswordSource, type PasswordSource } from './password-input.js';

export interface UsersIo {
  out(text: string): void;
  err(text: string): void;
  passwords: PasswordSource;
  env: Readonly<Record<string, string | undefined>>;
}

interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

function processIo(): UsersIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    passwords: processPasswordSource(),
    env: process.env,
  };
}

async function readPassword(options: PasswordOptions, io: UsersIo, confirm: boolean): Promise<string> {
  if (options.password !== undefined) {
    return options.password;
  }
  if (options.passwordStdin === true) {
    return io.passwords.firstLineOfStdin();
  }
  if (!io.passwords.isTerminal) {
    throw new UsageError('no terminal to ask for the password on: pipe it in with --password-stdin');
  }
  const first = await io.passwords.prompt('Password: ');
  if (confirm && (await io.passwords.prompt('Password again: ')) !== first) {
    throw new UsageError('the passwords do not match');
  }
  return first;
}

/** Adds `users` to the program; `finish` receives the exit status. */
export function addUsersCommand(program: Command, finish: (code: number) => void, io: UsersIo = processIo()): void {
  const users = program.command('users').description('manage who may use jobgate (superuser: every job and service/stop; user: own jobs only)');
  const dataDirOption = (): Option => new Option('--data-dir <dir>', 'the data directory (env JOBGATE_DATA_DIR; default ./data)');
  const passwordOptions = (command: Command): Command =>
    command
      .option('--password-stdin', 'read the password from the first line of stdin')
      .option('--password <password>', 'the password itself (visible to everyone in ps; prefer the prompt or --password-stdin)');

  // Commander calls actions with (...positional arguments, options, command).
  const run: RunAction = (work) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const options = command.opts();
      const name = typeof args[0] === 'string' ? args[0] : '';
      // Loaded on use, like the store: the configuration schema is not a client command's business.
      const { resolveDataDir } = await import('../config/load.js');
      const dataDir = resolveDataDir(io.env, options.dataDir as string | undefined);
      try {
        await work(dataDir, options, name, args);
        finish(0);
      } catch (error: unknown) {
        if (error instanceof UsageError || error instanceof AppError) {
          io.err(`jobgate users: ${error.message}\n`);
          finish(1);
          return;
        }
        throw error;
      }
    };

  passwordOptions(
    users
      .command('add <name>')
      .description('add a user (asks for the password)')
      .addOption(new Option('--role <role>', 'what the user may do').choices([...ROLES]).default('user'))
      .option('--superuser', 'same as --role superuser')
      .addOption(dataDirOption()),
  ).action(run(async (dataDir, options, name) => {
    const role: Role = options.superuser === true ? 'superuser' : (options.role as Role);
    const password = await readPassword(options as PasswordOptions, io, true);
    const store = await openStore(dataDir, true);
    try {
      await store.users.add(name, password, role);
    } finally {
      store.close();
    }
    io.out(`added ${role} ${name}\n`);
  }));

  users
    .command('list')
    .description('list users, their roles and live tokens and sessions')
    .option('--json', 'as JSON')
    .addOption(dataDirOption())
    .action(run(async (dataDir, options) => {
      const store = await openStore(dataDir, false);
      let list;
      try {
        list = store.users.list();
      } finally {
        store.close();
      }
      if (options.json === true) {
        io.out(`${JSON.stringify(list.map((user) => ({ ...user, createdAt: isoTime(user.createdAt), updatedAt: isoTime(user.updatedAt) })), null, 2)}\n`);
        return;
      }
      io.out(table([['NAME', 'ROLE', 'TOKENS', 'SESSIONS', 'CREATED'], ...list.map((user) => [user.name, user.role, String(user.tokens), String(user.sessions), isoTime(user.createdAt)])]));
    }));

  users
    .command('remove <name>')
    .description('remove a user; their tokens and sessions stop working at once (their jobs stay)')
    .addOption(dataDirOption())
    .action(run(async (dataDir, _options, name) => {
      const store = await openStore(dataDir, false);
      try {
        store.users.remove(name);
      } finally {
        store.close();
      }
      io.out(`removed ${name}\n`);
    }));

  passwordOptions(
    users
      .command('passwd <name>')
      .description("set a user's password (asks for it); ends all their tokens and sessions")
      .addOption(dataDirOption()),
  ).action(run(async (dataDir, options, name) => {
    const password = await readPassword(options as PasswordOptions, io, true);
    const store = await openStore(dataDir, false);
    try {
      await store.users.setPassword(name, password);
    } finally {
      store.close();
    }
    io.out(`password of ${name} changed; their tokens and sessions are revoked\n`);
  }));

  users
    .command('revoke <name>')
    .description('end every access token and browser session of a user')
    .addOption(dataDirOption())
    .action(run(async (dataDir, _options, name) => {
      const store = await openStore(dataDir, false);
      let count;
      try {
        count = store.users.revokeAll(name);
      } finally {
        store.close();
      }
      io.out(`revoked ${count} token(s) and session(s) of ${name}\n`);
    }));

  addKeyCommands(users, { run, dataDirOption, out: (text) => io.out(text) });
}
