/**
 * `jobgate login` / `logout`: get an access token once and keep it for later commands, in the
 * user's config folder (mode 0600), per server. With FLUX_SECRET_KEY set, the token comes from
 * flux-restful-api's handshake (`POST /v1/token`); otherwise from the password form.
 */
import type { Command } from 'commander';
import { JobgateClient } from '../../client/client.js';
import { ApiError, ConnectionError } from '../../client/errors.js';
import { promptHidden, readFirstLine } from '../password-input.js';
import { shortDuration } from '../format/time.js';
import { addConnectionOptions, CliExit, EXIT, type CliIo, type ConnectionOptions } from './context.js';
import { clientAction, type Finish } from './run.js';

interface LoginOptions extends ConnectionOptions {
  user?: string;
  passwordStdin?: boolean;
}

async function askUser(io: CliIo): Promise<string> {
  if (io.stdin.isTTY !== true) {
    throw new CliExit(EXIT.usage, 'no terminal to ask on: give --user (and --password-stdin)');
  }
  io.stderr.write('User: ');
  return (await readFirstLine(io.stdin)).trim();
}

async function askPassword(io: CliIo, options: LoginOptions): Promise<string> {
  if (options.passwordStdin === true) {
    return readFirstLine(io.stdin);
  }
  if (io.stdin.isTTY !== true) {
    throw new CliExit(EXIT.usage, 'no terminal to ask for the password on: pipe it in with --password-stdin');
  }
  return promptHidden('Password: ', io.stdin, process.stderr);
}

export function addLoginCommands(program: Command, io: CliIo, finish: Finish): void {
  const login = program
    .command('login')
    .description('sign in to a jobgate and keep the access token for the next commands')
    .option('-u, --user <name>', 'user name (env FLUX_USER; asked when absent)')
    .option('--password-stdin', 'read the password from the first line of stdin');
  addConnectionOptions(login).action(clientAction<LoginOptions>(io, finish, async (context, options) => {
    const user = options.user ?? (io.env.FLUX_USER || undefined) ?? (await askUser(io));
    const password = await askPassword(io, options);
    if (user === '' || password === '') {
      throw new CliExit(EXIT.usage, 'a user name and a password are needed');
    }
    // A client of its own: any token given for this server is not what a login should send.
    const client = new JobgateClient({ baseUrl: context.url });
    const secretKey = io.env.FLUX_SECRET_KEY || undefined;
    let token;
    try {
      token = await client.fetchToken({ user, password, ...(secretKey === undefined ? {} : { secretKey }) });
    } catch (error: unknown) {
      if (error instanceof ApiError && error.status === 400) {
        throw new CliExit(EXIT.auth, `${context.url} refused: ${error.message}`);
      }
      throw error;
    }
    const expiresIn = token.expires_in;
    context.store.save(context.url, { token: token.access_token, user, ...(expiresIn === undefined ? {} : { expiresAt: Math.floor(Date.now() / 1000) + expiresIn }) });
    const lasts = expiresIn === undefined ? '' : `; the token lasts ${shortDuration(expiresIn)}`;
    io.stderr.write(`signed in to ${context.url} as ${user}${lasts} (kept in ${context.store.file})\n`);
    return EXIT.ok;
  }));

  addConnectionOptions(program.command('logout').description('revoke the kept access token and forget it')).action(
    clientAction<ConnectionOptions>(io, finish, async (context) => {
      const stored = context.store.get(context.url);
      if (stored === undefined) {
        io.stderr.write(`not signed in to ${context.url}\n`);
        return EXIT.ok;
      }
      let note = '';
      try {
        await new JobgateClient({ baseUrl: context.url, token: stored.token }).revokeToken();
      } catch (error: unknown) {
        if (error instanceof ConnectionError) {
          // Forget it anyway; say that it stays valid until it expires.
          note = ` (the server could not be reached: the token stays valid until it expires)`;
        } else if (!(error instanceof ApiError) || error.status !== 401) {
          // A 401: already expired or revoked, so forgetting it is all that is left to do.
          throw error;
        }
      }
      context.store.remove(context.url);
      io.stderr.write(`signed out of ${context.url}${note}\n`);
      return EXIT.ok;
    }),
  );
}
