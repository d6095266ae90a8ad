/** `jobgate login` / `logout` and credentials on a jobgate with auth on, through the real command. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CredentialStore, configDir } from '../../src/client/credentials.js';
import { cliEnv } from '../helpers/cli.js';
import { addUser, CLIENT_SECRET, startAuthServer, SUPERUSER, SUPERUSER_PASSWORD } from '../helpers/auth.js';
import type { TestServer } from '../helpers/test-server.js';

let server: TestServer;

test.before(async () => {
  server = await startAuthServer();
  await addUser(server.dataDir, 'alice', 'alice-password');
});

test.after.always(() => server.close());

test('without credentials every command exits 3 and says how to sign in', async (t) => {
  const cli = cliEnv({ JOBGATE_URL: server.url });
  t.teardown(() => cli.cleanup());
  const run = await cli.run(['list']);
  t.is(run.exitCode, 3);
  t.is(run.stderr, `jobgate: ${server.url} needs credentials: run \`jobgate login --url ${server.url}\` (or set FLUX_USER and FLUX_TOKEN)`);
});

test('login keeps a token (0600, per server) that later commands use; logout revokes it', async (t) => {
  const cli = cliEnv();
  t.teardown(() => cli.cleanup());
  const login = await cli.run(['login', '--url', server.url, '--user', 'alice', '--password-stdin'], { input: 'alice-password\n' });
  t.is(login.exitCode, 0, login.stderr);
  t.regex(login.stderr, /^signed in to http:\/\/127\.0\.0\.1:\d+ as alice; the token lasts 10h00m \(kept in .*credentials\.json\)$/);

  const file = path.join(cli.configHome, 'jobgate', 'credentials.json');
  t.is(fs.statSync(file).mode & 0o777, 0o600);
  t.is(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { default: string; servers: Record<string, { user: string; token: string }> };
  t.is(stored.default, server.url);
  t.is(stored.servers[server.url]?.user, 'alice');

  // No --url: the server of the last login.
  const submitted = await cli.run(['submit', 'true']);
  t.is(submitted.exitCode, 0, submitted.stderr);
  const listed = await cli.run(['list', '--json']);
  t.is(listed.exitCode, 0, listed.stderr);
  t.regex(listed.stdout, /"owner": "alice"/);
  // Alice is no superuser: stopping the service is refused.
  const stop = await cli.run(['stop', '--yes']);
  t.is(stop.exitCode, 3);
  t.regex(stop.stderr, /enough privileges/);

  const token = stored.servers[server.url]?.token ?? '';
  const logout = await cli.run(['logout']);
  t.is(logout.exitCode, 0, logout.stderr);
  t.false(JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))).includes(token));
  t.is((await server.request.get('/v1/jobs').set('Authorization', `Bearer ${token}`)).status, 401, 'the token was revoked on the server');
  t.is((await cli.run(['list', '--url', server.url])).exitCode, 3);
});

test('a wrong password exits 3; a login without a terminal or --password-stdin is a usage error', async (t) => {
  const cli = cliEnv({ JOBGATE_URL: server.url });
  t.teardown(() => cli.cleanup());
  const wrong = await cli.run(['login', '-u', 'alice', '--password-stdin'], { input: 'nope\n' });
  t.is(wrong.exitCode, 3);
  t.regex(wrong.stderr, /refused: Incorrect email or password/);
  const noTerminal = await cli.run(['login', '-u', 'alice']);
  t.is(noTerminal.exitCode, 2);
  t.false(fs.existsSync(path.join(cli.configHome, 'jobgate', 'credentials.json')));
});

test('an expired or revoked kept token is named as such', async (t) => {
  const cli = cliEnv({ JOBGATE_URL: server.url });
  t.teardown(() => cli.cleanup());
  t.is((await cli.run(['login', '-u', 'alice', '--password-stdin'], { input: 'alice-password\n' })).exitCode, 0);
  const file = path.join(cli.configHome, 'jobgate', 'credentials.json');
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { servers: Record<string, { token: string }> };
  await server.request.post('/v1/token/revoke').set('Authorization', `Bearer ${stored.servers[server.url]?.token ?? ''}`);
  const run = await cli.run(['list']);
  t.is(run.exitCode, 3);
  t.regex(run.stderr, /your access token for http:\/\/127\.0\.0\.1:\d+ has expired or was revoked/);
});

test('FLUX_USER and FLUX_TOKEN (with FLUX_SECRET_KEY: the flux-restful handshake) answer the server\'s challenge', async (t) => {
  const cli = cliEnv({ JOBGATE_URL: server.url, FLUX_USER: SUPERUSER, FLUX_TOKEN: SUPERUSER_PASSWORD });
  t.teardown(() => cli.cleanup());
  const withPassword = await cli.run(['nodes']);
  t.is(withPassword.exitCode, 0, withPassword.stderr);
  const withSecret = await cli.run(['nodes'], { env: { FLUX_SECRET_KEY: CLIENT_SECRET } });
  t.is(withSecret.exitCode, 0, withSecret.stderr);
  const wrongSecret = await cli.run(['nodes'], { env: { FLUX_SECRET_KEY: 'not the secret' } });
  t.is(wrongSecret.exitCode, 3);
  t.is(wrongSecret.stderr, `jobgate: the server refused the credentials of ${SUPERUSER} (Denied)`);
  // login uses the same handshake when the secret is set, and keeps nothing from the environment otherwise.
  const login = await cli.run(['login', '--password-stdin'], { input: `${SUPERUSER_PASSWORD}\n`, env: { FLUX_SECRET_KEY: CLIENT_SECRET, FLUX_TOKEN: '' } });
  t.is(login.exitCode, 0, login.stderr);
  t.regex(login.stderr, new RegExp(`as ${SUPERUSER};`));
});

test('logout forgets the token even when the server is gone, and says it stays valid', async (t) => {
  const cli = cliEnv();
  t.teardown(() => cli.cleanup());
  const gone = 'http://127.0.0.1:9';
  new CredentialStore(configDir({ XDG_CONFIG_HOME: cli.configHome })).save(gone, { token: 'kept', user: 'alice' });
  const run = await cli.run(['logout', '--url', gone]);
  t.is(run.exitCode, 0);
  t.regex(run.stderr, /signed out of http:\/\/127\.0\.0\.1:9 \(the server could not be reached: the token stays valid until it expires\)/);
  t.is(new CredentialStore(configDir({ XDG_CONFIG_HOME: cli.configHome })).get(gone), undefined);
  t.is((await cli.run(['logout', '--url', gone])).stderr, 'not signed in to http://127.0.0.1:9');
});
