/** The flux-restful-api auth contract: 401s, `/v1/token`, `/v1/login/access-token`, Bearer tokens, throttling. */
import test from 'ava';
import { decodeJwt, SignJWT } from 'jose';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { AUTH_ENV, bearer, CLIENT_SECRET, fetchToken, startAuthServer, SUPERUSER, SUPERUSER_PASSWORD, tokenRequest } from '../helpers/auth.js';

let server: TestServer;
test.before(async () => {
  server = await startAuthServer();
});
test.after.always(async () => {
  await server.close();
});

const PROTECTED: [string, string][] = [
  ['get', '/v1/jobs'],
  ['get', '/v1/jobs?details=true&listing=true'],
  ['get', '/v1/jobs/search'],
  ['get', '/v1/jobs/1'],
  ['get', '/v1/jobs/1/output'],
  ['get', '/v1/jobs/1/output/stream'],
  ['get', '/v1/jobs/1/output/events'],
  ['post', '/v1/jobs/1/cancel'],
  ['post', '/v1/jobs/submit?command=true'],
  ['get', '/v1/nodes'],
  ['post', '/v1/service/stop'],
  ['post', '/v1/token/revoke'],
];

test('every API route answers 401 {"detail":"Not authenticated"} with WWW-Authenticate: Bearer without credentials', async (t) => {
  for (const [method, url] of PROTECTED) {
    const response = await (method === 'get' ? server.request.get(url) : server.request.post(url));
    t.is(response.status, 401, `${method} ${url}`);
    t.deepEqual(response.body, { detail: 'Not authenticated' }, `${method} ${url}`);
    t.is(response.headers['www-authenticate'], 'Bearer', `${method} ${url}`);
  }
});

test('HTTP Basic credentials are no credentials for the API (the client then starts the handshake)', async (t) => {
  const basic = Buffer.from(`${SUPERUSER}:${SUPERUSER_PASSWORD}`).toString('base64');
  const response = await server.request.get('/v1/jobs').set('Authorization', `Basic ${basic}`);
  t.is(response.status, 401);
  t.is(response.headers['www-authenticate'], 'Bearer');
});

test('an unauthenticated request with bad parameters still gets the 401 first', async (t) => {
  const response = await server.request.get('/v1/jobs?details=maybe&limit=lots');
  t.is(response.status, 401);
  const submit = await server.request.post('/v1/jobs/submit?num_tasks=abc');
  t.is(submit.status, 401);
});

test('GET / answers 200 without credentials, and with a stale token (the operator readiness probe)', async (t) => {
  t.is((await server.request.get('/')).status, 200);
  t.is((await server.request.get('/').set('Authorization', 'Bearer not.a.token')).status, 200);
});

test('/v1/token exchanges the signed request for an access token, under any scheme word or none', async (t) => {
  const signed = await tokenRequest(SUPERUSER, SUPERUSER_PASSWORD);
  for (const header of [`Bearer ${signed}`, `JWT ${signed}`, signed, `bearer   ${signed}`]) {
    const response = await server.request.post('/v1/token').set('Authorization', header);
    t.is(response.status, 200, header.slice(0, 10));
    t.is(response.body.token_type, 'Bearer');
    t.is(typeof response.body.access_token, 'string');
    t.is(response.headers['cache-control'], 'no-store');
    const jobs = await server.request.get('/v1/jobs').set(bearer(response.body.access_token as string));
    t.is(jobs.status, 200);
  }
});

test('access tokens carry sub, iat, exp (the configured lifetime) and a unique id', async (t) => {
  const first = decodeJwt(await fetchToken(server));
  const second = decodeJwt(await fetchToken(server));
  t.is(first.sub, SUPERUSER);
  t.is(typeof first.iat, 'number');
  t.is((first.exp ?? 0) - (first.iat ?? 0), 600 * 60);
  t.is(typeof first.jti, 'string');
  t.not(first.jti, second.jti);
});

test('the access-token lifetime follows FLUX_ACCESS_TOKEN_EXPIRES_MINUTES', async (t) => {
  const short = await startAuthServer({ FLUX_ACCESS_TOKEN_EXPIRES_MINUTES: '5' });
  t.teardown(() => short.close());
  const response = await short.request.post('/v1/token').set('Authorization', `Bearer ${await tokenRequest(SUPERUSER, SUPERUSER_PASSWORD)}`);
  t.is(response.body.expires_in, 300);
  const claims = decodeJwt(response.body.access_token as string);
  t.is((claims.exp ?? 0) - (claims.iat ?? 0), 300);
});

test('/v1/token never answers 401: every refusal is 400 {"Message":"Denied"}, undecodable requests included', async (t) => {
  const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ user: SUPERUSER, pass: SUPERUSER_PASSWORD, scope: 'token' })).toString('base64url')}.`;
  const cases: [string, string | undefined][] = [
    ['no header', undefined],
    ['empty', ''],
    ['garbage', 'Bearer garbage'],
    ['three garbage parts', 'Bearer a.b.c'],
    ['alg none', `Bearer ${unsigned}`],
    ['wrong secret', `Bearer ${await tokenRequest(SUPERUSER, SUPERUSER_PASSWORD, 'not-the-secret')}`],
    ['wrong scope', `Bearer ${await tokenRequest(SUPERUSER, SUPERUSER_PASSWORD, CLIENT_SECRET, 'admin')}`],
    ['empty password', `Bearer ${await tokenRequest(SUPERUSER, '')}`],
    ['wrong password', `Bearer ${await tokenRequest(SUPERUSER, 'wrong')}`],
    ['unknown user', `Bearer ${await tokenRequest('nobody', SUPERUSER_PASSWORD)}`],
    ['an access token instead of a request', `Bearer ${await fetchToken(server)}`],
  ];
  for (const [what, header] of cases) {
    const request = server.request.post('/v1/token');
    const response = await (header === undefined ? request : request.set('Authorization', header));
    t.is(response.status, 400, what);
    t.deepEqual(response.body, { Message: 'Denied' }, what);
  }
});

test('/v1/token denies everything when FLUX_SECRET_KEY is not set (and login/access-token still works)', async (t) => {
  const noSecret = await startTestServer({ env: { ...AUTH_ENV, FLUX_SECRET_KEY: undefined } });
  t.teardown(() => noSecret.close());
  const signed = await tokenRequest(SUPERUSER, SUPERUSER_PASSWORD, 'whatever the client holds');
  t.is((await noSecret.request.post('/v1/token').set('Authorization', `Bearer ${signed}`)).status, 400);
  const form = await noSecret.request.post('/v1/login/access-token').type('form').send({ username: SUPERUSER, password: SUPERUSER_PASSWORD });
  t.is(form.status, 200);
});

test('/v1/login/access-token takes the OAuth2 password form', async (t) => {
  const ok = await server.request.post('/v1/login/access-token').type('form').send({ username: SUPERUSER, password: SUPERUSER_PASSWORD, grant_type: 'password' });
  t.is(ok.status, 200);
  t.is(ok.body.token_type, 'Bearer');
  t.is((await server.request.get('/v1/jobs').set(bearer(ok.body.access_token as string))).status, 200);

  const wrong = await server.request.post('/v1/login/access-token').type('form').send({ username: SUPERUSER, password: 'nope' });
  t.is(wrong.status, 400);
  t.deepEqual(wrong.body, { detail: 'Incorrect email or password' });

  const missing = await server.request.post('/v1/login/access-token').type('form').send({ username: SUPERUSER });
  t.is(missing.status, 422);
  t.is(missing.body.detail[0].type, 'missing');
  t.deepEqual(missing.body.detail[0].loc, ['body', 'password']);

  const grant = await server.request.post('/v1/login/access-token').type('form').send({ username: SUPERUSER, password: SUPERUSER_PASSWORD, grant_type: 'client_credentials' });
  t.is(grant.status, 422);
});

test('a forged, garbled or revoked Bearer token gets 401 with WWW-Authenticate, so the client fetches a new one', async (t) => {
  const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(SUPERUSER).setIssuedAt().setExpirationTime('1h').setJti('x').sign(new TextEncoder().encode('guess'));
  for (const token of [forged, 'garbage']) {
    const response = await server.request.get('/v1/jobs').set(bearer(token));
    t.is(response.status, 401);
    t.deepEqual(response.body, { detail: 'Could not validate credentials' });
    t.regex(String(response.headers['www-authenticate']), /^Bearer error="invalid_token"/);
  }

  const token = await fetchToken(server);
  t.is((await server.request.get('/v1/jobs').set(bearer(token))).status, 200);
  const revoked = await server.request.post('/v1/token/revoke').set(bearer(token));
  t.is(revoked.status, 200);
  const after = await server.request.get('/v1/jobs').set(bearer(token));
  t.is(after.status, 401);
  t.deepEqual(after.body, { detail: 'Could not validate credentials' });
});

test('repeated failures on /v1/token and /v1/login/access-token are throttled with 429 and Retry-After', async (t) => {
  const throttled = await startAuthServer();
  t.teardown(() => throttled.close());
  const wrong = await tokenRequest(SUPERUSER, 'guess');
  for (let attempt = 0; attempt < 10; attempt += 1) {
    t.is((await throttled.request.post('/v1/token').set('Authorization', `Bearer ${wrong}`)).status, 400);
  }
  const blocked = await throttled.request.post('/v1/token').set('Authorization', `Bearer ${wrong}`);
  t.is(blocked.status, 429);
  t.true(Number(blocked.headers['retry-after']) >= 1);
  t.is(blocked.body.Message, 'Denied');
  // While blocked even the right password is refused before it is checked, on both routes.
  const right = await throttled.request.post('/v1/token').set('Authorization', `Bearer ${await tokenRequest(SUPERUSER, SUPERUSER_PASSWORD)}`);
  t.is(right.status, 429);
  const form = await throttled.request.post('/v1/login/access-token').type('form').send({ username: SUPERUSER, password: SUPERUSER_PASSWORD });
  t.is(form.status, 429);
  t.truthy(form.headers['retry-after']);
});
