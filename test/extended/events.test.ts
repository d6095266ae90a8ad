/** GET /v1/events: live job events, filters, exact resumption with Last-Event-ID, ownership, the end on stop. */
import test from 'ava';
import { openSse, type SseConnection, type SseEvent } from '../helpers/sse.js';
import { startTestServer, submitJob, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';

interface JobEvent { seq: number; id: number; jobid: string; event: string; state: string; owner: string; name: string; result: string }

const jobEvents = (stream: SseConnection): JobEvent[] => stream.events.filter((event) => event.event === 'job').map((event) => JSON.parse(event.data) as JobEvent);
const isClean = (id: string) => (event: SseEvent): boolean => event.event === 'job' && (JSON.parse(event.data) as JobEvent).id === Number(id) && (JSON.parse(event.data) as JobEvent).event === 'clean';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(async () => {
  await server.close();
});

test.serial('live: a job\'s events arrive in order, each with the state it left the job in; ids are positions', async (t) => {
  const stream = await openSse(`${server.url}/v1/events`);
  t.teardown(() => stream.close());
  t.is(stream.status, 200);
  await stream.waitFor((event) => event.event === 'ready');
  const id = await submitJob(server, { command: 'true', job_name: 'live-one' });
  await stream.waitFor(isClean(id));
  const events = jobEvents(stream).filter((event) => event.id === Number(id));
  t.deepEqual(events.map((event) => event.event), ['submit', 'depend', 'priority', 'alloc', 'start', 'finish', 'release', 'free', 'clean']);
  t.deepEqual(events.map((event) => event.state), ['DEPEND', 'PRIORITY', 'SCHED', 'RUN', 'RUN', 'CLEANUP', 'CLEANUP', 'CLEANUP', 'INACTIVE']);
  t.deepEqual(events.map((event) => event.result), ['', '', '', '', '', '', '', '', 'COMPLETED']);
  t.like(events[0], { name: 'live-one', jobid: events[0]?.jobid });
  const ids = stream.events.filter((event) => event.event === 'job').map((event) => Number(event.id));
  t.deepEqual(ids, [...ids].sort((a, b) => a - b));
  t.deepEqual(ids, events.map((event) => event.seq));
});

test.serial('filters: state (e.g. only endings) and job', async (t) => {
  const endings = await openSse(`${server.url}/v1/events?state=INACTIVE`);
  t.teardown(() => endings.close());
  await endings.waitFor((event) => event.event === 'ready');
  const a = await submitJob(server, { command: 'true' });
  const b = await submitJob(server, { command: 'false' });
  await endings.waitFor(isClean(b));
  await endings.waitFor(isClean(a));
  t.true(jobEvents(endings).every((event) => event.state === 'INACTIVE' && event.event === 'clean'));
  t.deepEqual(jobEvents(endings).map((event) => event.result).sort(), ['COMPLETED', 'FAILED']);
  const one = await openSse(`${server.url}/v1/events?since=all&job=${a}`);
  t.teardown(() => one.close());
  await one.waitFor((event) => event.event === 'ready');
  t.true(jobEvents(one).length >= 9);
  t.true(jobEvents(one).every((event) => event.id === Number(a)));
});

test.serial('tag filter', async (t) => {
  const id = await submitJob(server, { command: 'sleep 0.2' });
  await server.request.post(`/v1/jobs/${id}/tags`).send({ tags: ['watch:me'] });
  const other = await submitJob(server, { command: 'true' });
  const stream = await openSse(`${server.url}/v1/events?since=all&tag=watch:me`);
  t.teardown(() => stream.close());
  await stream.waitFor(isClean(id));
  await waitForJobEnd(server, other);
  t.true(jobEvents(stream).every((event) => event.id === Number(id)));
});

test.serial('resume: reconnecting with Last-Event-ID gives exactly the events missed, no gap, no repeat', async (t) => {
  const first = await openSse(`${server.url}/v1/events`);
  await first.waitFor((event) => event.event === 'ready');
  const a = await submitJob(server, { command: 'true' });
  const seen = await first.waitFor((event) => event.event === 'job' && (JSON.parse(event.data) as JobEvent).id === Number(a) && (JSON.parse(event.data) as JobEvent).event === 'alloc');
  first.close();
  const b = await submitJob(server, { command: 'true' });
  await waitForJobEnd(server, a);
  await waitForJobEnd(server, b);
  const all = await openSse(`${server.url}/v1/events?since=all`);
  t.teardown(() => all.close());
  await all.waitFor((event) => event.event === 'ready');
  const expected = all.events.filter((event) => event.event === 'job' && Number(event.id) > Number(seen.id)).map((event) => event.id);
  const resumed = await openSse(`${server.url}/v1/events?since=now`, { 'Last-Event-ID': seen.id ?? '' });
  t.teardown(() => resumed.close());
  await resumed.waitFor((event) => event.event === 'ready');
  t.deepEqual(resumed.events.filter((event) => event.event === 'job').map((event) => event.id), expected);
  t.true(expected.length >= 13, 'the rest of a, all of b');
  t.is(Number(seen.id) + 1, Number(expected[0]));
});

test('bad parameters: 400 before the stream starts', async (t) => {
  for (const query of ['state=WAITING', 'since=yesterday', 'job=xyz', 'tag=bad%20type:x', 'owners=x']) {
    const response = await server.request.get(`/v1/events?${query}`);
    t.is(response.status, 400, query);
    t.is(response.body.error.code, 'VALIDATION_ERROR');
  }
  t.is((await server.request.get('/v1/events').set('Last-Event-ID', 'abc')).body.error.details[0].field, 'Last-Event-ID');
});

test('ownership: a user hears only of their own jobs, whatever the filter', async (t) => {
  const auth = await startTestServer({ env: AUTH_ENV });
  t.teardown(() => auth.close());
  await addUser(auth.dataDir, 'alice', 'alice-password-1');
  await addUser(auth.dataDir, 'bob', 'bob-password-12');
  const alice = bearer(await fetchToken(auth, 'alice', 'alice-password-1'));
  const bob = bearer(await fetchToken(auth, 'bob', 'bob-password-12'));
  const bobs = await openSse(`${auth.url}/v1/events?since=all&owner=alice,bob`, bob);
  t.teardown(() => bobs.close());
  await bobs.waitFor((event) => event.event === 'ready');
  const aliceJob = /"id":(\d+)/.exec((await auth.request.post('/v1/jobs/submit').query({ command: 'true' }).set(alice)).text)?.[1] ?? '';
  const bobJob = /"id":(\d+)/.exec((await auth.request.post('/v1/jobs/submit').query({ command: 'true' }).set(bob)).text)?.[1] ?? '';
  await bobs.waitFor(isClean(bobJob));
  await waitForJobEnd({ request: { get: (path: string) => auth.request.get(path).set(alice) } } as unknown as TestServer, aliceJob);
  t.true(jobEvents(bobs).length > 0);
  t.true(jobEvents(bobs).every((event) => event.owner === 'bob'));
  t.is((await auth.request.get('/v1/events')).status, 401);
});

test('jobgate stopping ends every stream with a final event', async (t) => {
  const own = await startTestServer();
  const stream = await openSse(`${own.url}/v1/events`);
  await stream.waitFor((event) => event.event === 'ready');
  const closing = own.close();
  await stream.ended;
  await closing;
  t.is(stream.events[stream.events.length - 1]?.event, 'stopping');
});
