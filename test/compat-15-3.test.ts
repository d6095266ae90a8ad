/**
 * The checks of flux-restful-api's own test suites (reference §15.3, steps 1-10), in order,
 * against a fresh jobgate on the local executor.
 */
import test from 'ava';
import { startTestServer, waitFor } from './helpers/test-server.js';

test.serial('§15.3 steps 1-10 against the local executor', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const api = server.request;

  // 1. GET / → 200 HTML without credentials.
  const home = await api.get('/');
  t.is(home.status, 200);
  t.regex(home.headers['content-type'] ?? '', /text\/html/);

  // 2. GET /v1/jobs → {"jobs": []}
  t.deepEqual((await api.get('/v1/jobs')).body, { jobs: [] });

  // 3. submit sleep 5 → 200, Message, integer id.
  const submitted = await api.post('/v1/jobs/submit').query({ command: 'sleep 5' });
  t.is(submitted.status, 200);
  t.is(submitted.body.Message, 'Job submit.');
  t.regex(submitted.text, /"id":\d+[,}]/);
  const id: number = submitted.body.id;

  // 4. the listing shapes.
  const listed = await api.get('/v1/jobs');
  t.is(listed.body.jobs.length, 1);
  t.is(listed.body.jobs[0].id, id);
  const details = await api.get('/v1/jobs').query({ details: 'true' });
  t.true(Object.keys(details.body[String(id)]).length > 20);
  t.is(details.body[String(id)].id, id);
  const listing = await api.get('/v1/jobs').query({ details: 'True', listing: 'True' });
  t.true(Array.isArray(listing.body));
  t.is(listing.body[0].id, id);
  t.deepEqual((await api.get('/v1/jobs').query({ limit: 0, details: 'true' })).body, {});

  // 5. detail with a state string and returncode "" while running.
  const running = await waitFor(async () => {
    const body = (await api.get(`/v1/jobs/${id}`)).body;
    return body.state === 'RUN' ? body : undefined;
  });
  t.is(typeof running.state, 'string');
  t.is(running.returncode, '');

  // 6. cancel, then cancel again once it is over.
  const sleeper = (await api.post('/v1/jobs/submit').query({ command: 'sleep 10' })).body.id;
  const cancel = await api.post(`/v1/jobs/${sleeper}/cancel`);
  t.is(cancel.status, 200);
  t.regex(cancel.body.Message, /requested to cancel/);
  await waitFor(async () => ((await api.get(`/v1/jobs/${sleeper}`)).body.state === 'INACTIVE' ? true : undefined));
  const again = await api.post(`/v1/jobs/${sleeper}/cancel`);
  t.true(again.status >= 400 && again.status < 500);
  t.regex(again.body.Message, /cannot be cancelled/);

  // 7. option flags.
  const flagged = await api.post('/v1/jobs/submit').query({ command: 'sleep 1', option_flags: 'ompi=openmpi@5' });
  t.is(flagged.status, 200);
  t.is(typeof flagged.body.id, 'number');
  const badFlags = await api.post('/v1/jobs/submit').query({ command: 'sleep 1', option_flags: '-ompi=noodles' });
  t.is(badFlags.status, 400);
  t.regex(badFlags.body.Errors[0], /keys without -o/);

  // 8. output with unicode.
  const pancakes = (await api.post('/v1/jobs/submit').query({ command: 'echo pancakes 🥞️🥞️🥞️' })).body.id;
  const early = (await api.get(`/v1/jobs/${pancakes}/output`)).body;
  t.true(('Message' in early && /not exist yet/.test(early.Message)) || 'Output' in early);
  const output = await waitFor(async () => {
    const body = (await api.get(`/v1/jobs/${pancakes}/output`)).body;
    return Array.isArray(body.Output) && body.Output.length > 0 ? body.Output : undefined;
  });
  t.true(output.includes('pancakes 🥞️🥞️🥞️\n'));

  // 9. search without draw keeps the original's meaning.
  for (let index = 0; index < 5; index += 1) {
    t.is((await api.post('/v1/jobs/submit').query({ command: 'sleep 1' })).status, 200);
  }
  const all = (await api.get('/v1/jobs/search')).body;
  t.deepEqual(Object.keys(all).sort(), ['data', 'draw', 'recordsFiltered', 'recordsTotal']);
  t.is(all.data.length, all.recordsTotal);
  const fromOne = (await api.get('/v1/jobs/search').query({ start: 1 })).body;
  t.is(fromOne.recordsFiltered, all.recordsTotal - 1);
  t.is(fromOne.recordsTotal, all.recordsTotal);
  t.is((await api.get('/v1/jobs/search').query({ length: 3 })).body.recordsFiltered, 3);
  const page = (await api.get('/v1/jobs/search').query({ start: 1, length: 3 })).body;
  t.is(page.recordsFiltered, 3);
  t.is(page.recordsTotal, all.recordsTotal);
  t.is((await api.get('/v1/jobs/search').query({ draw: 7 })).body.draw, 7);

  // 10. exactly one node.
  t.is((await api.get('/v1/nodes')).body.nodes.length, 1);
});
