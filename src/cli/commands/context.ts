/**
 * What every client command shares: which jobgate to talk to and with which token, the
 * terminal it writes to (colour, progress), and the exit codes scripts can rely on:
 *
 *   0 done · 1 the server refused (bad request, conflict, server error) · 2 usage ·
 *   3 credentials missing, expired or not enough · 4 no such job · 5 jobgate unreachable.
 *
 * `submit --follow` and `output --follow` exit with the job's own return code instead.
 */
import type { Command } from 'commander';
import { JobgateClient, type LoginSecret } from '../../client/client.js';
import { CredentialStore, configDir, serverKey } from '../../client/credentials.js';
import { ApiError, ConnectionError } from '../../client/errors.js';
import { FollowError } from '../../client/follow.js';
import { Progress } from '../format/progress.js';
import { colorWanted, makeStyle, type Style } from '../format/style.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, auth: 3, notFound: 4, unreachable: 5 } as const;

const DEFAULT_URL = 'http://127.0.0.1:5000';

export interface Terminal {
  isTTY?: boolean;
  columns?: number;
  write(text: string | Uint8Array): boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface CliIo {
  stdout: Terminal;
  stderr: Terminal;
  stdin: NodeJS.ReadStream;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Ends a command with an exit code and (optionally) a message on stderr. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

export interface ConnectionOptions {
  url?: string;
  token?: string;
  color?: boolean;
}

export interface ClientContext {
  client: JobgateClient;
  url: string;
  io: CliIo;
  /** Colour for stdout, and for stderr (each only on a terminal). */
  out: Style;
  err: Style;
  progress: Progress;
  store: CredentialStore;
  /** The job ids of this terminal: ƒ where the locale can show it (as flux does), else f. */
  asciiIds: boolean;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', `the jobgate (env JOBGATE_URL, FLUX_RESTFUL_HOST; default: the last login, else ${DEFAULT_URL})`)
    .option('--token <token>', 'an access token (env JOBGATE_TOKEN; default: the one `jobgate login` saved)')
    .option('--no-color', 'plain text even on a terminal (also NO_COLOR=1)');
}

function withScheme(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
}

function resolveUrl(options: ConnectionOptions, env: CliIo['env'], store: CredentialStore): string {
  const given = options.url ?? (env.JOBGATE_URL || undefined) ?? (env.FLUX_RESTFUL_HOST || undefined) ?? store.defaultServer() ?? DEFAULT_URL;
  const url = withScheme(given.trim());
  try {
    return serverKey(url);
  } catch {
    throw new CliExit(EXIT.usage, `'${given}' is not a URL`);
  }
}

/** FLUX_USER and FLUX_TOKEN (and FLUX_SECRET_KEY) as flux-restful-client reads them: a login for when the server asks. */
function envLogin(env: CliIo['env']): LoginSecret | undefined {
  if (!env.FLUX_USER || !env.FLUX_TOKEN) {
    return undefined;
  }
  return { user: env.FLUX_USER, password: env.FLUX_TOKEN, ...(env.FLUX_SECRET_KEY ? { secretKey: env.FLUX_SECRET_KEY } : {}) };
}

export function clientContext(options: ConnectionOptions, io: CliIo): ClientContext {
  const store = new CredentialStore(configDir(io.env));
  const url = resolveUrl(options, io.env, store);
  const token = options.token ?? (io.env.JOBGATE_TOKEN || undefined) ?? store.get(url)?.token;
  const login = envLogin(io.env);
  const locale = io.env.LC_ALL || io.env.LC_CTYPE || io.env.LANG || '';
  return {
    client: new JobgateClient({ baseUrl: url, ...(token === undefined ? {} : { token }), ...(login === undefined ? {} : { login }) }),
    url,
    io,
    out: makeStyle(colorWanted(io.stdout, io.env, options.color)),
    err: makeStyle(colorWanted(io.stderr, io.env, options.color)),
    progress: new Progress(io.stderr),
    store,
    asciiIds: !/utf-?8/i.test(locale),
  };
}

/** Turns what went wrong into a message and an exit code. */
export function explain(error: unknown, url: string, hadToken: boolean): { code: number; message: string } {
  if (error instanceof CliExit) {
    return { code: error.code, message: error.message };
  }
  if (error instanceof ConnectionError) {
    return { code: EXIT.unreachable, message: `${error.message}; is it running? (--url or JOBGATE_URL say where)` };
  }
  if (error instanceof FollowError) {
    return { code: EXIT.failed, message: error.message };
  }
  if (error instanceof ApiError) {
    if (error.status === 401) {
      const message = error.invalidToken && hadToken
        ? `your access token for ${url} has expired or was revoked: run \`jobgate login --url ${url}\``
        : `${url} needs credentials: run \`jobgate login --url ${url}\` (or set FLUX_USER and FLUX_TOKEN)`;
      return { code: EXIT.auth, message };
    }
    if (error.status === 403) {
      return { code: EXIT.auth, message: error.message };
    }
    if (error.status === 404) {
      return { code: EXIT.notFound, message: error.message };
    }
    return { code: EXIT.failed, message: error.message };
  }
  throw error;
}
