/** POST /v1/jobs/bulk: by ids (exact 64-bit, any encoding) or by filter, per-job results, summary, dry run, ownership. */
import test from 'ava';
import { toF58 } from '../../src/model/job-id.js';
import { parseExact, startTestServer, submitJob, waitFor, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';
import { FakeExecutor } from '../helpers/fake-executor.js';

interface BulkAnswer {
  action: string;
  dry_run: boolean;
  summary: { requested: number; succeeded: number; changed: number; failed: number; errors: Record<string, number>; more: boolean };
  results: { id: number; jobid: string; ok: boolean; changed: boolean; error?: { code: string; message: string } }[];
}

function bulk(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  return server.request.post('/v1/jobs/bulk').set({ 'Content-Type': 'application/json', ...headers }).send(typeof body === 'string' ? body : JSON.stringify(body));
}

async function pending(server: TestServer, id: string): Promise<void> {
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${id}`)).body.state === 'SCHED' ? true : undefined));
}

test('hold then release by ids, given as strings in any encoding and as integers; duplicates count once', async (t) => {
  const server = await startTestServer({ flags: { cores: '1' } });
  t.teardown(() => server.close());
  const blocker = await submitJob(server, { command: 'sleep 30' });
  const a = await submitJob(server, { command: 'true' });
  const b = await submitJob(server, { command: 'true' });
  await pending(server, b);
  const held = await bulk(server, `{"action":"hold","job_ids":[${a}, "${toF58(BigInt(b))}", "${a}"],"reason":"maintenance"}`);
  t.is(held.status, 200);
  const answer = held.body as BulkAnswer;
  t.like(answer.summary, { requested: 2, succeeded: 2, changed: 2, failed: 0, more: false });
  t.deepEqual(answer.results.map((item) => item.jobid), [toF58(BigInt(a)), toF58(BigInt(b))]);
  t.is((await server.request.get(`/v1/jobs/${b}`)).body.hold.reason, 'maintenance');
  // A dry run says beforehand what the action will meet: the running blocker cannot be held.
  const preview = await bulk(server, { action: 'hold', job_ids: [blocker, a], dry_run: true });
  t.like((preview.body as BulkAnswer).summary, { requested: 2, succeeded: 1, changed: 0, failed: 1, errors: { RESOURCE_CONFLICT: 1 } });
  t.regex((preview.body as BulkAnswer).results[0]?.error?.message ?? '', /running: only pending jobs can be held/);
  const cancelPreview = await bulk(server, { action: 'cancel', job_ids: [a], dry_run: true });
  t.like((cancelPreview.body as BulkAnswer).results[0], { ok: true, changed: false });
  // The blocker runs: holding it fails on its own, the others are unchanged.
  const mixed = await bulk(server, { action: 'hold', job_ids: [blocker, a, '999'] });
  const items = (mixed.body as BulkAnswer).results;
  t.like((mixed.body as BulkAnswer).summary, { requested: 3, succeeded: 1, changed: 0, failed: 2, errors: { RESOURCE_CONFLICT: 1, RESOURCE_NOT_FOUND: 1 } });
  t.like(items[0], { ok: false, error: { code: 'RESOURCE_CONFLICT' } });
  t.like(items[1], { ok: true, changed: false });
  t.like(items[2], { ok: false, error: { code: 'RESOURCE_NOT_FOUND' } });
  const released = await bulk(server, { action: 'release', filter: { held: true } });
  t.like((released.body as BulkAnswer).summary, { requested: 2, changed: 2 });
  await server.request.post(`/v1/jobs/${blocker}/cancel`);
  t.is((await waitForJobEnd(server, b)).result, 'COMPLETED');
});

test('cancel by filter acts only on active jobs it selects; dry run acts on none', async (t) => {
  const server = await startTestServer({ flags: { cores: '1' } });
  t.teardown(() => server.close());
  const done = await submitJob(server, { command: 'true', job_name: 'batch-a' });
  await waitForJobEnd(server, done);
  const running = await submitJob(server, { command: 'sleep 30', job_name: 'batch-a' });
  const queued = await submitJob(server, { command: 'sleep 30', job_name: 'batch-a' });
  const other = await submitJob(server, { command: 'sleep 30', job_name: 'batch-b' });
  await pending(server, other);
  const dry = await bulk(server, { action: 'cancel', filter: { name: ['batch-a'] }, dry_run: true });
  t.like(dry.body, { dry_run: true, summary: { requested: 2, changed: 0 } });
  t.deepEqual((dry.body as BulkAnswer).results.map((item) => String(item.id)), [running, queued]);
  t.is((await server.request.get(`/v1/jobs/${queued}`)).body.state, 'SCHED');
  const canceled = await bulk(server, { action: 'cancel', filter: { name: 'batch-a' }, reason: 'wrong input' });
  t.like(canceled.body, { summary: { requested: 2, succeeded: 2, changed: 2 } });
  t.is((await waitForJobEnd(server, running)).result, 'CANCELED');
  t.is(((await waitForJobEnd(server, queued)).exception as { note: string }).note, 'wrong input');
  t.not((await server.request.get(`/v1/jobs/${other}`)).body.state, 'INACTIVE');
  // Nothing left to cancel under that filter.
  t.like((await bulk(server, { action: 'cancel', filter: { name: 'batch-a' } })).body, { summary: { requested: 0 } });
});

test('ids beyond 2^53 are read and answered exactly', async (t) => {
  let next = (1n << 62n) + 1n;
  const executor = new FakeExecutor({ ids: () => next++ });
  const server = await startTestServer({ overrides: { executor } });
  t.teardown(() => server.close());
  const first = await submitJob(server, { command: 'sleep 1' });
  const second = await submitJob(server, { command: 'sleep 1' });
  t.is(first, ((1n << 62n) + 1n).toString());
  await pending(server, second);
  // The neighbour of `first` (which a double would round to) is `second`: only exact parsing picks the right one.
  const response = await bulk(server, `{"action":"hold","job_ids":[${first}]}`);
  const answer = parseExact(response.text) as { results: { id: bigint }[] };
  t.deepEqual(answer.results.map((item) => item.id), [BigInt(first)]);
  t.deepEqual(executor.urgencyCalls.map((call) => call.id), [BigInt(first)]);
  const byFilter = parseExact((await bulk(server, { action: 'release', filter: { held: true } })).text) as { results: { id: bigint }[] };
  t.deepEqual(byFilter.results.map((item) => item.id), [BigInt(first)]);
  const tooBig = await bulk(server, '{"action":"cancel","job_ids":[18446744073709551616]}');
  t.is(tooBig.status, 400);
  t.is(tooBig.body.error.details[0].field, 'job_ids[0]');
  const max = await bulk(server, '{"action":"cancel","job_ids":[18446744073709551615]}');
  t.like(max.body, { summary: { failed: 1, errors: { RESOURCE_NOT_FOUND: 1 } } });
  // Valid for Flux, impossible in the store (signed 64-bit): unknown, not a 500.
  t.is((await server.request.get('/v1/jobs/18446744073709551615')).status, 404);
});

test('invalid bodies: a 400 naming the problem', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const cases: [unknown, string][] = [
    [{ action: 'delete', job_ids: ['1'] }, 'action'],
    [{ action: 'cancel' }, 'job_ids'],
    [{ action: 'cancel', job_ids: ['1'], filter: { state: 'RUN' } }, 'job_ids'],
    [{ action: 'cancel', filter: {} }, 'filter'],
    [{ action: 'cancel', filter: { state: [], metadata: {} } }, 'filter'],
    [{ action: 'cancel', filter: { state: 'RUNNING' } }, 'filter.state'],
    [{ action: 'cancel', job_ids: ['ƒ0OIl'] }, 'job_ids[0]'],
    [{ action: 'cancel', job_ids: [1], force: true }, 'force'],
  ];
  for (const [body, field] of cases) {
    const response = await bulk(server, body);
    t.is(response.status, 400, JSON.stringify(body));
    t.is(response.body.error.code, 'VALIDATION_ERROR');
    t.true((response.body.error.details as { field: string }[]).some((detail) => detail.field.startsWith(field)), `${JSON.stringify(body)} → ${JSON.stringify(response.body.error.details)}`);
  }
  t.is((await bulk(server, '{"action": "cancel", "job_ids": [1,')).status, 400);
  const form = await server.request.post('/v1/jobs/bulk').type('form').send({ action: 'cancel' });
  t.is(form.status, 400);
});

test('ownership: another user\'s jobs are RESOURCE_NOT_FOUND by id and never selected by a filter', async (t) => {
  const server = await startTestServer({ env: AUTH_ENV });
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice-password-1');
  await addUser(server.dataDir, 'bob', 'bob-password-12');
  const alice = bearer(await fetchToken(server, 'alice', 'alice-password-1'));
  const bob = bearer(await fetchToken(server, 'bob', 'bob-password-12'));
  const id = /"id":(\d+)/.exec((await server.request.post('/v1/jobs/submit').query({ command: 'sleep 30', urgency: 0 }).set(alice)).text)?.[1] ?? '';
  const byId = await bulk(server, { action: 'cancel', job_ids: [id] }, bob);
  t.like(byId.body, { summary: { failed: 1, errors: { RESOURCE_NOT_FOUND: 1 } } });
  const byFilter = await bulk(server, { action: 'cancel', filter: { state: 'active' } }, bob);
  t.like(byFilter.body, { summary: { requested: 0 } });
  t.is((await server.request.get(`/v1/jobs/${id}`).set(alice)).body.state, 'SCHED');
  const mine = await bulk(server, { action: 'cancel', filter: { owner: 'alice', held: true } }, alice);
  t.like(mine.body, { summary: { requested: 1, changed: 1 } });
});
