/**
 * `GET /v1/users/me` (who am I, and when the credential expires), `GET /v1/users` (each user's
 * jobs by state and CPU-seconds), and JOBGATE_ADMIN_ALLOW limiting the admin routes by address.
 */
import test from 'ava';
import { addUser, bearer, browserLogin, fetchToken, startAuthServer } from '../helpers/auth.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/test-server.js';

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

test('who am I: a token says when it expires, a session too; with auth off the caller is the local superuser', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const before = Date.now() / 1000;
  const me = await server.request.get('/v1/users/me').set(bearer(await fetchToken(server)));
  t.like(me.body, { name: 'fluxuser', role: 'superuser', credential: 'token', read_only: false, api_key: null });
  const expires = (me.body as { expires_at: number }).expires_at;
  // The default lifetime is 600 minutes.
  t.true(expires >= Math.floor(before) + 600 * 60 && expires <= Date.now() / 1000 + 600 * 60);
  t.is((await server.request.get('/v1/users/me')).status, 401);
  await addUser(server.dataDir, 'sam', 'sam-password');
  const session = await browserLogin(server, 'sam', 'sam-password');
  const viaCookie = await server.request.get('/v1/users/me').set('Cookie', session.cookie);
  t.like(viaCookie.body, { name: 'sam', role: 'user', credential: 'session', read_only: false });
  t.true((viaCookie.body as { expires_at: number }).expires_at > Date.now() / 1000);

  const open = await startTestServer();
  t.teardown(() => open.close());
  t.like((await open.request.get('/v1/users/me')).body, { role: 'superuser', credential: 'none', expires_at: null });
});

test('users: each user with jobs by state and CPU-seconds (cores × runtime); superusers only', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'dora', 'dora-password');
  await addUser(server.dataDir, 'ed', 'ed-password1');
  const dora = await fetchToken(server, 'dora', 'dora-password');
  const ids = [await submitAs(server, bearer(dora), { command: 'sleep 0.2', num_tasks: 2 }), await submitAs(server, bearer(dora), { command: 'true' })];
  const details = await Promise.all(ids.map((id) => endedJob(server, bearer(dora), id)));
  const expected = details.reduce((sum, job) => sum + Number(job.ncores) * Number(job.runtime), 0);

  const answer = await server.request.get('/v1/users').set(bearer(await fetchToken(server)));
  t.is(answer.status, 200);
  const users = (answer.body as { users: { name: string; role: string | null; jobs: Record<string, number>; jobs_total: number; cpu_seconds: number }[] }).users;
  t.deepEqual(users.map((user) => user.name), ['dora', 'ed', 'fluxuser']);
  const doraFigures = users.find((user) => user.name === 'dora');
  t.like(doraFigures, { role: 'user', jobs_total: 2, jobs: { INACTIVE: 2, RUN: 0 } });
  t.true(Math.abs((doraFigures?.cpu_seconds ?? 0) - expected) < 0.01, `${doraFigures?.cpu_seconds} vs ${expected}`);
  t.true(expected > 0);
  t.like(users.find((user) => user.name === 'ed'), { jobs_total: 0, cpu_seconds: 0 });
  const refused = await server.request.get('/v1/users').set(bearer(dora));
  t.is(refused.status, 403);
  t.like(refused.body, { error: { code: 'FORBIDDEN' } });
});

test('JOBGATE_ADMIN_ALLOW: admin routes from another address answer 403 naming the reason; other routes are untouched', async (t) => {
  const elsewhere = await startAuthServer({ JOBGATE_ADMIN_ALLOW: '10.0.0.0/8,fd00::/8' });
  t.teardown(() => elsewhere.close());
  const token = bearer(await fetchToken(elsewhere));
  for (const answer of [await elsewhere.request.get('/v1/users').set(token), await elsewhere.request.post('/v1/service/stop').set(token)]) {
    t.is(answer.status, 403);
    t.regex(answer.text, /JOBGATE_ADMIN_ALLOW \(10\.0\.0\.0\/8,fd00::\/8\); 127\.0\.0\.1 is not one/);
  }
  // Refused before asking who it is: no credentials needed to learn the address is wrong.
  t.is((await elsewhere.request.post('/v1/service/stop')).status, 403);
  t.is((await elsewhere.request.get('/v1/users/me').set(token)).status, 200);
  t.is((await elsewhere.request.get('/v1/jobs').set(token)).status, 200);

  const here = await startAuthServer({ JOBGATE_ADMIN_ALLOW: '127.0.0.0/8' });
  t.teardown(() => here.close());
  const hereToken = bearer(await fetchToken(here));
  t.is((await here.request.get('/v1/users').set(hereToken)).status, 200);
  t.is((await here.request.post('/v1/service/stop')).status, 401);
});
