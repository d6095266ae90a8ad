/** /ping, /meta/versions/*, /meta/info, and the one error shape on every new route. */
import test from 'ava';
import { startTestServer } from '../helpers/test-server.js';
import { AUTH_ENV, bearer, browserLogin, fetchToken, SUPERUSER, SUPERUSER_PASSWORD } from '../helpers/auth.js';
import { FakeExecutor } from '../helpers/fake-executor.js';
import { aboutSchema } from '../../src/http/api/extended/schemas.js';

test('ping, versions and info; only info needs credentials', async (t) => {
  const server = await startTestServer({ env: AUTH_ENV });
  t.teardown(() => server.close());
  const ping = await server.request.get('/ping');
  t.is(ping.status, 200);
  t.is(ping.text, 'pong');
  t.regex(String(ping.headers['content-type']), /^text\/plain/);
  t.deepEqual((await server.request.get('/meta/versions/supported')).body, { versions: [{ version: 'v1', path: '/v1', status: 'current' }], latest: 'v1' });
  t.deepEqual((await server.request.get('/meta/versions/latest')).body, { version: 'v1', path: '/v1' });
  const anonymous = await server.request.get('/meta/info');
  t.is(anonymous.status, 401);
  t.is(anonymous.body.error.code, 'UNAUTHENTICATED');
  const info = await server.request.get('/meta/info').set(bearer(await fetchToken(server)));
  t.deepEqual(aboutSchema.safeParse(info.body).error?.issues ?? [], []);
  t.like(info.body, { executor: 'local', backend: { name: 'local' }, api: { latest: 'v1' } });
  t.regex(info.body.jobgate, /^\d+\.\d+\.\d+/);
  t.regex(info.body.backend.version, /^local/);
});

test('the backend version, or null while the backend does not answer', async (t) => {
  const executor = new FakeExecutor({ name: 'slurm' });
  const server = await startTestServer({ overrides: { executor } });
  t.teardown(() => server.close());
  t.like((await server.request.get('/meta/info')).body, { executor: 'slurm', backend: { name: 'slurm', version: 'slurm 0.88.0 (fake)' } });
  executor.down = true;
  t.like((await server.request.get('/meta/info')).body, { backend: { version: null } });
  t.is((await server.request.get('/ping')).text, 'pong');
});

test('every new route answers errors as {"error": {code, message, details, request_id}}; the v1 routes keep theirs', async (t) => {
  const server = await startTestServer({ env: AUTH_ENV });
  t.teardown(() => server.close());
  const token = bearer(await fetchToken(server));
  const requests = [
    server.request.get('/v1/jobs/query'),
    server.request.get('/v1/jobs/export'),
    server.request.get('/v1/events'),
    server.request.put('/v1/jobs/1/hold'),
    server.request.post('/v1/jobs/bulk'),
    server.request.get('/v1/templates'),
    server.request.post('/v1/jobs/1/tags'),
    server.request.get('/v1/tags'),
  ];
  for (const request of requests) {
    const response = await request;
    t.is(response.status, 401);
    t.deepEqual(Object.keys(response.body), ['error']);
    t.deepEqual(Object.keys(response.body.error), ['code', 'message', 'details', 'request_id']);
    t.is(response.body.error.request_id, response.headers['x-request-id']);
    t.truthy(response.headers['www-authenticate']);
  }
  const notFound = await server.request.get('/v1/templates/none').set(token);
  t.deepEqual(notFound.body, { error: { code: 'RESOURCE_NOT_FOUND', message: 'There is no template none', details: [], request_id: notFound.headers['x-request-id'] } });
  const invalid = await server.request.get('/v1/jobs/query').query({ limit: 'many' }).set(token);
  t.is(invalid.status, 400);
  t.deepEqual(invalid.body.error.details, [{ field: 'limit', message: 'Input should be a valid integer, unable to parse string as an integer' }]);
  // Errors raised before the route (body parser, CSRF) have the same shape on these routes.
  const malformed = await server.request.post('/v1/jobs/bulk').set(token).set('Content-Type', 'application/json').send('{"action": "cancel", "job_ids": [1,');
  t.is(malformed.status, 400);
  t.deepEqual(malformed.body, { error: { code: 'VALIDATION_ERROR', message: 'body: not valid JSON', details: [{ field: 'body', message: 'not valid JSON' }], request_id: malformed.headers['x-request-id'] } });
  const session = await browserLogin(server, SUPERUSER, SUPERUSER_PASSWORD);
  const noCsrf = await server.request.put('/v1/jobs/1/hold').set('Cookie', session.cookie).send({});
  t.is(noCsrf.status, 403);
  t.deepEqual(Object.keys(noCsrf.body), ['error']);
  t.is(noCsrf.body.error.code, 'FORBIDDEN');
  const withCsrf = await server.request.put('/v1/jobs/1/hold').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken).send({});
  t.is(withCsrf.status, 404, 'past the CSRF check, to the route');
  // The flux-restful-api routes answer as before.
  t.deepEqual((await server.request.get('/v1/jobs')).body, { detail: 'Not authenticated' });
  const typed = await server.request.post('/v1/jobs/submit').query({ command: 'true', num_tasks: 'x' }).set(token);
  t.is(typed.status, 422);
  t.is(typed.body.detail[0].loc[1], 'num_tasks');
});
