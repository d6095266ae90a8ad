/**
 * Auth helpers for tests: the environment of a jobgate with auth on, the token request the
 * Python client signs, users added straight to a data directory's store (as `jobgate users add`
 * does), a browser-style login, and a server whose logs are captured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { loadConfig, type ConfigFlags, type Environment } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { closeDatabase, openDatabase } from '../../src/db/database.js';
import { CredentialsRepository } from '../../src/db/credentials-repository.js';
import { UsersRepository } from '../../src/db/users-repository.js';
import { UsersService } from '../../src/auth/users-service.js';
import type { Role } from '../../src/model/user.js';
import { makeTempDir, startTestServer, type TestServer } from './test-server.js';

export const SUPERUSER = 'fluxuser';
export const SUPERUSER_PASSWORD = 'correct horse battery';
export const CLIENT_SECRET = 'shared-client-secret-for-tests';

export const AUTH_ENV: Environment = {
  FLUX_REQUIRE_AUTH: 'true',
  FLUX_USER: SUPERUSER,
  FLUX_TOKEN: SUPERUSER_PASSWORD,
  FLUX_SECRET_KEY: CLIENT_SECRET,
};

export function startAuthServer(env: Environment = {}): Promise<TestServer> {
  return startTestServer({ env: { ...AUTH_ENV, ...env } });
}

/** The token request exactly as flux-restful-client builds it: python-jose `jwt.encode({user, pass, scope}, secret)` (HS256, no exp). */
export function tokenRequest(user: string, pass: string, secret = CLIENT_SECRET, scope = 'token'): Promise<string> {
  return new SignJWT({ user, pass, scope }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** The handshake's second step: returns the access token (fails the test through the thrown error otherwise). */
export async function fetchToken(server: TestServer, user = SUPERUSER, pass = SUPERUSER_PASSWORD): Promise<string> {
  const response = await server.request.post('/v1/token').set('Authorization', `Bearer ${await tokenRequest(user, pass)}`);
  if (response.status !== 200) {
    throw new Error(`token for ${user}: ${response.status} ${response.text}`);
  }
  return (response.body as { access_token: string }).access_token;
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** Adds a user to the data directory's store, as `jobgate users add` does (the running server sees it at once). */
export async function addUser(dataDir: string, name: string, password: string, role: Role = 'user'): Promise<void> {
  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db') });
  try {
    await new UsersService({ users: new UsersRepository(db), credentials: new CredentialsRepository(db) }).add(name, password, role);
  } finally {
    closeDatabase(db);
  }
}

export interface BrowserSession {
  /** The Cookie header to send. */
  cookie: string;
  /** The session's CSRF token, as the pages render it. */
  csrfToken: string;
  /** The raw Set-Cookie line of the session cookie. */
  setCookie: string;
}

export function hiddenCsrf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (match === null || match[1] === undefined) {
    throw new Error('no CSRF field in the page');
  }
  return match[1];
}

export function cookieLine(setCookie: unknown, name: string): string | undefined {
  const lines = Array.isArray(setCookie) ? (setCookie as string[]) : typeof setCookie === 'string' ? [setCookie] : [];
  return lines.find((line) => line.startsWith(`${name}=`));
}

/** Signs in through the login page as a browser would; returns the session cookie and its CSRF token. */
export async function browserLogin(server: TestServer, user: string, password: string): Promise<BrowserSession> {
  const form = await server.request.get('/login');
  const loginCookie = cookieLine(form.headers['set-cookie'], 'jobgate_login_csrf')?.split(';')[0] ?? '';
  const posted = await server.request
    .post('/login')
    .set('Cookie', loginCookie)
    .type('form')
    .send({ username: user, password, _csrf: hiddenCsrf(form.text), next: '/account' });
  const setCookie = cookieLine(posted.headers['set-cookie'], 'jobgate_session');
  if (posted.status !== 303 || setCookie === undefined) {
    throw new Error(`login as ${user}: ${posted.status} ${posted.text}`);
  }
  const cookie = setCookie.split(';')[0] ?? '';
  const account = await server.request.get('/account').set('Cookie', cookie);
  return { cookie, csrfToken: hiddenCsrf(account.text), setCookie };
}

export interface CapturedServer extends RunningServer {
  request: TestServer['request'];
  dataDir: string;
  /** Every log line written so far. */
  logs(): string;
  close(): Promise<void>;
}

/** A jobgate whose logs (at trace level, the most talkative) are kept for inspection. */
export async function startCapturingServer(env: Environment, flags: ConfigFlags = {}): Promise<CapturedServer> {
  const { default: supertest } = await import('supertest');
  const dataDir = makeTempDir();
  const fullEnv: Environment = { PATH: process.env.PATH, HOME: process.env.HOME, JOBGATE_KILL_GRACE: '1', ...env };
  const loaded = loadConfig(fullEnv, { port: '0', host: '127.0.0.1', executor: 'local', dataDir, ...flags });
  if (!loaded.ok) {
    throw new Error(loaded.problems.join('; '));
  }
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const logger = createLogger('trace', sink);
  const server = await startServer({ config: loaded.config, logger, env: fullEnv });
  return { ...server, request: supertest(server.url), dataDir, logs: () => text, close: async () => {
      await server.stop('cancel-jobs', 'test finished');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
