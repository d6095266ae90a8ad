/** GET /v1/jobs/query: every filter, sorting, both paging styles, totals, validation, ownership. */
import test from 'ava';
import { makeTempDir, startTestServer, parseExact, type TestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';
import { FakeExecutor } from '../helpers/fake-executor.js';
import { seedJobs, type SeedJob } from '../helpers/seed-jobs.js';

const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z
const BIG = (1n << 60n) + 7n; // beyond 2^53: must come back exact

const SEEDS: SeedJob[] = [
  { id: 1001n, owner: 'alice', name: 'lammps', result: 'COMPLETED', queue: 'batch', t_submit: T0, tags: [{ type: 'project', name: 'climate' }], metadata: { run: '1' } },
  { id: 1002n, owner: 'alice', name: 'lammps', result: 'FAILED', queue: 'debug', t_submit: T0 + 100, tags: [{ type: 'project', name: 'climate' }, { type: 'default', name: 'urgent' }], metadata: { run: '2' } },
  { id: 1003n, owner: 'bob', name: 'gromacs', result: 'CANCELED', queue: 'batch', t_submit: T0 + 200 },
  { id: 1004n, owner: 'bob', name: 'hpl', state: 'RUN', queue: 'batch', t_submit: T0 + 300, ntasks: 4 },
  { id: 1005n, owner: 'alice', name: 'stream', state: 'SCHED', t_submit: T0 + 400, tags: [{ type: 'issue', name: 'urgent' }] },
  { id: 1006n, owner: 'carol', name: 'ior', state: 'SCHED', urgency: 0, t_submit: T0 + 500 },
  { id: BIG, owner: 'carol', name: 'big', result: 'TIMEOUT', t_submit: T0 + 600 },
];

let server: TestServer;
test.before(async () => {
  const dataDir = makeTempDir();
  seedJobs(dataDir, SEEDS);
  // The fake backend leaves the stored active jobs as they are.
  server = await startTestServer({ dataDir, overrides: { executor: new FakeExecutor() } });
});
test.after.always(async () => {
  await server.close();
});

interface Page { items: { id: number; jobid: string; name: string; owner: string; state: string; tags: { type: string; name: string }[]; metadata: Record<string, string>; held: boolean }[]; total: number; offset: number; limit: number; page: number; items_per_page: number; has_more: boolean }

async function page(query: Record<string, string | number | string[]>): Promise<Page> {
  const response = await server.request.get('/v1/jobs/query').query(query);
  if (response.status !== 200) throw new Error(`${response.status} ${response.text}`);
  return response.body as Page;
}

const names = (result: Page): string[] => result.items.map((item) => item.name);

test('no filter: every job, newest first, with the total and labels', async (t) => {
  const result = await page({});
  t.is(result.total, 7);
  t.deepEqual(names(result), ['big', 'ior', 'stream', 'hpl', 'gromacs', 'lammps', 'lammps']);
  t.false(result.has_more);
  const second = result.items.find((item) => item.id === 1002);
  t.deepEqual(second?.tags, [{ type: 'default', name: 'urgent' }, { type: 'project', name: 'climate' }]);
  t.deepEqual(second?.metadata, { run: '2' });
});

test('ids above 2^53 come back as exact JSON integers', async (t) => {
  const response = await server.request.get('/v1/jobs/query').query({ name: 'big' });
  const body = parseExact(response.text) as { items: { id: bigint }[] };
  t.is(body.items[0]?.id, BIG);
});

test('state, result, owner, name and queue filters (lists match any value; filters combine)', async (t) => {
  t.deepEqual(names(await page({ state: 'sched' })), ['ior', 'stream']);
  t.deepEqual(names(await page({ state: 'pending' })), ['ior', 'stream']);
  t.deepEqual(names(await page({ state: 'active' })), ['ior', 'stream', 'hpl']);
  t.deepEqual(names(await page({ result: ['failed', 'canceled'] })), ['gromacs', 'lammps']);
  t.deepEqual(names(await page({ result: 'FAILED,TIMEOUT' })), ['big', 'lammps']);
  t.deepEqual(names(await page({ owner: 'bob' })), ['hpl', 'gromacs']);
  t.deepEqual(names(await page({ name: 'lammps', queue: 'debug' })), ['lammps']);
  t.deepEqual(names(await page({ owner: 'alice', state: 'INACTIVE', queue: 'batch' })), ['lammps']);
  t.is((await page({ owner: 'nobody' })).total, 0);
});

test('tags (type:name or any type) and metadata filters', async (t) => {
  t.deepEqual((await page({ tag: 'project:climate' })).items.map((item) => item.id), [1002, 1001]);
  t.deepEqual((await page({ tag: 'urgent' })).items.map((item) => item.id), [1005, 1002]);
  t.deepEqual((await page({ tag: ['project:climate', 'default:urgent'] })).items.map((item) => item.id), [1002]);
  t.deepEqual((await page({ 'meta[run]': '1' })).items.map((item) => item.id), [1001]);
  t.deepEqual((await page({ 'meta[run]': '' })).items.map((item) => item.id), [1002, 1001]);
  t.is((await page({ tag: 'issue:climate' })).total, 0);
});

test('held filter: urgency 0 and not started', async (t) => {
  const held = await page({ held: 'true' });
  t.deepEqual(names(held), ['ior']);
  t.true(held.items[0]?.held);
  t.false(names(await page({ held: 'false' })).includes('ior'));
});

test('time windows take epoch seconds or ISO 8601, and each edge is inclusive', async (t) => {
  t.deepEqual(names(await page({ 'submitted[from]': T0 + 100, 'submitted[to]': T0 + 300 })), ['hpl', 'gromacs', 'lammps']);
  t.deepEqual(names(await page({ 'submitted[from]': '2023-11-14T22:15:00.5Z', 'submitted[to]': '2023-11-14T22:18:20+00:00' })), ['hpl', 'gromacs']);
  t.deepEqual(names(await page({ 'submitted[to]': '2023-11-14 22:13:20' })), ['lammps']);
  t.deepEqual(names(await page({ 'started[from]': T0 + 301 })), ['big', 'hpl']);
  t.deepEqual(names(await page({ 'ended[to]': T0 + 102 })), ['lammps', 'lammps']);
  t.deepEqual(names(await page({ 'ended[from]': T0 + 602 })), ['big']);
});

test('text search with q', async (t) => {
  t.deepEqual(names(await page({ q: 'grom' })), ['gromacs']);
});

test('sort by any column, ascending or descending, several columns', async (t) => {
  t.deepEqual(names(await page({ sort: 'name' })), ['big', 'gromacs', 'hpl', 'ior', 'lammps', 'lammps', 'stream']);
  t.deepEqual(names(await page({ sort: '-name' })).slice(0, 2), ['stream', 'lammps']);
  t.deepEqual(names(await page({ sort: 'name:desc' })).slice(0, 2), ['stream', 'lammps']);
  t.deepEqual(names(await page({ sort: 'name', order: 'desc' })).slice(0, 2), ['stream', 'lammps']);
  t.deepEqual((await page({ sort: ['owner', '-t_submit'] })).items.map((item) => item.id), [1005, 1002, 1001, 1004, 1003, Number(BIG), 1006]);
  t.deepEqual((await page({ sort: '-ntasks', limit: 1 })).items.map((item) => item.id), [1004]);
});

test('limit/offset and page/items_per_page page the same way; total and has_more', async (t) => {
  const first = await page({ limit: 3 });
  t.deepEqual([first.total, first.offset, first.limit, first.page, first.has_more], [7, 0, 3, 1, true]);
  const third = await page({ page: 3, items_per_page: 3 });
  t.deepEqual([third.offset, third.page, third.has_more, third.items.length], [6, 3, false, 1]);
  const viaOffset = await page({ offset: 6, limit: 3 });
  t.deepEqual(viaOffset.items.map((item) => item.id), third.items.map((item) => item.id));
  const beyond = await page({ offset: 50 });
  t.deepEqual([beyond.items.length, beyond.total, beyond.has_more], [0, 7, false]);
});

test('bad parameters: a 400 in the one error shape, naming each parameter', async (t) => {
  const response = await server.request.get('/v1/jobs/query').query({ state: 'RUNNING', 'submitted[from]': 'yesterday', sort: 'secret', limit: 0 });
  t.is(response.status, 400);
  t.is(response.body.error.code, 'VALIDATION_ERROR');
  const fields = (response.body.error.details as { field: string }[]).map((detail) => detail.field);
  t.true(fields.some((field) => field.startsWith('state')));
  t.true(fields.includes('submitted[from]'));
  t.true(fields.includes('limit'));
  t.is(typeof response.body.error.request_id, 'string');
  t.is(response.body.detail, undefined);
  const unknown = await server.request.get('/v1/jobs/query').query({ stat: 'RUN' });
  t.is(unknown.status, 400);
  t.deepEqual(unknown.body.error.details, [{ field: 'stat', message: 'unknown parameter' }]);
  const sort = await server.request.get('/v1/jobs/query').query({ sort: 'env' });
  t.is(sort.status, 400);
  t.regex(sort.body.error.details[0].message, /not a sortable column/);
  const both = await server.request.get('/v1/jobs/query').query({ page: 2, offset: 1 });
  t.is(both.status, 400);
  const window = await server.request.get('/v1/jobs/query').query({ 'submitted[from]': T0 + 10, 'submitted[to]': T0 });
  t.is(window.status, 400);
  const tooMany = await server.request.get('/v1/jobs/query').query({ limit: server.config.maxPageLength + 1 });
  t.is(tooMany.status, 400);
});

test('ownership: a user sees and filters only their own jobs', async (t) => {
  const dataDir = makeTempDir();
  seedJobs(dataDir, SEEDS.filter((seed) => seed.state === undefined || seed.state === 'INACTIVE'));
  const auth = await startTestServer({ dataDir, env: AUTH_ENV });
  t.teardown(() => auth.close());
  await addUser(dataDir, 'alice', 'alice-password-1');
  const alice = bearer(await fetchToken(auth, 'alice', 'alice-password-1'));
  const own = await auth.request.get('/v1/jobs/query').set(alice);
  t.is(own.body.total, 2);
  t.true((own.body.items as { owner: string }[]).every((item) => item.owner === 'alice'));
  t.is((await auth.request.get('/v1/jobs/query').query({ owner: 'bob' }).set(alice)).body.total, 0);
  const anonymous = await auth.request.get('/v1/jobs/query');
  t.is(anonymous.status, 401);
  t.is(anonymous.body.error.code, 'UNAUTHENTICATED');
  t.truthy(anonymous.headers['www-authenticate']);
});
