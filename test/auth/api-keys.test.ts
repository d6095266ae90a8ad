/**
 * Named API keys: made with `jobgate users key add` (printed once, stored hashed), sent as
 * Bearer or X-API-Key, read-only ones refused on everything that changes state (API and page
 * forms alike), exchanged for a token with grant_type=client_credentials, listed, revoked and
 * expired — and never written to the logs.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { projectRoot } from '../../src/version.js';
import { addUser, AUTH_ENV, bearer, fetchToken, startAuthServer, startCapturingServer } from '../helpers/auth.js';
import { waitFor, type TestServer } from '../helpers/test-server.js';

const bin = path.join(projectRoot, 'bin', 'jobgate');

async function jobgateUsers(dataDir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const result = await execa('node', [bin, 'users', ...args, '--data-dir', dataDir], { reject: false, env: { JOBGATE_DATA_DIR: '' } });
  return { code: result.exitCode ?? -1, out: result.stdout, err: result.stderr };
}

/** Submits as the holder of `headers`; returns the id text. */
async function submitAs(server: TestServer, headers: Record<string, string>, params: Record<string, string | number>): Promise<string> {
  const answer = await server.request.post('/v1/jobs/submit').set(headers).query(params);
  const match = /"id":\s*(\d+)/.exec(answer.text);
  if (answer.status !== 200 || match?.[1] === undefined) {
    throw new Error(`submit: ${answer.status} ${answer.text}`);
  }
  return match[1];
}

async function endedJob(server: TestServer, headers: Record<string, string>, id: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const body = (await server.request.get(`/v1/jobs/${id}`).set(headers)).body as Record<string, unknown>;
    return body.state === 'INACTIVE' ? body : undefined;
  }, 20000, `job ${id} to end`);
}

async function newKey(server: TestServer, user: string, name: string, extra: string[] = []): Promise<string> {
  const made = await jobgateUsers(server.dataDir, ['key', 'add', user, name, ...extra]);
  if (made.code !== 0) {
    throw new Error(made.err);
  }
  const key = made.out.split('\n')[0] ?? '';
  if (!/^jg_[A-Za-z0-9_-]{43}$/.test(key)) {
    throw new Error(`no key in ${made.out}`);
  }
  return key;
}

test('a key from the CLI is printed once, stored only hashed, listed by prefix, and works as Bearer and X-API-Key', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice-password');
  const made = await jobgateUsers(server.dataDir, ['key', 'add', 'alice', 'ci', '--expires', '90d']);
  t.is(made.code, 0, made.err);
  const key = made.out.split('\n')[0] ?? '';
  t.regex(key, /^jg_/);
  t.regex(made.out, /read-write, valid until \d{4}-/);

  const listed = await jobgateUsers(server.dataDir, ['key', 'list', 'alice']);
  t.regex(listed.out, /^NAME\s+PREFIX\s+ACCESS\s+CREATED\s+EXPIRES\s+LAST USED\nci\s+jg_\S{5}\s+read-write\s+\S+\s+\d{4}-\S+\s+-$/);
  t.false(listed.out.includes(key));
  for (const file of fs.readdirSync(server.dataDir).filter((name) => name.startsWith('jobgate.db'))) {
    t.false(fs.readFileSync(path.join(server.dataDir, file)).includes(key), `${file} holds no key`);
  }

  const id = await submitAs(server, bearer(key), { command: 'true' });
  const viaHeader = await server.request.get(`/v1/jobs/${id}`).set('X-API-Key', key);
  t.is(viaHeader.status, 200);
  t.is((viaHeader.body as { owner: string }).owner, 'alice');
  const me = await server.request.get('/v1/users/me').set('X-API-Key', key);
  t.like(me.body, { name: 'alice', role: 'user', credential: 'api_key', api_key: 'ci', read_only: false });
  t.true(typeof (me.body as { expires_at: unknown }).expires_at === 'number');
  t.regex((await jobgateUsers(server.dataDir, ['key', 'list', 'alice', '--json'])).out, /"lastUsedAt": "\d{4}-/);

  t.regex((await jobgateUsers(server.dataDir, ['key', 'add', 'alice', 'ci'])).err, /already has a key named 'ci'/);
  t.regex((await jobgateUsers(server.dataDir, ['key', 'add', 'alice', 'x', '--expires', 'soon'])).err, /--expires: expected a duration/);
  t.regex((await jobgateUsers(server.dataDir, ['key', 'add', 'nobody', 'x'])).err, /no user named 'nobody'/);

  t.is((await jobgateUsers(server.dataDir, ['key', 'revoke', 'alice', 'ci'])).code, 0);
  const revoked = await server.request.get('/v1/jobs').set(bearer(key));
  t.is(revoked.status, 401);
  t.regex(String(revoked.headers['www-authenticate']), /invalid_token/);
  t.is((await server.request.get('/v1/jobs').set('X-API-Key', key)).status, 401);
  t.regex((await jobgateUsers(server.dataDir, ['key', 'revoke', 'alice', 'ci'])).err, /no key named 'ci'/);
});

test('a read-only key lists, reads and follows, and gets 403 on everything that changes state, pages included', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice-password');
  const aliceToken = await fetchToken(server, 'alice', 'alice-password');
  const id = await submitAs(server, bearer(aliceToken), { command: 'echo hello' });
  await endedJob(server, bearer(aliceToken), id);
  const key = await newKey(server, 'alice', 'reader', ['--read-only']);
  const asKey = { 'X-API-Key': key };

  t.is((await server.request.get('/v1/jobs').set(asKey)).status, 200);
  t.is((await server.request.get(`/v1/jobs/${id}`).set(asKey)).status, 200);
  t.deepEqual((await server.request.get(`/v1/jobs/${id}/output`).set(asKey)).body.Output, ['hello\n']);
  const follow = await server.request.get(`/v1/jobs/${id}/output/events`).set(asKey);
  t.is(follow.status, 200);
  t.regex(follow.text, /event: end/);
  t.is((await server.request.get('/v1/jobs/query').set(asKey)).status, 200);
  t.like((await server.request.get('/v1/users/me').set(bearer(key))).body, { read_only: true, credential: 'api_key' });

  const refusals: [string, Promise<{ status: number; text: string }>][] = [
    ['submit', server.request.post('/v1/jobs/submit').set(asKey).query({ command: 'true' })],
    ['cancel', server.request.post(`/v1/jobs/${id}/cancel`).set(asKey)],
    ['tags', server.request.post(`/v1/jobs/${id}/tags`).set(asKey).send({ tags: ['a'] })],
    ['metadata', server.request.patch(`/v1/jobs/${id}/metadata`).set(bearer(key)).send({ k: 'v' })],
    ['bulk', server.request.post('/v1/jobs/bulk').set(bearer(key)).send({ action: 'cancel', ids: [id], dry_run: true })],
    ['keys', server.request.post('/v1/users/me/keys').set(asKey).send({ name: 'more' })],
    ['page submit', server.request.post('/jobs/submit').set(asKey).type('form').send({ command: 'true' })],
    ['page labels', server.request.post(`/job/${id}/labels`).set(bearer(key)).type('form').send({ add_tags: 'x' })],
  ];
  for (const [what, request] of refusals) {
    const answer = await request;
    t.is(answer.status, 403, what);
    t.regex(answer.text, /read-only/, what);
  }
  t.deepEqual((await server.request.get(`/v1/jobs/${id}/labels`).set(bearer(aliceToken))).body.tags, []);

  // The token a read-only key logs in for is read-only too, and dies with the key.
  const login = await server.request.post('/v1/login/access-token').type('form').send({ grant_type: 'client_credentials', client_secret: key });
  t.is(login.status, 200);
  const token = (login.body as { access_token: string }).access_token;
  t.is((await server.request.get('/v1/jobs').set(bearer(token))).status, 200);
  t.like((await server.request.get('/v1/users/me').set(bearer(token))).body, { credential: 'token', read_only: true });
  t.is((await server.request.post('/v1/jobs/submit').set(bearer(token)).query({ command: 'true' })).status, 403);
  t.is((await server.request.post('/v1/users/me/keys').set(bearer(token)).send({ name: 'more' })).status, 403);
  t.is((await server.request.post('/v1/login/access-token').type('form').send({ grant_type: 'client_credentials', client_secret: 'jg_wrong' })).status, 400);
  t.is((await jobgateUsers(server.dataDir, ['key', 'revoke', 'alice', 'reader'])).code, 0);
  t.is((await server.request.get('/v1/jobs').set(bearer(token))).status, 401);
});

test('keys made over HTTP: shown once, listed without the key, revoked; a key cannot make keys; an expired key is refused', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'bob', 'bob-password');
  const token = await fetchToken(server, 'bob', 'bob-password');
  const made = await server.request.post('/v1/users/me/keys').set(bearer(token)).send({ name: 'deploy' });
  t.is(made.status, 201);
  const key = (made.body as { key: string }).key;
  t.regex(key, /^jg_/);
  const listed = await server.request.get('/v1/users/me/keys').set(bearer(token));
  t.like((listed.body as { keys: unknown[] }).keys[0], { name: 'deploy', read_only: false, expires_at: null });
  t.false(listed.text.includes(key));
  // A read-write key submits, but may not mint more keys.
  t.is((await server.request.post('/v1/jobs/submit').set(bearer(key)).query({ command: 'true' })).status, 200);
  const minted = await server.request.post('/v1/users/me/keys').set(bearer(key)).send({ name: 'more' });
  t.is(minted.status, 403);
  t.regex(minted.text, /API keys cannot create API keys/);
  const badName = await server.request.post('/v1/users/me/keys').set(bearer(token)).send({ name: 'bad name' });
  t.is(badName.status, 400);
  t.regex(badName.text, /"field":"name"/);

  t.is((await server.request.delete('/v1/users/me/keys/deploy').set(bearer(token))).status, 200);
  t.is((await server.request.get('/v1/jobs').set(bearer(key))).status, 401);

  const brief = await newKey(server, 'bob', 'brief', ['--expires', '1s']);
  // Waits for the expiry to pass, whenever that is; the refusal itself is what is checked.
  await waitFor(async () => ((await server.request.get('/v1/users/me').set('X-API-Key', brief)).status === 401 ? true : undefined), 15000, 'the key to expire', 200);
  t.is((await server.request.post('/v1/login/access-token').type('form').send({ grant_type: 'client_credentials', client_secret: brief })).status, 400);
});

test('keys and tokens never reach the logs', async (t) => {
  const server = await startCapturingServer(AUTH_ENV);
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'carol', 'carol-password');
  const login = await server.request.post('/v1/login/access-token').type('form').send({ username: 'carol', password: 'carol-password' });
  const token = (login.body as { access_token: string }).access_token;
  const key = ((await server.request.post('/v1/users/me/keys').set(bearer(token)).send({ name: 'logged', read_only: true })).body as { key: string }).key;
  const keyToken = ((await server.request.post('/v1/login/access-token').type('form').send({ grant_type: 'client_credentials', client_secret: key })).body as { access_token: string }).access_token;
  await server.request.get('/v1/jobs').set('X-API-Key', key);
  await server.request.post('/v1/jobs/submit').set(bearer(key)).query({ command: 'true' });
  await server.request.get('/v1/jobs').set(bearer(keyToken));
  await server.request.get('/v1/jobs').set('X-API-Key', `${key}x`);
  const logs = server.logs();
  t.regex(logs, /\/v1\/users\/me\/keys/);
  for (const secret of [key, keyToken, token, 'carol-password']) {
    t.false(logs.includes(secret));
  }
});
