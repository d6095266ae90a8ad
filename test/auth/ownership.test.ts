/**
 * A user sees and touches only their own jobs, everywhere; someone else's job answers exactly
 * like a job that does not exist (404), so not even its existence leaks. Superusers see all.
 * The tests are serial: some submit jobs, and the listing tests count them.
 */
import test from 'ava';
import type { TestServer } from '../helpers/test-server.js';
import { addUser, bearer, browserLogin, fetchToken, startAuthServer } from '../helpers/auth.js';

interface World {
  server: TestServer;
  alice: Record<string, string>;
  bob: Record<string, string>;
  root: Record<string, string>;
  /** alice's running job. */
  job: string;
}

let world: World;

test.before(async () => {
  const server = await startAuthServer();
  await addUser(server.dataDir, 'alice', 'alice-password');
  await addUser(server.dataDir, 'bob', 'bob-password-1');
  const alice = bearer(await fetchToken(server, 'alice', 'alice-password'));
  const bob = bearer(await fetchToken(server, 'bob', 'bob-password-1'));
  const root = bearer(await fetchToken(server));
  const submitted = await server.request.post('/v1/jobs/submit?command=sleep%20300&job_name=alices-secret-run').set(alice);
  const job = /"id":(\d+)/.exec(submitted.text)?.[1] ?? '';
  // Wait until it runs, so it is listed on the node.
  for (;;) {
    const detail = await server.request.get(`/v1/jobs/${job}`).set(alice);
    if (detail.body.state === 'RUN') {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  world = { server, alice, bob, root, job };
});

test.after.always(async () => {
  await world.server.close();
});

/** A 404 body without its request id (which differs per request). */
function comparable(body: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as { error?: { request_id?: string } };
  delete copy.error?.request_id;
  return copy;
}

test.serial("another user's job answers 404 everywhere, exactly as a job that does not exist", async (t) => {
  const { server, bob, job } = world;
  const missing = '12345678901';
  for (const suffix of ['', '/output', '/output?tail=5', '/output/stream', '/output/events']) {
    const theirs = await server.request.get(`/v1/jobs/${job}${suffix}`).set(bob);
    const none = await server.request.get(`/v1/jobs/${missing}${suffix}`).set(bob);
    t.is(theirs.status, 404, suffix);
    t.is(none.status, 404, suffix);
    // Same body, once the id in it is the same.
    t.deepEqual(comparable(theirs.body), JSON.parse(JSON.stringify(comparable(none.body)).replaceAll(missing, job)) as unknown, suffix);
  }
  const cancelTheirs = await server.request.post(`/v1/jobs/${job}/cancel`).set(bob);
  const cancelNone = await server.request.post(`/v1/jobs/${missing}/cancel`).set(bob);
  t.is(cancelTheirs.status, 404);
  t.deepEqual(cancelTheirs.body, { Message: 'Job cannot be cancelled: unknown job id.', id: job });
  t.deepEqual(cancelNone.body, { Message: 'Job cannot be cancelled: unknown job id.', id: missing });
  // ...and the job is still running.
  t.is((await server.request.get(`/v1/jobs/${job}`).set(world.alice)).body.state, 'RUN');
});

test.serial("listings and search never show another user's jobs, nor count them", async (t) => {
  const { server, bob, alice, job } = world;
  t.deepEqual((await server.request.get('/v1/jobs').set(bob)).body, { jobs: [] });
  t.deepEqual((await server.request.get('/v1/jobs?details=true').set(bob)).body, {});
  t.deepEqual((await server.request.get('/v1/jobs?details=true&listing=true').set(bob)).body, []);
  for (const query of ['', '?search=alices', `?search[value]=${job}`, '?draw=1&columns[0][data]=owner&columns[0][search][value]=alice', '?query=sleep']) {
    const search = await server.request.get(`/v1/jobs/search${query}`).set(bob);
    t.is(search.status, 200, query);
    t.deepEqual(search.body.data, [], query);
    t.is(search.body.recordsTotal, 0, query);
  }
  const mine = await server.request.get('/v1/jobs/search?search=alices').set(alice);
  t.is(mine.body.recordsTotal, 1);
  t.regex(mine.text, new RegExp(`"id":${job}`));
});

test.serial('the node listing shows a user only their own running jobs', async (t) => {
  const { server, bob, alice, root, job } = world;
  const forBob = await server.request.get('/v1/nodes?details=true').set(bob);
  t.false(forBob.text.includes(job));
  t.true((await server.request.get('/v1/nodes?details=true').set(alice)).text.includes(job));
  t.true((await server.request.get('/v1/nodes?details=true').set(root)).text.includes(job));
});

test.serial('a superuser sees and can follow everyone\'s jobs', async (t) => {
  const { server, root, job } = world;
  t.is((await server.request.get(`/v1/jobs/${job}`).set(root)).body.owner, 'alice');
  t.regex((await server.request.get('/v1/jobs').set(root)).text, new RegExp(`"id":${job}`));
  t.is((await server.request.get(`/v1/jobs/${job}/output`).set(root)).status, 200);
});

test.serial('the owner is always the authenticated user, whatever `user` the request names', async (t) => {
  const { server, bob } = world;
  const submitted = await server.request.post('/v1/jobs/submit?command=true&user=alice').set(bob);
  const id = /"id":(\d+)/.exec(submitted.text)?.[1] ?? '';
  t.is((await server.request.get(`/v1/jobs/${id}`).set(bob)).body.owner, 'bob');
  t.is((await server.request.get(`/v1/jobs/${id}`).set(world.alice)).status, 404);
});

test.serial('browser sessions are scoped the same way', async (t) => {
  const { server, job } = world;
  const session = await browserLogin(server, 'bob', 'bob-password-1');
  t.is((await server.request.get(`/v1/jobs/${job}`).set('Cookie', session.cookie)).status, 404);
  const cancel = await server.request.post(`/v1/jobs/${job}/cancel`).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
  t.is(cancel.status, 404);
});

test.serial('a user cannot stop the service', async (t) => {
  const { server, bob } = world;
  const response = await server.request.post('/v1/service/stop').set(bob);
  t.is(response.status, 403);
  t.deepEqual(response.body, { detail: "The user doesn't have enough privileges" });
  t.is((await server.request.get('/')).status, 200);
});
