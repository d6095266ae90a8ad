/** The DataTables search endpoint: SQL paging, sorting, text search and column filters, both meanings of recordsFiltered. */
import test from 'ava';
import { startTestServer, submitJob, waitForJobEnd, type TestServer } from './helpers/test-server.js';

let server: TestServer;
const ids: Record<string, string> = {};

test.before(async () => {
  server = await startTestServer();
  for (const [name, command] of [['alpha', 'true'], ['beta', 'sh -c "exit 2"'], ['gamma', 'true'], ['delta', 'true'], ['alphabet', 'sh -c "exit 1"']] as const) {
    ids[name] = await submitJob(server, { command, job_name: name });
  }
  for (const id of Object.values(ids)) {
    await waitForJobEnd(server, id);
  }
});
test.after.always(async () => {
  await server.close();
});

function dataTables(extra: Record<string, string | number>): Record<string, string | number> {
  const columns = ['id', 'name', 'state', 'result', 'returncode', 'runtime', 't_submit'];
  const query: Record<string, string | number> = { draw: 3, start: 0, length: 10, 'search[value]': '', 'search[regex]': 'false', _: Date.now() };
  columns.forEach((column, index) => {
    query[`columns[${index}][data]`] = column;
    query[`columns[${index}][name]`] = '';
    query[`columns[${index}][searchable]`] = 'true';
    query[`columns[${index}][orderable]`] = 'true';
    query[`columns[${index}][search][value]`] = '';
    query[`columns[${index}][search][regex]`] = 'false';
  });
  return { ...query, ...extra };
}

test('with draw, recordsFiltered counts every match before paging (DataTables contract)', async (t) => {
  const body = (await server.request.get('/v1/jobs/search').query(dataTables({ 'search[value]': 'alpha', length: 1 }))).body;
  t.is(body.draw, 3);
  t.is(body.recordsTotal, 5);
  t.is(body.recordsFiltered, 2);
  t.is(body.data.length, 1);
});

test('without draw, recordsFiltered is the page length (flux-restful-api) and start past the end is empty', async (t) => {
  const body = (await server.request.get('/v1/jobs/search').query({ search: 'alpha', length: 1 })).body;
  t.is(body.recordsFiltered, 1);
  t.deepEqual((await server.request.get('/v1/jobs/search').query({ start: 50 })).body.data, []);
});

test('sorting by any column, both ways', async (t) => {
  const byName = (await server.request.get('/v1/jobs/search').query(dataTables({ 'order[0][column]': 1, 'order[0][dir]': 'asc' }))).body.data.map((row: { name: string }) => row.name);
  t.deepEqual(byName, ['alpha', 'alphabet', 'beta', 'delta', 'gamma']);
  const byCode = (await server.request.get('/v1/jobs/search').query(dataTables({ 'order[0][column]': 4, 'order[0][dir]': 'desc', 'order[1][column]': 1, 'order[1][dir]': 'asc' }))).body.data.map((row: { name: string }) => row.name);
  t.deepEqual(byCode, ['beta', 'alphabet', 'alpha', 'delta', 'gamma']);
});

test('paging walks every row exactly once', async (t) => {
  const seen: string[] = [];
  for (let start = 0; start < 5; start += 2) {
    const body = (await server.request.get('/v1/jobs/search').query(dataTables({ start, length: 2, 'order[0][column]': 1, 'order[0][dir]': 'asc' }))).body;
    t.is(body.recordsFiltered, 5);
    seen.push(...body.data.map((row: { name: string }) => row.name));
  }
  t.deepEqual(seen, ['alpha', 'alphabet', 'beta', 'delta', 'gamma']);
});

test('text search: short and long patterns, ids (decimal and F58), results, case', async (t) => {
  const names = async (value: string): Promise<string[]> =>
    ((await server.request.get('/v1/jobs/search').query(dataTables({ 'search[value]': value, 'order[0][column]': 1, 'order[0][dir]': 'asc' }))).body.data as { name: string }[]).map((row) => row.name);
  t.deepEqual(await names('ALPHA'), ['alpha', 'alphabet']);
  t.deepEqual(await names('ta'), ['beta', 'delta']);
  t.deepEqual(await names('failed'), ['alphabet', 'beta']);
  t.deepEqual(await names(ids.gamma ?? ''), ['gamma']);
  const f58 = (await server.request.get(`/v1/jobs/${ids.delta}`)).body.jobid as string;
  t.deepEqual(await names(f58), ['delta']);
  t.deepEqual(await names('nothing-like-this'), []);
  t.deepEqual(await names('50%_'), []);
});

test('column filters on state and result', async (t) => {
  const body = (await server.request.get('/v1/jobs/search').query(dataTables({ 'columns[3][search][value]': 'COMPLETED' }))).body;
  t.is(body.recordsFiltered, 3);
  t.true((body.data as { result: string }[]).every((row) => row.result === 'COMPLETED'));
});

test('every row carries every table column', async (t) => {
  const row = (await server.request.get('/v1/jobs/search')).body.data[0] as Record<string, unknown>;
  for (const key of ['id', 'returncode', 'runtime', 'result', 'urgency', 'priority', 'state', 'name', 'ntasks', 'duration', 'nnodes', 'ranks', 'nodelist', 'expiration', 'waitstatus', 'exception']) {
    t.true(key in row, key);
  }
});

test('bad DataTables parameters are 422s naming them, never 500s', async (t) => {
  for (const [query, field] of [[{ start: 'x' }, 'start'], [{ length: '1.5' }, 'length'], [{ draw: 'abc' }, 'draw'], [{ start: -1 }, 'start'], [dataTables({ 'order[0][column]': 1, 'order[0][dir]': 'sideways' }), 'order[0][dir]']] as const) {
    const response = await server.request.get('/v1/jobs/search').query(query);
    t.is(response.status, 422, JSON.stringify(query));
    t.is(response.body.detail[0].loc[1], field);
  }
  t.is((await server.request.get('/v1/jobs/search').query({ search: '(((((a+)+)+)+)+$' })).status, 200);
});

test('the job table\'s filters: tags (all of them) and held; rows carry their labels', async (t) => {
  await server.request.post(`/v1/jobs/${ids.alpha ?? ''}/tags`).send({ tags: ['project:x', 'urgent'] });
  await server.request.post(`/v1/jobs/${ids.gamma ?? ''}/tags`).send({ tags: ['project:x'] });
  const tagColumn = { 'columns[7][data]': 'tags', 'columns[7][search][value]': 'project:x, urgent' };
  const both = (await server.request.get('/v1/jobs/search').query(dataTables(tagColumn))).body;
  t.is(both.recordsFiltered, 1);
  t.deepEqual(both.data[0].tags, [{ type: 'default', name: 'urgent' }, { type: 'project', name: 'x' }]);
  t.like(both.data[0], { held: false, hold: null, metadata: {} });
  const project = (await server.request.get('/v1/jobs/search').query(dataTables({ 'columns[7][data]': 'tags', 'columns[7][search][value]': 'x' }))).body;
  t.is(project.recordsFiltered, 2, 'a bare name matches it under any type');
  const held = (await server.request.get('/v1/jobs/search').query(dataTables({ 'columns[7][data]': 'held', 'columns[7][search][value]': 'true' }))).body;
  t.is(held.recordsFiltered, 0, 'these jobs have all ended');
  const notHeld = (await server.request.get('/v1/jobs/search').query(dataTables({ 'columns[7][data]': 'held', 'columns[7][search][value]': 'false' }))).body;
  t.is(notHeld.recordsFiltered, 5);
});
