/**
 * `jobgate users key add|list|revoke`: named API keys of a user, on a data directory. The key
 * is printed once, at creation; the store keeps only its hash, so a lost key is revoked and
 * replaced, never shown again.
 */
import type { Command, Option } from 'commander';
import { parseDuration } from '../lib/parse.js';
import type { ApiKeyRecord } from '../model/api-key.js';
import { isoTime, openStore, table, UsageError, type RunAction } from './user-store.js';

export interface KeyCommandDeps {
  run: RunAction;
  dataDirOption: () => Option;
  out: (text: string) => void;
}

function shown(key: ApiKeyRecord): Record<string, unknown> {
  return {
    name: key.name,
    prefix: key.prefix,
    readOnly: key.readOnly,
    createdAt: isoTime(key.createdAt),
    expiresAt: key.expiresAt === null ? null : isoTime(key.expiresAt),
    lastUsedAt: key.lastUsedAt === null ? null : isoTime(key.lastUsedAt),
  };
}

export function addKeyCommands(users: Command, deps: KeyCommandDeps): void {
  const { run, dataDirOption, out } = deps;
  const keys = users.command('key').description('API keys for automation (sent as Authorization: Bearer or X-API-Key)');

  keys
    .command('add <user> <name>')
    .description('make a key for a user and print it (once: only its hash is kept)')
    .option('--read-only', 'the key may list, read and follow, never change anything')
    .option('--expires <duration>', 'it stops working after this long, e.g. 90d or 12h (default: until revoked)')
    .addOption(dataDirOption())
    .action(run(async (dataDir, options, user, args) => {
      const keyName = typeof args[1] === 'string' ? args[1] : '';
      const expires = options.expires as string | undefined;
      const expiresInSeconds = expires === undefined ? null : parseDuration(expires);
      if (expiresInSeconds === undefined) {
        throw new UsageError(`--expires: expected a duration such as 90d, 12h or 30m, got '${expires ?? ''}'`);
      }
      const store = await openStore(dataDir, false);
      let created;
      try {
        created = store.keys.create(user, keyName, { readOnly: options.readOnly === true, expiresInSeconds });
      } finally {
        store.close();
      }
      const until = created.record.expiresAt === null ? 'until revoked' : `until ${isoTime(created.record.expiresAt)}`;
      out(`${created.key}\n`);
      out(`(key '${keyName}' of ${user}, ${created.record.readOnly ? 'read-only' : 'read-write'}, valid ${until}; it is not shown again)\n`);
    }));

  keys
    .command('list <user>')
    .description("list a user's keys (never the keys themselves)")
    .option('--json', 'as JSON')
    .addOption(dataDirOption())
    .action(run(async (dataDir, options, user) => {
      const store = await openStore(dataDir, false);
      let list;
      try {
        list = store.keys.list(user);
      } finally {
        store.close();
      }
      if (options.json === true) {
        out(`${JSON.stringify(list.map(shown), null, 2)}\n`);
        return;
      }
      const when = (seconds: number | null, none: string): string => (seconds === null ? none : isoTime(seconds));
      out(table([
        ['NAME', 'PREFIX', 'ACCESS', 'CREATED', 'EXPIRES', 'LAST USED'],
        ...list.map((key) => [key.name, key.prefix, key.readOnly ? 'read-only' : 'read-write', isoTime(key.createdAt), when(key.expiresAt, 'never'), when(key.lastUsedAt, '-')]),
      ]));
    }));

  keys
    .command('revoke <user> <name>')
    .description('revoke a key; it and every token obtained with it stop working at once')
    .addOption(dataDirOption())
    .action(run(async (dataDir, _options, user, args) => {
      const keyName = typeof args[1] === 'string' ? args[1] : '';
      const store = await openStore(dataDir, false);
      try {
        store.keys.revoke(user, keyName);
      } finally {
        store.close();
      }
      out(`revoked key '${keyName}' of ${user}\n`);
    }));
}
