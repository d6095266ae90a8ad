/**
 * Hold, release and priority: for real with the local executor (a held job stays queued while
 * cores are free, a release runs it, urgency orders the queue), and with a fake Flux/Slurm-like
 * backend for what only those refuse.
 */
import os from 'node:os';
import test from 'ava';
import { ExecutorError } from '../../src/executors/types.js';
import { startTestServer, submitJob, waitFor, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';
import { FakeExecutor } from '../helpers/fake-executor.js';

async function state(server: TestServer, id: string): Promise<{ state: string; urgency: number; held: boolean; hold: { reason: string; held_by: string } | null }> {
  return (await server.request.get(`/v1/jobs/${id}`)).body;
}

test('local: a held job stays queued with free cores; release runs it; the reason shows on the job', async (t) => {
  const server = await startTestServer({ flags: { cores: '1' } });
  t.teardown(() => server.close());
  const blocker = await submitJob(server, { command: 'sleep 30' });
  await waitFor(async () => ((await state(server, blocker)).state === 'RUN' ? true : undefined));
  const waiting = await submitJob(server, { command: 'true' });
  const held = await server.request.put(`/v1/jobs/${waiting}/hold`).send({ reason: 'input not staged yet' });
  t.is(held.status, 200);
  t.like(held.body, { state: 'SCHED', urgency: 0, changed: true, held: true, hold: { reason: 'input not staged yet', held_by: os.userInfo().username } });
  // Free the core: the queue is looked at as the blocker ends, and the held job must stay.
  await server.request.post(`/v1/jobs/${blocker}/cancel`);
  await waitForJobEnd(server, blocker);
  const detail = await state(server, waiting);
  t.like(detail, { state: 'SCHED', urgency: 0, held: true });
  t.is(detail.hold?.reason, 'input not staged yet');
  const again = await server.request.put(`/v1/jobs/${waiting}/hold`).send({ reason: 'still waiting' });
  t.like(again.body, { changed: false, held: true, hold: { reason: 'still waiting' } });
  // Held again without a reason: the reason it is held for stays.
  const silent = await server.request.put(`/v1/jobs/${waiting}/hold`).send({});
  t.like(silent.body, { changed: false, held: true, hold: { reason: 'still waiting' } });
  const released = await server.request.put(`/v1/jobs/${waiting}/release`);
  t.like(released.body, { changed: true, held: false, urgency: 16, hold: null });
  t.is((await waitForJobEnd(server, waiting)).result, 'COMPLETED');
  const after = await state(server, waiting);
  t.like(after, { held: false, hold: null });
});

test('local: urgency orders the queue; release restores the urgency a job had before its hold', async (t) => {
  const server = await startTestServer({ flags: { cores: '1' } });
  t.teardown(() => server.close());
  const blocker = await submitJob(server, { command: 'sleep 30' });
  await waitFor(async () => ((await state(server, blocker)).state === 'RUN' ? true : undefined));
  const first = await submitJob(server, { command: 'true' });
  const second = await submitJob(server, { command: 'true' });
  const expedite = await server.request.put(`/v1/jobs/${second}/priority`).send({ urgency: 'expedite' });
  t.like(expedite.body, { urgency: 31, changed: true, held: false });
  t.like((await server.request.put(`/v1/jobs/${second}/hold`).send({})).body, { urgency: 0, held: true, hold: { reason: '' } });
  t.like((await server.request.put(`/v1/jobs/${second}/release`)).body, { urgency: 31 });
  t.like((await server.request.put(`/v1/jobs/${first}/priority`).send({ urgency: 20 })).body, { urgency: 20 });
  await server.request.post(`/v1/jobs/${blocker}/cancel`);
  const [a, b] = await Promise.all([waitForJobEnd(server, first), waitForJobEnd(server, second)]);
  t.true((b.t_run as number) <= (a.t_run as number), 'the expedited job started first');
  t.is((await state(server, second)).urgency, 31);
});

test('local: a running or ended job cannot be held, released or reprioritized (409 saying why)', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const running = await submitJob(server, { command: 'sleep 30' });
  await waitFor(async () => ((await state(server, running)).state === 'RUN' ? true : undefined));
  for (const [path, body] of [['hold', {}], ['release', undefined], ['priority', { urgency: 5 }]] as const) {
    const response = await server.request.put(`/v1/jobs/${running}/${path}`).send(body);
    t.is(response.status, 409, path);
    t.is(response.body.error.code, 'RESOURCE_CONFLICT');
    t.regex(response.body.error.message, /running: only pending jobs/);
  }
  const done = await submitJob(server, { command: 'true' });
  await waitForJobEnd(server, done);
  const inactive = await server.request.put(`/v1/jobs/${done}/hold`).send({});
  t.is(inactive.status, 409);
  t.regex(inactive.body.error.message, /inactive/);
});

test('bad input: unknown job 404, invalid id and urgency 400, all in the one error shape', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const unknown = await server.request.put('/v1/jobs/12345/hold').send({});
  t.is(unknown.status, 404);
  t.is(unknown.body.error.code, 'RESOURCE_NOT_FOUND');
  const invalid = await server.request.put('/v1/jobs/not-an-id/release');
  t.is(invalid.status, 400);
  t.is(invalid.body.error.details[0].field, 'jobid');
  const id = await submitJob(server, { command: 'sleep 30', urgency: 0 });
  for (const urgency of [32, -1, 'soon', 1.5]) {
    const response = await server.request.put(`/v1/jobs/${id}/priority`).send({ urgency });
    t.is(response.status, 400, String(urgency));
    t.is(response.body.error.code, 'VALIDATION_ERROR');
    t.true((response.body.error.details as { field: string }[]).some((detail) => detail.field.startsWith('urgency')));
  }
  const extra = await server.request.put(`/v1/jobs/${id}/hold`).send({ reason: 'x', until: 'tomorrow' });
  t.is(extra.status, 400);
});

test('a job submitted held (urgency=0) shows as held and is released to the default urgency', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const id = await submitJob(server, { command: 'true', urgency: 0 });
  await waitFor(async () => ((await state(server, id)).state === 'SCHED' ? true : undefined));
  t.like(await state(server, id), { held: true, hold: null });
  t.like((await server.request.put(`/v1/jobs/${id}/release`)).body, { urgency: 16, changed: true });
  t.is((await waitForJobEnd(server, id)).result, 'COMPLETED');
});

test('ownership: another user\'s job answers 404 to hold, release and priority', async (t) => {
  const server = await startTestServer({ env: AUTH_ENV });
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice-password-1');
  await addUser(server.dataDir, 'bob', 'bob-password-12');
  const alice = bearer(await fetchToken(server, 'alice', 'alice-password-1'));
  const bob = bearer(await fetchToken(server, 'bob', 'bob-password-12'));
  const submitted = await server.request.post('/v1/jobs/submit').query({ command: 'sleep 30', urgency: 0 }).set(alice);
  const id = /"id":(\d+)/.exec(submitted.text)?.[1] ?? '';
  for (const path of ['hold', 'release', 'priority']) {
    const response = await server.request.put(`/v1/jobs/${id}/${path}`).set(bob).send(path === 'priority' ? { urgency: 3 } : {});
    t.is(response.status, 404, path);
  }
  t.is((await server.request.put(`/v1/jobs/${id}/release`).set(alice)).status, 200);
});

test('fake backend: urgency requests reach the executor; a backend refusal is a 409, an unreachable backend a 503', async (t) => {
  const executor = new FakeExecutor({ name: 'slurm' });
  const server = await startTestServer({ overrides: { executor } });
  t.teardown(() => server.close());
  const id = await submitJob(server, { command: 'sleep 1' });
  await waitFor(async () => ((await state(server, id)).state === 'SCHED' ? true : undefined));
  t.is((await server.request.put(`/v1/jobs/${id}/hold`).send({ reason: 'r' })).status, 200);
  t.is((await server.request.put(`/v1/jobs/${id}/release`)).status, 200);
  t.deepEqual(executor.urgencyCalls.map((call) => call.urgency), [0, 16]);

  // The job started in the backend before jobgate heard of it: the backend refuses.
  executor.refuseUrgency = new ExecutorError('conflict', 'urgency cannot be changed once resources are allocated');
  const refused = await server.request.put(`/v1/jobs/${id}/hold`).send({});
  t.is(refused.status, 409);
  t.like(refused.body.error, { code: 'RESOURCE_CONFLICT', message: 'urgency cannot be changed once resources are allocated' });
  executor.refuseUrgency = new ExecutorError('unsupported', 'this backend cannot hold jobs');
  t.is((await server.request.put(`/v1/jobs/${id}/hold`).send({})).status, 409);
  executor.refuseUrgency = null;
  executor.down = true;
  const down = await server.request.put(`/v1/jobs/${id}/priority`).send({ urgency: 20 });
  t.is(down.status, 503);
  t.is(down.body.error.code, 'SERVICE_UNAVAILABLE');
  t.truthy(down.headers['retry-after']);
  executor.down = false;
  // Not held: nothing to release, nothing sent to the backend.
  const calls = executor.urgencyCalls.length;
  t.like((await server.request.put(`/v1/jobs/${id}/release`)).body, { changed: false });
  t.is(executor.urgencyCalls.length, calls);

  executor.run(BigInt(id));
  await waitFor(async () => ((await state(server, id)).state === 'RUN' ? true : undefined));
  t.is((await server.request.put(`/v1/jobs/${id}/hold`).send({})).status, 409);
  t.is(executor.urgencyCalls.length, calls, 'jobgate refuses a running job without asking the backend');
});
