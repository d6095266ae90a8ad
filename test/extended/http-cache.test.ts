/** ETag, Last-Modified, 304s, Cache-Control and Vary on GET answers; stale-if-error when the backend is unreachable. */
import test from 'ava';
import { startTestServer, submitJob, waitFor, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';
import { FakeExecutor } from '../helpers/fake-executor.js';

let server: TestServer;
let id: string;
test.before(async () => {
  server = await startTestServer();
  id = await submitJob(server, { command: 'true' });
  await waitForJobEnd(server, id);
});
test.after.always(async () => {
  await server.close();
});

test('GET answers carry a strong ETag, private no-cache and Vary on credentials', async (t) => {
  for (const path of [`/v1/jobs/${id}`, '/v1/jobs/query', '/v1/jobs', '/v1/templates', '/meta/versions/latest']) {
    const response = await server.request.get(path);
    t.is(response.status, 200, path);
    t.regex(String(response.headers.etag), /^"[A-Za-z0-9_-]{27}"$/, path);
    t.is(response.headers['cache-control'], 'private, no-cache', path);
    t.regex(String(response.headers.vary), /Authorization.*Cookie/, path);
  }
  // Answers that must not be kept say so, and get no validator.
  const search = await server.request.get('/v1/jobs/search');
  t.is(search.headers['cache-control'], 'no-store');
  t.is(search.headers.etag, undefined);
});

test('If-None-Match: 304 while unchanged (also for a list of tags, or *), 200 with a new ETag once changed', async (t) => {
  const first = await server.request.get(`/v1/jobs/${id}`);
  const etag = String(first.headers.etag);
  const again = await server.request.get(`/v1/jobs/${id}`).set('If-None-Match', etag);
  t.is(again.status, 304);
  t.is(again.text, '');
  t.is(again.headers.etag, etag);
  t.is((await server.request.get(`/v1/jobs/${id}`).set('If-None-Match', `"other", W/${etag}`)).status, 304);
  t.is((await server.request.get(`/v1/jobs/${id}`).set('If-None-Match', '*')).status, 304);
  await server.request.post(`/v1/jobs/${id}/tags`).send({ tags: ['changed'] });
  const changed = await server.request.get(`/v1/jobs/${id}`).set('If-None-Match', etag);
  t.is(changed.status, 200);
  t.not(changed.headers.etag, etag);
  t.deepEqual(changed.body.tags, [{ type: 'default', name: 'changed' }]);
});

test('Last-Modified: If-Modified-Since gives 304 once the second of the last change is over, 200 after a change', async (t) => {
  const own = await startTestServer();
  t.teardown(() => own.close());
  const job = await submitJob(own, { command: 'true' });
  await waitForJobEnd(own, job);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const first = await own.request.get(`/v1/jobs/${job}`);
  const modified = String(first.headers['last-modified']);
  t.false(Number.isNaN(Date.parse(modified)));
  t.true(Date.parse(modified) <= Date.parse(String(first.headers.date)));
  t.is((await own.request.get(`/v1/jobs/${job}`).set('If-Modified-Since', modified)).status, 304);
  t.is((await own.request.get('/v1/jobs/query').set('If-Modified-Since', modified)).status, 304);
  // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
  t.is((await own.request.get(`/v1/jobs/${job}`).set('If-Modified-Since', modified).set('If-None-Match', '"nope"')).status, 200);
  await own.request.patch(`/v1/jobs/${job}/metadata`).send({ k: 'v' });
  t.is((await own.request.get(`/v1/jobs/${job}`).set('If-Modified-Since', modified)).status, 200);
});

test('a running job\'s answer is always modified (its runtime grows)', async (t) => {
  const own = await startTestServer();
  t.teardown(() => own.close());
  const job = await submitJob(own, { command: 'sleep 30' });
  await waitFor(async () => ((await own.request.get(`/v1/jobs/${job}`)).body.state === 'RUN' ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const future = new Date(Date.now() + 3_600_000).toUTCString();
  const response = await own.request.get(`/v1/jobs/${job}`).set('If-Modified-Since', future);
  t.is(response.status, 200);
  t.is(response.body.state, 'RUN');
});

test('validators never cross users: the same URL has different ETags per user', async (t) => {
  const auth = await startTestServer({ env: AUTH_ENV });
  t.teardown(() => auth.close());
  await addUser(auth.dataDir, 'alice', 'alice-password-1');
  await addUser(auth.dataDir, 'bob', 'bob-password-12');
  const alice = bearer(await fetchToken(auth, 'alice', 'alice-password-1'));
  const bob = bearer(await fetchToken(auth, 'bob', 'bob-password-12'));
  const a = await auth.request.get('/v1/jobs/query').set(alice);
  const b = await auth.request.get('/v1/jobs/query').set(bob);
  t.is(a.text, b.text, 'both see an empty list');
  t.not(a.headers.etag, b.headers.etag);
  t.is((await auth.request.get('/v1/jobs/query').set(bob).set('If-None-Match', String(a.headers.etag))).status, 200);
});

test('stale-if-error: the last good answer, marked stale, when the backend is unreachable; an error otherwise', async (t) => {
  const executor = new FakeExecutor();
  const own = await startTestServer({ overrides: { executor } });
  t.teardown(() => own.close());
  const good = await own.request.get('/v1/nodes').query({ details: 'true' });
  t.is(good.status, 200);
  executor.down = true;
  const plain = await own.request.get('/v1/nodes').query({ details: 'true' });
  t.is(plain.status, 503);
  const stale = await own.request.get('/v1/nodes').query({ details: 'true' }).set('Cache-Control', 'max-age=0, stale-if-error=60');
  t.is(stale.status, 200);
  t.deepEqual(stale.body, good.body);
  t.is(stale.headers.etag, good.headers.etag);
  t.regex(String(stale.headers.age), /^\d+$/);
  t.regex(String(stale.headers.warning), /^110 - "Response is Stale"/);
  // Another URL was never answered well: nothing to fall back on.
  t.is((await own.request.get('/v1/nodes').set('Cache-Control', 'stale-if-error=60')).status, 503);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.is((await own.request.get('/v1/nodes').query({ details: 'true' }).set('Cache-Control', 'stale-if-error=0')).status, 503, 'older than allowed');
  executor.down = false;
  const fresh = await own.request.get('/v1/nodes').query({ details: 'true' }).set('Cache-Control', 'stale-if-error=60');
  t.is(fresh.status, 200);
  t.is(fresh.headers.warning, undefined);
  t.is(fresh.headers.age, undefined);
});

test('stale answers are per user too', async (t) => {
  const executor = new FakeExecutor();
  const auth = await startTestServer({ env: AUTH_ENV, overrides: { executor } });
  t.teardown(() => auth.close());
  await addUser(auth.dataDir, 'alice', 'alice-password-1');
  await addUser(auth.dataDir, 'bob', 'bob-password-12');
  const alice = bearer(await fetchToken(auth, 'alice', 'alice-password-1'));
  const bob = bearer(await fetchToken(auth, 'bob', 'bob-password-12'));
  t.is((await auth.request.get('/v1/nodes').set(alice)).status, 200);
  executor.down = true;
  t.is((await auth.request.get('/v1/nodes').set(alice).set('Cache-Control', 'stale-if-error=60')).status, 200);
  t.is((await auth.request.get('/v1/nodes').set(bob).set('Cache-Control', 'stale-if-error=60')).status, 503);
});
