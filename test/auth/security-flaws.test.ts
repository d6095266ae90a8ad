/**
 * One test per security flaw of flux-restful-api (reference §18, "Security"), each proving that
 * jobgate does not have it.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { decodeJwt, SignJWT } from 'jose';
import { loadConfig } from '../../src/config/load.js';
import { startTestServer, waitFor, makeTempDir, type TestServer } from '../helpers/test-server.js';
import {
  addUser, AUTH_ENV, bearer, browserLogin, CLIENT_SECRET, cookieLine, fetchToken, hiddenCsrf, startAuthServer, startCapturingServer, SUPERUSER, SUPERUSER_PASSWORD, tokenRequest,
} from '../helpers/auth.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

async function jobId(response: { status: number; text: string }): Promise<string> {
  if (response.status !== 200) {
    throw new Error(`submit: ${response.status} ${response.text}`);
  }
  return /"id":(\d+)/.exec(response.text)?.[1] ?? '';
}

test('§18.1 FLUX_SECRET_KEY cannot mint access tokens: tokens forged with it are refused', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const genuine = decodeJwt(await fetchToken(server));
  const forgeries = [
    // What worked against flux-restful-api: {"sub": "1"} (the superuser's id) signed with the client secret.
    await new SignJWT({ sub: '1' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime('1h').sign(encode(CLIENT_SECRET)),
    await new SignJWT({ sub: SUPERUSER }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime('1h').sign(encode(CLIENT_SECRET)),
    // Every claim of a genuine, live token, re-signed with the client secret.
    await new SignJWT({ ...genuine }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(encode(CLIENT_SECRET)),
  ];
  for (const forged of forgeries) {
    const response = await server.request.get('/v1/jobs').set(bearer(forged));
    t.is(response.status, 401);
    t.is((await server.request.post('/v1/service/stop').set(bearer(forged))).status, 401);
  }
  t.is((await server.request.get('/')).status, 200);
});

test('§18.2 tokens expire, can be revoked, and /v1/token is rate limited', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  // A token signed with the server's own key but without exp is still refused.
  const key = fs.readFileSync(path.join(server.dataDir, 'token-signing.key'), 'utf8').trim();
  const genuine = decodeJwt(await fetchToken(server));
  const { exp: _exp, ...forever } = genuine;
  const noExp = await new SignJWT(forever).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(encode(key));
  t.is((await server.request.get('/v1/jobs').set(bearer(noExp))).status, 401);
  t.true(typeof genuine.exp === 'number' && genuine.exp > (genuine.iat ?? 0));

  const token = await fetchToken(server);
  t.is((await server.request.post('/v1/token/revoke').set(bearer(token))).status, 200);
  t.is((await server.request.get('/v1/jobs').set(bearer(token))).status, 401);

  const guess = await tokenRequest(SUPERUSER, 'guess');
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 11; attempt += 1) {
    statuses.push((await server.request.post('/v1/token').set('Authorization', `Bearer ${guess}`)).status);
  }
  t.is(statuses[statuses.length - 1], 429);
});

test("§18.3 jobs never receive the server's secrets in their environment", async (t) => {
  const signingKey = 'server-only-signing-key-0123456789abcdef';
  const env = { ...process.env, ...AUTH_ENV, JOBGATE_TOKEN_SIGNING_KEY: signingKey };
  const server = await startTestServer({ env });
  t.teardown(() => server.close());
  const auth = bearer(await fetchToken(server));
  const id = await jobId(await server.request.post('/v1/jobs/submit?command=env').set(auth));
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${id}`).set(auth)).body.state === 'INACTIVE' ? true : undefined));
  const output = ((await server.request.get(`/v1/jobs/${id}/output`).set(auth)).body.Output as string[]).join('');
  t.regex(output, /^PATH=/m);
  for (const secret of [CLIENT_SECRET, SUPERUSER_PASSWORD, signingKey]) {
    t.false(output.includes(secret));
  }
  for (const name of ['FLUX_SECRET_KEY', 'FLUX_TOKEN', 'JOBGATE_TOKEN_SIGNING_KEY', 'FLUX_USER', 'FLUX_REQUIRE_AUTH']) {
    t.notRegex(output, new RegExp(`^${name}=`, 'm'));
  }
});

test("§18.4 the output stream needs credentials, and nobody reads, follows or cancels another user's job", async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice-password');
  await addUser(server.dataDir, 'mallory', 'mallory-password');
  const alice = bearer(await fetchToken(server, 'alice', 'alice-password'));
  const mallory = bearer(await fetchToken(server, 'mallory', 'mallory-password'));
  const id = await jobId(await server.request.post('/v1/jobs/submit?command=sleep%20300').set(alice));

  const stream = await server.request.get(`/v1/jobs/${id}/output/stream`);
  t.is(stream.status, 401);
  for (const url of [`/v1/jobs/${id}`, `/v1/jobs/${id}/output`, `/v1/jobs/${id}/output/stream`, `/v1/jobs/${id}/output/events`]) {
    t.is((await server.request.get(url).set(mallory)).status, 404, url);
  }
  t.is((await server.request.post(`/v1/jobs/${id}/cancel`).set(mallory)).status, 404);
  const search = await server.request.get('/v1/jobs/search').set(mallory);
  t.deepEqual(search.body.data, []);
  t.is(search.body.recordsTotal, 0);
  t.not((await server.request.get(`/v1/jobs/${id}`).set(alice)).body.state, 'INACTIVE');
});

test('§18.5 pages escape what they show, forms need CSRF tokens, nothing changes state on GET, Basic credentials are never taken', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  // Reflected input (the original's /job/{id}?msg=... rendered |safe) comes back escaped.
  const payload = '<script>alert(1)</script>';
  const page = await server.request.get(`/job/1?msg=${encodeURIComponent(payload)}`).set('Accept', 'text/html');
  t.false(page.text.includes(payload));
  const notFound = await server.request.get(`/nothing/${payload}`).set('Accept', 'text/html');
  t.is(notFound.status, 404);
  t.false(notFound.text.includes(payload));
  // What a user typed is shown back escaped (the login form keeps the name on a failed attempt).
  const form = await server.request.get('/login');
  const loginCookie = cookieLine(form.headers['set-cookie'], 'jobgate_login_csrf')?.split(';')[0] ?? '';
  const failed = await server.request.post('/login').set('Cookie', loginCookie).type('form').send({ username: payload, password: 'x', _csrf: hiddenCsrf(form.text) });
  t.false(failed.text.includes(payload));
  t.true(failed.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  t.false((failed.headers['content-security-policy'] ?? '').includes('unsafe-inline'));

  // A cookie-authenticated submit without the CSRF token changes nothing.
  const session = await browserLogin(server, SUPERUSER, SUPERUSER_PASSWORD);
  const forged = await server.request.post('/v1/jobs/submit').set('Cookie', session.cookie).type('form').send({ command: 'touch /tmp/pwned' });
  t.is(forged.status, 403);
  t.deepEqual((await server.request.get('/v1/jobs').set('Cookie', session.cookie)).body, { jobs: [] });

  // Cancel and stop exist only as POST.
  const auth = bearer(await fetchToken(server));
  const id = await jobId(await server.request.post('/v1/jobs/submit?command=sleep%20300').set(auth));
  t.is((await server.request.get(`/v1/jobs/${id}/cancel`).set(auth)).status, 405);
  t.is((await server.request.get('/v1/service/stop').set(auth)).status, 405);
  t.not((await server.request.get(`/v1/jobs/${id}`).set(auth)).body.state, 'INACTIVE');

  // Browsers resend Basic credentials on their own; jobgate never takes them, for pages or the API.
  const basic = `Basic ${Buffer.from(`${SUPERUSER}:${SUPERUSER_PASSWORD}`).toString('base64')}`;
  t.is((await server.request.post('/v1/jobs/submit?command=true').set('Authorization', basic)).status, 401);
  t.is((await server.request.get('/account').set('Authorization', basic)).status, 303);
});

test('§18.6 safe defaults: loopback, no default credentials, and FLUX_REQUIRE_AUTH=false explained', async (t) => {
  const defaults = loadConfig({}, {}, makeTempDir());
  t.true(defaults.ok && defaults.config.host === '127.0.0.1' && !defaults.config.requireAuth);
  t.true(defaults.ok && defaults.config.superuser === null && defaults.config.clientSecret === null && defaults.config.tokenSigningKey === null);

  // Auth on without FLUX_USER: no user exists, so the published example credentials get nothing.
  const server = await startTestServer({ env: { FLUX_REQUIRE_AUTH: 'true', FLUX_SECRET_KEY: 'notsecrethoo' } });
  t.teardown(() => server.close());
  const token = await server.request.post('/v1/token').set('Authorization', `Bearer ${await tokenRequest('fluxuser', '12345', 'notsecrethoo')}`);
  t.is(token.status, 400);
  const form = await server.request.post('/v1/login/access-token').type('form').send({ username: 'fluxuser', password: '12345' });
  t.is(form.status, 400);

  // The confusing switch keeps its meaning (compatibility) but says so; ours is unambiguous.
  const confusing = loadConfig({ FLUX_REQUIRE_AUTH: 'false' });
  t.true(confusing.ok && confusing.config.requireAuth);
  t.true(confusing.ok && confusing.notes.some((note) => /JOBGATE_REQUIRE_AUTH=false/.test(note)));
  const clear = loadConfig({ JOBGATE_REQUIRE_AUTH: 'false', FLUX_REQUIRE_AUTH: 'yes' });
  t.true(clear.ok && !clear.config.requireAuth);
  const published = loadConfig({ FLUX_REQUIRE_AUTH: '1', FLUX_USER: 'fluxuser', FLUX_TOKEN: '12345', FLUX_SECRET_KEY: 'notsecrethoo' });
  t.true(published.ok && published.notes.filter((note) => /published/.test(note)).length === 2);
  // (Binding a non-loopback address without auth is refused: network.test.ts.)
});

test('§18.7 credentials never reach the logs, whatever /v1/token is sent', async (t) => {
  const server = await startCapturingServer({ ...AUTH_ENV });
  t.teardown(() => server.close());
  const right = await tokenRequest(SUPERUSER, SUPERUSER_PASSWORD);
  const wrong = await tokenRequest(SUPERUSER, 'a-wrong-password-guess');
  const ok = await server.request.post('/v1/token').set('Authorization', `Bearer ${right}`);
  await server.request.post('/v1/token').set('Authorization', `Bearer ${wrong}`);
  await server.request.post('/v1/login/access-token').type('form').send({ username: SUPERUSER, password: 'another-wrong-guess' });
  await server.request.get('/v1/jobs').set(bearer(ok.body.access_token as string));
  const logs = server.logs();
  t.true(logs.length > 0);
  for (const secret of [SUPERUSER_PASSWORD, 'a-wrong-password-guess', 'another-wrong-guess', CLIENT_SECRET, right, wrong, ok.body.access_token as string]) {
    t.false(logs.includes(secret));
  }
});

test('§18.8 search takes text, not a regular expression: no catastrophic backtracking, no 500', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const auth = bearer(await fetchToken(server));
  await jobId(await server.request.post(`/v1/jobs/submit?command=${encodeURIComponent(`echo ${'a'.repeat(40)}!`)}`).set(auth));
  for (const pattern of ['(a+)+$', '(a|aa)+b', '[', '*', '\\', "' OR 1=1 --", '%', '_']) {
    const response = await server.request.get(`/v1/jobs/search?search=${encodeURIComponent(pattern)}`).set(auth);
    t.is(response.status, 200, pattern);
    t.deepEqual(response.body.data, [], pattern);
  }
});

test('§18.9 launchers run as ordinary jobs of their owner, through the executor; unknown launchers are refused', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice-password');
  await addUser(server.dataDir, 'mallory', 'mallory-password');
  const alice = bearer(await fetchToken(server, 'alice', 'alice-password'));
  const submitted = await server.request.post('/v1/jobs/submit?command=nextflow%20run%20hello&is_launcher=true').set(alice);
  t.is(submitted.status, 200);
  const id = await jobId(submitted);
  t.regex(id, /^\d+$/);
  const detail = await waitFor(async () => {
    const response = await server.request.get(`/v1/jobs/${id}`).set(alice);
    return response.body.state === 'INACTIVE' ? (response.body as Record<string, unknown>) : undefined;
  });
  t.is(detail.owner, 'alice');
  t.is(detail.executor, 'local');
  t.is((await server.request.get(`/v1/jobs/${id}`).set(bearer(await fetchToken(server, 'mallory', 'mallory-password')))).status, 404);
  const notLauncher = await server.request.post('/v1/jobs/submit?command=rm%20-rf%20x&is_launcher=true').set(alice);
  t.is(notLauncher.status, 400);
});

test('§18.10 the signing key is made once and kept (0600): tokens survive a restart, and it is not shared', async (t) => {
  const dataDir = makeTempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const first: TestServer = await startTestServer({ env: AUTH_ENV, dataDir });
  const token = await fetchToken(first);
  await first.close();
  const keyFile = path.join(dataDir, 'token-signing.key');
  t.is(fs.statSync(keyFile).mode & 0o777, 0o600);
  t.is(fs.statSync(path.join(dataDir, 'jobgate.db')).mode & 0o777, 0o600);
  const key = fs.readFileSync(keyFile, 'utf8');

  const second = await startTestServer({ env: AUTH_ENV, dataDir });
  t.teardown(() => second.close());
  t.is(fs.readFileSync(keyFile, 'utf8'), key);
  t.is((await second.request.get('/v1/jobs').set(bearer(token))).status, 200);

  const elsewhere = await startAuthServer();
  t.teardown(() => elsewhere.close());
  t.not(fs.readFileSync(path.join(elsewhere.dataDir, 'token-signing.key'), 'utf8'), key);
  t.is((await elsewhere.request.get('/v1/jobs').set(bearer(token))).status, 401);
});
