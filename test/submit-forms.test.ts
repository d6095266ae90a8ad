/** Every way a client can put a submit request (reference §16), and what the job then gets. */
import test from 'ava';
import { startTestServer, waitForJobEnd, type TestServer } from './helpers/test-server.js';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(async () => {
  await server.close();
});

async function outputOf(id: number | string): Promise<string> {
  await waitForJobEnd(server, id);
  const body = (await server.request.get(`/v1/jobs/${id}/output`)).body;
  return (body.Output as string[] ?? []).join('');
}

const printEnv = 'sh -c "echo A=$A B=$B"';

test('query string fields with a JSON body of env vars (the original server)', async (t) => {
  const response = await server.request.post('/v1/jobs/submit').query({ command: printEnv }).set('Content-Type', 'application/json').send('{"A": "one", "B": 2}');
  t.is(response.status, 200);
  t.is(await outputOf(response.body.id), 'A=one B=2\n');
});

test('a JSON body holding the whole request (old clients, and the retry after the auth handshake)', async (t) => {
  const response = await server.request.post('/v1/jobs/submit').send({ command: printEnv, envars: { A: 'x', B: 'y' }, num_tasks: null, workdir: null, option_flags: 'a=b' });
  t.is(response.status, 200);
  t.is(await outputOf(response.body.id), 'A=x B=y\n');
});

test('an argv array in JSON is never re-split', async (t) => {
  const response = await server.request.post('/v1/jobs/submit').send({ command: ['printf', '%s|', 'a b', '$HOME', '"q"'] });
  t.is(response.status, 200);
  t.is(await outputOf(response.body.id), 'a b|$HOME|"q"|');
});

test('envars in the query string as JSON or as the Python repr the client sends', async (t) => {
  const json = await server.request.post('/v1/jobs/submit').query({ command: printEnv, envars: '{"A": "json"}' });
  t.is(await outputOf(json.body.id), 'A=json B=\n');
  const repr = await server.request.post('/v1/jobs/submit').query({ command: printEnv, envars: "{'A': 'repr', 'B': 'x y'}" });
  t.is(await outputOf(repr.body.id), 'A=repr B=x y\n');
});

test('an HTML form', async (t) => {
  const response = await server.request.post('/v1/jobs/submit').type('form').send({ command: printEnv, envars: '{"B": "form"}', num_tasks: '1' });
  t.is(response.status, 200);
  t.is(await outputOf(response.body.id), 'A= B=form\n');
});

test('empty values are "not given", as the Python client sends None', async (t) => {
  const response = await server.request.post('/v1/jobs/submit?command=true&num_tasks=&cores_per_task=&gpus_per_task=&num_nodes=&exclusive=false&is_launcher=false&workdir=&option_flags=');
  t.is(response.status, 200);
  const job = await waitForJobEnd(server, response.body.id);
  t.is(job.result, 'COMPLETED');
});

test('the owner is the `user` parameter when auth is off', async (t) => {
  const response = await server.request.post('/v1/jobs/submit').query({ command: 'true', user: 'alice' });
  t.is((await server.request.get(`/v1/jobs/${response.body.id}`)).body.owner, 'alice');
});

test('a job name, urgency and queue are recorded', async (t) => {
  const response = await server.request.post('/v1/jobs/submit').query({ command: 'true', job_name: 'my-job', queue: 'batch' });
  const job = (await server.request.get(`/v1/jobs/${response.body.id}`)).body;
  t.is(job.name, 'my-job');
  t.is(job.queue, 'batch');
});

test('a workflow launcher runs as a job of its own; anything else is refused', async (t) => {
  const refused = await server.request.post('/v1/jobs/submit').query({ command: 'sleep 1', is_launcher: 'true' });
  t.is(refused.status, 400);
  t.regex(refused.body.Errors[0], /not a known launcher/);
});
