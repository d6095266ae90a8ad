/**
 * flux-restful-api's own API checks (its server and client test suites, as plain HTTP), in
 * their order, against jobgate on the slurm executor with a fresh data directory.
 */
import test from 'ava';
import { submitJob, waitFor, type TestServer } from '../helpers/test-server.js';
import { mode, startSlurmServer } from './helpers.js';

let server: TestServer;

test.before(async () => {
  server = await startSlurmServer();
});

test.after.always(async () => {
  await server.close();
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const idOf = (text: string): string => /"id":\s*(\d+)/.exec(text)?.[1] ?? '';

test.serial(`${mode}: 1-2. the home page answers without credentials; no jobs yet`, async (t) => {
  const home = await server.request.get('/');
  t.is(home.status, 200);
  t.regex(home.headers['content-type'] ?? '', /text\/html/);
  const jobs = await server.request.get('/v1/jobs');
  t.deepEqual(jobs.body, { jobs: [] });
});

let first = '';

test.serial(`${mode}: 3-5. submit, list, details, listing, limit, detail while running`, async (t) => {
  const submitted = await server.request.post('/v1/jobs/submit?command=sleep%205');
  t.is(submitted.status, 200);
  t.is(submitted.body.Message, 'Job submit.');
  t.is(typeof submitted.body.id, 'number');
  first = idOf(submitted.text);

  const list = await server.request.get('/v1/jobs');
  t.is(list.body.jobs.length, 1);
  t.is(idOf(JSON.stringify(list.body.jobs[0])), first);
  const details = await server.request.get('/v1/jobs?details=true');
  const record = details.body[first] as Record<string, unknown>;
  t.true(Object.keys(record).length > 20);
  t.is(String(record.id), first);
  const listing = await server.request.get('/v1/jobs?details=True&listing=True');
  t.true(Array.isArray(listing.body));
  t.is(String(listing.body[0].id), first);
  t.deepEqual((await server.request.get('/v1/jobs?limit=0&details=true')).body, {});

  const running = await waitFor(async () => {
    const job = (await server.request.get(`/v1/jobs/${first}`)).body as Record<string, unknown>;
    return job.state === 'RUN' ? job : undefined;
  }, 30_000, 'the job to run');
  t.is(typeof running.state, 'string');
  t.is(running.returncode, '');
});

test.serial(`${mode}: 6. cancel, and cancel again 3 s later`, async (t) => {
  const id = await submitJob(server, { command: 'sleep 10' });
  const cancel = await server.request.post(`/v1/jobs/${id}/cancel`);
  t.is(cancel.status, 200);
  t.regex(cancel.body.Message as string, /requested to cancel/);
  await pause(3000);
  const again = await server.request.post(`/v1/jobs/${id}/cancel`);
  t.true(again.status >= 400 && again.status < 500);
  t.regex(again.body.Message as string, /cannot be cancelled/);
});

test.serial(`${mode}: 7. option flags: a shell option is accepted, a key with -o is not`, async (t) => {
  const accepted = await server.request.post('/v1/jobs/submit').query({ command: 'sleep 1', option_flags: 'ompi=openmpi@5' });
  t.is(accepted.status, 200);
  t.truthy(idOf(accepted.text));
  const refused = await server.request.post('/v1/jobs/submit').query({ command: 'sleep 1', option_flags: '-ompi=noodles' });
  t.is(refused.status, 400);
  t.regex(refused.body.Errors[0] as string, /keys without -o/);
});

test.serial(`${mode}: 8. output: nothing yet or the line; 3 s later the line`, async (t) => {
  const id = await submitJob(server, { command: 'echo pancakes 🥞️🥞️🥞️' });
  const early = await server.request.get(`/v1/jobs/${id}/output`);
  t.true((typeof early.body.Message === 'string' && early.body.Message.includes('not exist yet')) || Array.isArray(early.body.Output));
  await pause(3000);
  const later = await server.request.get(`/v1/jobs/${id}/output`);
  t.true((later.body.Output as string[]).includes('pancakes 🥞️🥞️🥞️\n'));
});

test.serial(`${mode}: 9. search: totals, start, length, draw`, async (t) => {
  for (let index = 0; index < 5; index += 1) {
    await submitJob(server, { command: 'sleep 1' });
  }
  const all = await server.request.get('/v1/jobs/search');
  for (const key of ['recordsTotal', 'recordsFiltered', 'draw', 'data']) {
    t.true(key in all.body, key);
  }
  const total = all.body.recordsTotal as number;
  t.is(all.body.data.length, total);
  const start = await server.request.get('/v1/jobs/search?start=1');
  t.is(start.body.recordsFiltered, total - 1);
  t.is(start.body.recordsTotal, total);
  t.is((await server.request.get('/v1/jobs/search?length=3')).body.recordsFiltered, 3);
  t.is((await server.request.get('/v1/jobs/search?start=1&length=3')).body.recordsFiltered, 3);
  t.is(String((await server.request.get('/v1/jobs/search?draw=7')).body.draw), '7');
});

test.serial(`${mode}: 10. nodes: exactly one node name`, async (t) => {
  const nodes = await server.request.get('/v1/nodes');
  t.deepEqual(nodes.body.nodes, ['localhost']);
});
