/** Tags and metadata: add, remove, merge, replace, validation, shown on the job detail, ownership. */
import test from 'ava';
import { startTestServer, submitJob, type TestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';

let server: TestServer;
let id: string;
test.before(async () => {
  server = await startTestServer();
  id = await submitJob(server, { command: 'true' });
});
test.after.always(async () => {
  await server.close();
});

test.serial('tags: add (strings or objects, default type), idempotent, remove by type:name or by name', async (t) => {
  const added = await server.request.post(`/v1/jobs/${id}/tags`).send({ tags: ['project:climate', 'urgent', { type: 'issue', name: 'slow io' }] });
  t.is(added.status, 200);
  t.deepEqual(added.body.tags, [{ type: 'default', name: 'urgent' }, { type: 'issue', name: 'slow io' }, { type: 'project', name: 'climate' }]);
  t.is((await server.request.post(`/v1/jobs/${id}/tags`).send({ tags: ['urgent'] })).body.tags.length, 3);
  const removed = await server.request.delete(`/v1/jobs/${id}/tags`).query({ tag: ['project:climate', 'slow io'] });
  t.deepEqual(removed.body.tags, [{ type: 'default', name: 'urgent' }]);
  t.deepEqual((await server.request.get('/v1/tags')).body.tags, [{ type: 'default', name: 'urgent', jobs: 1 }]);
});

test.serial('metadata: PATCH merges (null removes), PUT replaces', async (t) => {
  t.deepEqual((await server.request.patch(`/v1/jobs/${id}/metadata`).send({ run: '7', site: 'alps' })).body.metadata, { run: '7', site: 'alps' });
  t.deepEqual((await server.request.patch(`/v1/jobs/${id}/metadata`).send({ run: null, note: 'ok' })).body.metadata, { note: 'ok', site: 'alps' });
  t.deepEqual((await server.request.put(`/v1/jobs/${id}/metadata`).send({ only: 'this' })).body.metadata, { only: 'this' });
  t.deepEqual((await server.request.get(`/v1/jobs/${id}/labels`)).body, { tags: [{ type: 'default', name: 'urgent' }], metadata: { only: 'this' }, held: false, hold: null });
});

test.serial('the job detail keeps every flux-restful-api field and adds tags, metadata, held and hold', async (t) => {
  const detail = (await server.request.get(`/v1/jobs/${id}`)).body;
  for (const field of ['id', 'jobid', 'state', 'result', 'returncode', 'runtime', 'urgency', 'exception', 't_submit', 'name', 'ntasks']) {
    t.true(field in detail, field);
  }
  t.deepEqual(detail.tags, [{ type: 'default', name: 'urgent' }]);
  t.deepEqual(detail.metadata, { only: 'this' });
  t.is(detail.held, false);
  t.is(detail.hold, null);
});

test('invalid tags and metadata: 400 naming each, nothing changed', async (t) => {
  const before = (await server.request.get(`/v1/jobs/${id}/labels`)).body;
  const badTag = await server.request.post(`/v1/jobs/${id}/tags`).send({ tags: ['ok', 'bad type:x', ' padded '] });
  t.is(badTag.status, 400);
  t.deepEqual((badTag.body.error.details as { field: string }[]).map((detail) => detail.field), ['tags[1].type', 'tags[2].name']);
  const badKey = await server.request.patch(`/v1/jobs/${id}/metadata`).send({ 'has space': 'x', fine: 'y'.repeat(5000) });
  t.is(badKey.status, 400);
  t.deepEqual((badKey.body.error.details as { field: string }[]).map((detail) => detail.field).sort(), ['metadata.fine', 'metadata.has space']);
  t.is((await server.request.patch(`/v1/jobs/${id}/metadata`).send({ n: 1 })).status, 400);
  t.deepEqual((await server.request.get(`/v1/jobs/${id}/labels`)).body, before);
});

test('limits: at most 64 tags and 64 metadata keys per job, refused as a whole', async (t) => {
  const other = await submitJob(server, { command: 'true' });
  const tags = Array.from({ length: 64 }, (_, index) => `t${index}`);
  t.is((await server.request.post(`/v1/jobs/${other}/tags`).send({ tags })).status, 200);
  const over = await server.request.post(`/v1/jobs/${other}/tags`).send({ tags: ['one-more'] });
  t.is(over.status, 400);
  t.is((await server.request.get(`/v1/jobs/${other}/labels`)).body.tags.length, 64);
  const keys = Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`k${index}`, 'v']));
  t.is((await server.request.put(`/v1/jobs/${other}/metadata`).send(keys)).status, 400);
  t.deepEqual((await server.request.get(`/v1/jobs/${other}/labels`)).body.metadata, {});
});

test('unknown job: 404 in the one error shape', async (t) => {
  const response = await server.request.post('/v1/jobs/4242/tags').send({ tags: ['x'] });
  t.is(response.status, 404);
  t.like(response.body.error, { code: 'RESOURCE_NOT_FOUND' });
});

test('ownership: labels of another user\'s job are 404; /v1/tags counts only your jobs', async (t) => {
  const auth = await startTestServer({ env: AUTH_ENV });
  t.teardown(() => auth.close());
  await addUser(auth.dataDir, 'alice', 'alice-password-1');
  await addUser(auth.dataDir, 'bob', 'bob-password-12');
  const alice = bearer(await fetchToken(auth, 'alice', 'alice-password-1'));
  const bob = bearer(await fetchToken(auth, 'bob', 'bob-password-12'));
  const job = /"id":(\d+)/.exec((await auth.request.post('/v1/jobs/submit').query({ command: 'true' }).set(alice)).text)?.[1] ?? '';
  t.is((await auth.request.post(`/v1/jobs/${job}/tags`).set(alice).send({ tags: ['secret-project'] })).status, 200);
  t.is((await auth.request.post(`/v1/jobs/${job}/tags`).set(bob).send({ tags: ['mine-now'] })).status, 404);
  t.is((await auth.request.patch(`/v1/jobs/${job}/metadata`).set(bob).send({ a: 'b' })).status, 404);
  t.is((await auth.request.get(`/v1/jobs/${job}/labels`).set(bob)).status, 404);
  t.deepEqual((await auth.request.get('/v1/tags').set(bob)).body.tags, []);
  t.is((await auth.request.get('/v1/tags').set(alice)).body.tags.length, 1);
  t.is((await auth.request.get('/v1/jobs/query').query({ tag: 'secret-project' }).set(bob)).body.total, 0);
});
