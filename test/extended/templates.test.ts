/** Job templates: CRUD, sharing and ownership, submit with typed parameters, errors that name the parameter. */
import test from 'ava';
import { templateSchema } from '../../src/http/api/extended/schemas.js';
import { startTestServer, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';

const GREET = {
  name: 'greet',
  description: 'Say hello a few times',
  parameters: {
    who: { type: 'string', required: true, max_length: 40, description: 'Whom to greet' },
    times: { type: 'integer', default: 1, minimum: 1, maximum: 4 },
    loud: { type: 'boolean', default: false },
    mood: { type: 'string', default: 'calm', enum: ['calm', 'happy'] },
  },
  job: {
    command: "sh -c 'for i in $(seq {{times}}); do echo \"$0 $MOOD\"; done' 'hello {{who}}'",
    num_tasks: '{{times}}',
    envars: { MOOD: '{{mood}}', LOUD: '{{loud}}' },
    job_name: 'greet-{{mood}}',
  },
};

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
  const created = await server.request.post('/v1/templates').send(GREET);
  if (created.status !== 201) throw new Error(created.text);
});
test.after.always(async () => {
  await server.close();
});

async function output(id: string): Promise<string> {
  return ((await server.request.get(`/v1/jobs/${id}/output`)).body.Output as string[]).join('');
}

test('create answers 201 with Location; the command is stored as words; read and list give it back', async (t) => {
  const got = await server.request.get('/v1/templates/greet');
  t.is(got.status, 200);
  t.deepEqual(templateSchema.safeParse(got.body).error?.issues ?? [], []);
  t.deepEqual(got.body.job.command, ['sh', '-c', 'for i in $(seq {{times}}); do echo "$0 $MOOD"; done', 'hello {{who}}']);
  t.like(got.body, { name: 'greet', shared: false, revision: 1, parameters: { times: { type: 'integer', default: 1 } } });
  const list = await server.request.get('/v1/templates');
  t.true((list.body.templates as { name: string }[]).some((template) => template.name === 'greet'));
  const other = await server.request.post('/v1/templates').send({ name: 'echo-it', job: { command: ['echo', 'x'] } });
  t.is(other.status, 201);
  t.is(other.headers.location, '/v1/templates/echo-it');
  t.is((await server.request.delete('/v1/templates/echo-it')).status, 204);
  t.is((await server.request.get('/v1/templates/echo-it')).status, 404);
});

test('submit: parameters typed (strings accepted), defaults applied, values stay inside their word', async (t) => {
  const response = await server.request.post('/v1/templates/greet/submit').send({ params: { who: 'world; rm -rf /', times: '2', mood: 'happy' }, tags: ['demo'], metadata: { ticket: 'T-1' } });
  t.is(response.status, 201);
  t.deepEqual(response.body.params, { who: 'world; rm -rf /', times: 2, loud: false, mood: 'happy' });
  t.is(response.headers.location, `/v1/jobs/${response.body.id}`);
  const id = /"id":(\d+)/.exec(response.text)?.[1] ?? '';
  const job = await waitForJobEnd(server, id);
  t.like(job, { result: 'COMPLETED', name: 'greet-happy', ntasks: 2 });
  t.deepEqual(job.tags, [{ type: 'default', name: 'demo' }, { type: 'template', name: 'greet' }]);
  t.deepEqual(job.metadata, { ticket: 'T-1' });
  // Two tasks, each printing twice: the whole value is one argument ($0), never a command.
  t.deepEqual((await output(id)).trim().split('\n'), Array(4).fill('hello world; rm -rf / happy'));
  t.is((await server.request.get('/v1/jobs/query').query({ tag: 'template:greet' })).body.total >= 1, true);
});

test('submit errors name the parameter: missing, wrong type, out of range, not allowed, unknown', async (t) => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{}, 'params.who', /required/],
    [{ who: 'x', times: 'two' }, 'params.times', /whole number/],
    [{ who: 'x', times: 9 }, 'params.times', /at most 4/],
    [{ who: 'x', mood: 'angry' }, 'params.mood', /one of "calm", "happy"/],
    [{ who: 'x', loud: 'maybe' }, 'params.loud', /true or false/],
    [{ who: 'x'.repeat(41) }, 'params.who', /at most 40 characters/],
    [{ who: 'x', colour: 'red' }, 'params.colour', /not a parameter/],
  ];
  for (const [params, field, message] of cases) {
    const response = await server.request.post('/v1/templates/greet/submit').send({ params });
    t.is(response.status, 400, JSON.stringify(params));
    t.is(response.body.error.code, 'VALIDATION_ERROR');
    const detail = (response.body.error.details as { field: string; message: string }[]).find((item) => item.field === field);
    t.regex(detail?.message ?? '', message, JSON.stringify(response.body.error.details));
  }
});

test('a submit rule broken through a parameter names the parameter too', async (t) => {
  const created = await server.request.post('/v1/templates').send({
    name: 'tasks', parameters: { n: { type: 'integer', default: 1 } }, job: { command: ['true'], num_tasks: '{{n}}' },
  });
  t.is(created.status, 201);
  const response = await server.request.post('/v1/templates/tasks/submit').send({ params: { n: 0 } });
  t.is(response.status, 400);
  t.is(response.body.error.details[0].field, 'params.n');
  t.regex(response.body.error.details[0].message, /num_tasks/);
});

test('invalid definitions: 400 naming each problem; a taken name is 409', async (t) => {
  const response = await server.request.post('/v1/templates').send({
    name: 'broken',
    parameters: { n: { type: 'integer' }, s: { type: 'string', default: 3, minimum: 1 }, e: { type: 'integer', default: 1, enum: ['x'] } },
    job: { command: ['echo', '{{missing}}'], exclusive: '{{n}}', runtime: 'soon' },
  });
  t.is(response.status, 400);
  const fields = (response.body.error.details as { field: string }[]).map((detail) => detail.field);
  t.true(fields.some((field) => field.startsWith('job.runtime')), fields.join());
  const semantic = await server.request.post('/v1/templates').send({
    name: 'broken',
    parameters: { n: { type: 'integer' }, s: { type: 'string', default: 'x', minimum: 1 }, e: { type: 'integer', default: 1, enum: ['x'] } },
    job: { command: ['echo', '{{missing}}'], exclusive: '{{n}}' },
  });
  t.is(semantic.status, 400);
  t.deepEqual((semantic.body.error.details as { field: string }[]).map((detail) => detail.field).sort(), [
    'job.command[1]', 'job.exclusive', 'parameters.e.default', 'parameters.e.enum[0]', 'parameters.n', 'parameters.s',
  ]);
  for (const name of ['', '../etc', 'a b', 'x'.repeat(65)]) {
    t.is((await server.request.post('/v1/templates').send({ name, job: { command: ['true'] } })).status, 400, name);
  }
  const taken = await server.request.post('/v1/templates').send({ name: 'greet', job: { command: ['true'] } });
  t.is(taken.status, 409);
  t.is(taken.body.error.code, 'RESOURCE_CONFLICT');
});

test('replace bumps the revision; the name in the body must match the path', async (t) => {
  await server.request.post('/v1/templates').send({ name: 'evolving', job: { command: ['echo', 'v1'] } });
  const replaced = await server.request.put('/v1/templates/evolving').send({ description: 'second', job: { command: ['echo', 'v2'] } });
  t.like(replaced.body, { revision: 2, description: 'second', job: { command: ['echo', 'v2'] } });
  t.is((await server.request.put('/v1/templates/evolving').send({ name: 'renamed', job: { command: ['true'] } })).status, 400);
  t.is((await server.request.put('/v1/templates/nope').send({ job: { command: ['true'] } })).status, 404);
});

test('ownership: private templates are invisible to others, shared ones usable by all but changed only by their owner', async (t) => {
  const auth = await startTestServer({ env: AUTH_ENV });
  t.teardown(() => auth.close());
  await addUser(auth.dataDir, 'alice', 'alice-password-1');
  await addUser(auth.dataDir, 'bob', 'bob-password-12');
  const alice = bearer(await fetchToken(auth, 'alice', 'alice-password-1'));
  const bob = bearer(await fetchToken(auth, 'bob', 'bob-password-12'));
  t.is((await auth.request.post('/v1/templates').set(alice).send({ name: 'private', job: { command: ['true'] } })).status, 201);
  t.is((await auth.request.post('/v1/templates').set(alice).send({ name: 'public', shared: true, job: { command: ['true'] } })).status, 201);
  t.deepEqual((await auth.request.get('/v1/templates').set(bob)).body.templates.map((item: { name: string }) => item.name), ['public']);
  t.is((await auth.request.get('/v1/templates/private').set(bob)).status, 404);
  t.is((await auth.request.post('/v1/templates/private/submit').set(bob).send({})).status, 404);
  t.is((await auth.request.put('/v1/templates/public').set(bob).send({ job: { command: ['false'] } })).status, 403);
  t.is((await auth.request.delete('/v1/templates/public').set(bob)).status, 403);
  const submitted = await auth.request.post('/v1/templates/public/submit').set(bob).send({});
  t.is(submitted.status, 201);
  t.is(submitted.body.job.owner, 'bob');
  t.is((await auth.request.get(`/v1/jobs/${/"id":(\d+)/.exec(submitted.text)?.[1] ?? ''}`).set(alice)).status, 404);
  t.is((await auth.request.delete('/v1/templates/private').set(bearer(await fetchToken(auth)))).status, 204, 'a superuser may');
});
