/** The per-client token bucket: headers, 429 with Retry-After, per-user budgets, off for loopback by default. */
import test from 'ava';
import { startTestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';

test('over the burst: 429 with Retry-After and X-RateLimit-*, in the one error shape; every answer counts down', async (t) => {
  // A refill this slow cannot add a token during the test.
  const server = await startTestServer({ env: { JOBGATE_RATE_LIMIT: '0.01', JOBGATE_RATE_LIMIT_BURST: '3', JOBGATE_RATE_LIMIT_LOOPBACK: 'true' } });
  t.teardown(() => server.close());
  const remaining: string[] = [];
  for (let index = 0; index < 3; index += 1) {
    const response = await server.request.get('/v1/jobs/query');
    t.is(response.status, 200);
    t.is(response.headers['x-ratelimit-limit'], '3');
    remaining.push(String(response.headers['x-ratelimit-remaining']));
  }
  t.deepEqual(remaining, ['2', '1', '0']);
  const refused = await server.request.get('/v1/jobs');
  t.is(refused.status, 429);
  t.like(refused.body.error, { code: 'RATE_LIMIT_EXCEEDED' });
  t.true(Number(refused.headers['retry-after']) >= 1);
  t.is(refused.headers['x-ratelimit-remaining'], '0');
  t.true(Number(refused.headers['x-ratelimit-reset']) >= Number(refused.headers['retry-after']));
  // The whole API, POSTs and unauthenticated routes included.
  t.is((await server.request.post('/v1/jobs/submit').query({ command: 'true' })).status, 429);
  t.is((await server.request.get('/ping')).status, 429);
});

test('loopback clients are not limited by default', async (t) => {
  const server = await startTestServer({ env: { JOBGATE_RATE_LIMIT: '0.01', JOBGATE_RATE_LIMIT_BURST: '1' } });
  t.teardown(() => server.close());
  for (let index = 0; index < 5; index += 1) {
    const response = await server.request.get('/ping');
    t.is(response.status, 200);
    t.is(response.headers['x-ratelimit-limit'], undefined);
  }
});

test('with auth on, each user has their own budget', async (t) => {
  const server = await startTestServer({ env: { ...AUTH_ENV, JOBGATE_RATE_LIMIT: '0.01', JOBGATE_RATE_LIMIT_BURST: '6', JOBGATE_RATE_LIMIT_LOOPBACK: 'true' } });
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice-password-1');
  await addUser(server.dataDir, 'bob', 'bob-password-12');
  // Two token requests (counted per address: no user yet), then each user's own budget.
  const alice = bearer(await fetchToken(server, 'alice', 'alice-password-1'));
  const bob = bearer(await fetchToken(server, 'bob', 'bob-password-12'));
  for (let index = 0; index < 6; index += 1) {
    t.is((await server.request.get('/v1/jobs').set(alice)).status, 200);
  }
  t.is((await server.request.get('/v1/jobs').set(alice)).status, 429);
  const other = await server.request.get('/v1/jobs').set(bob);
  t.is(other.status, 200);
  t.is(other.headers['x-ratelimit-remaining'], '5');
});

test('configuration: off turns it off; a bad value is a start-up problem naming the variable', async (t) => {
  const server = await startTestServer({ env: { JOBGATE_RATE_LIMIT: 'off', JOBGATE_RATE_LIMIT_LOOPBACK: 'true' } });
  t.teardown(() => server.close());
  t.is((await server.request.get('/ping')).headers['x-ratelimit-limit'], undefined);
  await t.throwsAsync(startTestServer({ env: { JOBGATE_RATE_LIMIT: 'fast' } }), { message: /JOBGATE_RATE_LIMIT: expected requests per second/ });
  await t.throwsAsync(startTestServer({ env: { JOBGATE_RATE_LIMIT_BURST: '0' } }), { message: /rateLimit\.burst/ });
});
