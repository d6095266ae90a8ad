/**
 * The served /openapi.json is a valid OpenAPI 3.1 document, and it tells the truth: every
 * operation in it is called for real — successes and the errors clients meet — and every answer
 * is checked against it (declared status, declared content type, body valid against the schema).
 */
import test from 'ava';
import { Validator } from '@seriousme/openapi-schema-validator';
import { LocalExecutor } from '../src/executors/local/local-executor.js';
import { parseJsonLossless } from '../src/lib/json.js';
import { OpenApiChecker, forValidator } from './helpers/openapi-check.js';
import { CheckedApi, fetchAnswer, idOf, sseEvents, type Assertions, type Call, type FetchedAnswer } from './helpers/openapi-calls.js';
import { addUser, bearer, browserLogin, CLIENT_SECRET, fetchToken, startAuthServer, SUPERUSER, SUPERUSER_PASSWORD, tokenRequest } from './helpers/auth.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { checkPurge, checkUsers } from './openapi-admin.js';
import { checkControl, checkEvents, checkExportAndQuery, checkLabels, checkMeta, checkRateLimit, checkTemplates, type Callers } from './openapi-extended.js';

let server: TestServer;
let api: CheckedApi;
let checker: OpenApiChecker;
let superToken = '';
let aliceToken = '';
let bobToken = '';

/** Calls a route of the shared server and checks the answer against its document. */
function call(t: Assertions, method: string, route: string, path: string, options: Call = {}): Promise<FetchedAnswer> {
  return api.call(t, method, route, path, options);
}

const su = (): Record<string, string> => bearer(superToken);
const alice = (): Record<string, string> => bearer(aliceToken);

/** Waits for a job to reach one of `states`, asking as the superuser (no check: this is not under test). */
async function reached(id: string, states: readonly string[] = ['INACTIVE']): Promise<void> {
  for (;;) {
    const answer = await fetchAnswer(server.url, 'GET', `/v1/jobs/${id}`, { headers: su() });
    if (states.includes((JSON.parse(answer.text) as { state?: string }).state ?? '')) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const ended = (id: string): Promise<void> => reached(id);

function callers(): Callers {
  return { api, su: su(), alice: alice(), bob: bearer(bobToken), reached };
}

test.before(async () => {
  server = await startAuthServer();
  await addUser(server.dataDir, 'alice', 'alice-password');
  await addUser(server.dataDir, 'bob', 'bob-password-1');
  api = await CheckedApi.open(server.url);
  checker = api.checker;
  bobToken = await fetchToken(server, 'bob', 'bob-password-1');
});

test.after.always(() => server.close());

test.serial('the documents of a jobgate with auth on and one with auth off are valid OpenAPI 3.1', async (t) => {
  const open = await startTestServer();
  t.teardown(() => open.close());
  for (const base of [server.url, open.url]) {
    const document = JSON.parse((await fetchAnswer(base, 'GET', '/openapi.json', {})).text) as Record<string, unknown>;
    const result = await new Validator().validate(document);
    t.true(result.valid, JSON.stringify(result.errors, null, 2));
    t.is(document.openapi, '3.1.0');
  }
  const withAuth = checker.document as { paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>; components: { securitySchemes?: unknown } };
  t.truthy(withAuth.components.securitySchemes);
  t.truthy(withAuth.paths['/v1/jobs']?.get?.security);
  t.truthy(withAuth.paths['/v1/jobs']?.get?.responses['401']);
  t.truthy(withAuth.paths['/v1/service/stop']?.post?.responses['403']);
  t.is(withAuth.paths['/health']?.get?.security, undefined);
});

test.serial('service routes: health, ready, metrics, the document itself', async (t) => {
  await call(t, 'GET', '/health', '/health');
  await call(t, 'GET', '/ready', '/ready');
  await call(t, 'GET', '/metrics', '/metrics');
  await call(t, 'GET', '/openapi.json', '/openapi.json');
});

test.serial('ready answers 503 (as documented) when the backend does not', async (t) => {
  class DownExecutor extends LocalExecutor {
    override async ready(): Promise<boolean> {
      return false;
    }
  }
  const down = await startTestServer({ overrides: { executor: new DownExecutor({ cores: 1, gpus: 0, killGraceSeconds: 1 }) } });
  t.teardown(() => down.close());
  const answer = await fetchAnswer(down.url, 'GET', '/ready', {});
  t.is(answer.status, 503);
  t.deepEqual(checker.check('GET', '/ready', answer), []);
});

test.serial('auth routes: both token handshakes, refusals, revocation', async (t) => {
  const signed = await call(t, 'POST', '/v1/token', '/v1/token', { headers: { Authorization: `Bearer ${await tokenRequest(SUPERUSER, SUPERUSER_PASSWORD, CLIENT_SECRET)}` } });
  superToken = (JSON.parse(signed.text) as { access_token: string }).access_token;
  t.is((await call(t, 'POST', '/v1/token', '/v1/token', { headers: { Authorization: 'Bearer garbage' } })).status, 400);

  const form = await call(t, 'POST', '/v1/login/access-token', '/v1/login/access-token', { form: { username: 'alice', password: 'alice-password' } });
  aliceToken = (JSON.parse(form.text) as { access_token: string }).access_token;
  t.is((await call(t, 'POST', '/v1/login/access-token', '/v1/login/access-token', { form: { username: 'alice', password: 'wrong' } })).status, 400);
  t.is((await call(t, 'POST', '/v1/login/access-token', '/v1/login/access-token', { form: { username: 'alice' } })).status, 422);

  const spare = (JSON.parse((await call(t, 'POST', '/v1/login/access-token', '/v1/login/access-token', { form: { username: 'alice', password: 'alice-password' } })).text) as { access_token: string }).access_token;
  t.is((await call(t, 'POST', '/v1/token/revoke', '/v1/token/revoke', { headers: bearer(spare) })).status, 200);
  t.is((await call(t, 'POST', '/v1/token/revoke', '/v1/token/revoke', { headers: bearer(spare) })).status, 401);
  const session = await browserLogin(server, 'alice', 'alice-password');
  t.is((await call(t, 'POST', '/v1/token/revoke', '/v1/token/revoke', { headers: { Cookie: session.cookie, 'X-CSRF-Token': session.csrfToken } })).status, 400);
});

test.serial('jobs: submit in every form, list in every shape, detail, search — and their errors', async (t) => {
  const queried = await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), query: { command: 'sh -c "echo out; echo err >&2"' }, json: { NAME: 'x' } });
  const whole = await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), json: { command: ['sleep', '60'], num_tasks: 1, job_name: 'sleeper' } });
  t.is((await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), form: { command: 'true', exclusive: 'false' } })).status, 200);
  t.is((await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), query: { num_tasks: '2' } })).status, 400);
  t.is((await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), query: { command: 'true', num_tasks: '100000' } })).status, 400);
  t.is((await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), json: '[1, 2]' })).status, 400);
  t.is((await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), query: { command: 'true', num_tasks: 'many' } })).status, 422);
  t.is((await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { query: { command: 'true' } })).status, 401);
  const done = idOf(queried);
  const running = idOf(whole);
  await ended(done);

  const listings: Record<string, string>[] = [{}, { details: 'true' }, { details: 'true', listing: 'true' }, { detail: 'true', limit: '1', offset: '1' }];
  for (const query of listings) {
    t.is((await call(t, 'GET', '/v1/jobs', '/v1/jobs', { headers: su(), query })).status, 200);
  }
  t.is((await call(t, 'GET', '/v1/jobs', '/v1/jobs', { headers: su(), query: { limit: 'ten' } })).status, 422);
  t.is((await call(t, 'GET', '/v1/jobs', '/v1/jobs')).status, 401);

  const detail = await call(t, 'GET', '/v1/jobs/:jobid', `/v1/jobs/${done}`, { headers: alice() });
  t.is(detail.status, 200);
  // The HTTP cache: the same answer asked for again with its ETag is a 304 without a body.
  const again = await call(t, 'GET', '/v1/jobs/:jobid', `/v1/jobs/${done}`, { headers: { ...alice(), 'If-None-Match': detail.headers.get('ETag') ?? '' } });
  t.is(again.status, 304);
  t.is(again.text, '');
  t.is((await call(t, 'GET', '/v1/jobs/:jobid', `/v1/jobs/${running}`, { headers: alice() })).status, 200);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid', '/v1/jobs/12345', { headers: alice() })).status, 404);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid', '/v1/jobs/not-an-id', { headers: alice() })).status, 400);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid/metrics', `/v1/jobs/${done}/metrics`, { headers: alice() })).status, 200);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid/metrics', `/v1/jobs/${running}/metrics`, { headers: alice(), query: { metric: 'cpu,mem', since: '0' } })).status, 200);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid/metrics', `/v1/jobs/${done}/metrics`, { headers: alice(), query: { metric: 'disk' } })).status, 400);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid/metrics', '/v1/jobs/12345/metrics', { headers: alice() })).status, 404);
  t.is((await call(t, 'GET', '/v1/stats', '/v1/stats', { headers: alice() })).status, 200);
  t.is((await call(t, 'GET', '/v1/stats', '/v1/stats', { headers: alice(), query: { window: 'day' } })).status, 200);
  t.is((await call(t, 'GET', '/v1/stats', '/v1/stats', { headers: alice(), query: { window: 'year' } })).status, 400);

  const search = { draw: '3', start: '0', length: '10', 'search[value]': 'sleep', 'columns[0][data]': 'state', 'columns[0][search][value]': 'RUN', 'order[0][column]': '0', 'order[0][dir]': 'desc' };
  t.is((await call(t, 'GET', '/v1/jobs/search', '/v1/jobs/search', { headers: su(), query: search })).status, 200);
  t.is((await call(t, 'GET', '/v1/jobs/search', '/v1/jobs/search', { headers: alice(), query: { query: 'echo', start: '0', length: '5' } })).status, 200);
  t.is((await call(t, 'GET', '/v1/jobs/search', '/v1/jobs/search', { headers: su(), query: { start: 'first' } })).status, 422);

  t.is((await call(t, 'POST', '/v1/jobs/:jobid/cancel', `/v1/jobs/${running}/cancel`, { headers: alice(), query: { reason: 'enough' } })).status, 200);
  t.is((await call(t, 'POST', '/v1/jobs/:jobid/cancel', `/v1/jobs/${done}/cancel`, { headers: alice() })).status, 400);
  t.is((await call(t, 'POST', '/v1/jobs/:jobid/cancel', '/v1/jobs/12345/cancel', { headers: alice() })).status, 404);
  t.is((await call(t, 'POST', '/v1/jobs/:jobid/cancel', '/v1/jobs/xyz/cancel', { headers: alice() })).status, 400);
});

test.serial('output: pages as lines, chunks and raw bytes; both streams; their errors', async (t) => {
  const submitted = await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), json: { command: ['sh', '-c', 'echo one; echo two >&2; printf "\\377\\n"'] } });
  const id = idOf(submitted);
  await ended(id);
  const empty = idOf(await call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice(), json: { command: ['true'] } }));
  await ended(empty);
  const route = '/v1/jobs/:jobid/output';
  const pages: Record<string, string>[] = [{}, { format: 'chunks' }, { format: 'raw' }, { stream: 'stderr', tail: '1' }, { since: '2', max_bytes: '3' }];
  for (const query of pages) {
    t.is((await call(t, 'GET', route, `/v1/jobs/${id}/output`, { headers: alice(), query })).status, 200);
  }
  t.regex((await call(t, 'GET', route, `/v1/jobs/${empty}/output`, { headers: alice() })).text, /not exist yet/);
  t.is((await call(t, 'GET', route, `/v1/jobs/${id}/output`, { headers: alice(), query: { stream: 'sideways' } })).status, 422);
  t.is((await call(t, 'GET', route, '/v1/jobs/12345/output', { headers: alice() })).status, 404);
  t.is((await call(t, 'GET', route, '/v1/jobs/zz/output', { headers: alice() })).status, 400);

  // A finished job's streams replay everything and end, so they can be read whole.
  const events = await call(t, 'GET', '/v1/jobs/:jobid/output/events', `/v1/jobs/${id}/output/events`, { headers: alice() });
  const data = sseEvents(events.text);
  t.deepEqual([...new Set(data.map((event) => event.event))].sort(), ['end', 'output', 'state']);
  const schemas: Record<string, string> = { state: 'OutputStateEvent', output: 'OutputChunk', end: 'OutputEndEvent', error: 'OutputErrorEvent' };
  for (const event of data) {
    const validate = checker.component(schemas[event.event] ?? '');
    t.true(validate(forValidator(parseJsonLossless(event.data))), `${event.event} ${event.data} ${JSON.stringify(validate.errors)}`);
  }
  t.is((await call(t, 'GET', '/v1/jobs/:jobid/output/events', '/v1/jobs/12345/output/events', { headers: alice() })).status, 404);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid/output/stream', `/v1/jobs/${id}/output/stream`, { headers: alice() })).status, 200);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid/output/stream', `/v1/jobs/${id}/output/stream`, { headers: { ...alice(), Accept: 'text/event-stream' } })).status, 200);
  t.is((await call(t, 'GET', '/v1/jobs/:jobid/output/stream', '/v1/jobs/12345/output/stream', { headers: alice() })).status, 404);
});

test.serial('meta: ping, versions (304 when unchanged), server info', (t) => checkMeta(t, callers()));
test.serial('listing and export: filters, sort, paging, formats, 304, refused parameters', (t) => checkExportAndQuery(t, callers()));
test.serial('hold, release, priority, bulk: successes, 404 for another user\'s job, 409 for a running one, 400', (t) => checkControl(t, callers()));
test.serial('tags and metadata: add, remove, merge, replace, read, the tags in use; their errors', (t) => checkLabels(t, callers()));
test.serial('templates: create, read, replace, submit, delete; 400, 403, 404, 409', (t) => checkTemplates(t, callers()));
test.serial('events: the stream and its data; a bad position is a 400', (t) => checkEvents(t, callers()));
test.serial('users and API keys: who am I, figures, keys made, listed and revoked, the key login', (t) => checkUsers(t, callers()));
test.serial('purge: a dry run, the real one, refusals (400, 403)', (t) => checkPurge(t, callers()));
test.serial('rate limit: a 429 in the one error shape, on v1 and extended routes alike', (t) => checkRateLimit(t));

test.serial('nodes, and stopping the service (refused, then done)', async (t) => {
  t.is((await call(t, 'GET', '/v1/nodes', '/v1/nodes', { headers: alice() })).status, 200);
  t.is((await call(t, 'GET', '/v1/nodes', '/v1/nodes', { headers: alice(), query: { details: 'true' } })).status, 200);
  t.is((await call(t, 'GET', '/v1/nodes', '/v1/nodes', { headers: alice(), query: { details: 'maybe' } })).status, 422);
  t.is((await call(t, 'POST', '/v1/service/stop', '/v1/service/stop')).status, 401);
  t.is((await call(t, 'POST', '/v1/service/stop', '/v1/service/stop', { headers: alice() })).status, 403);
  t.is((await call(t, 'POST', '/v1/service/stop', '/v1/service/stop', { headers: su() })).status, 200);
  await server.stopped;
});

test.serial('the check catches answers the document does not describe', (t) => {
  const fresh = new OpenApiChecker(checker.document);
  const job = { status: 200, contentType: 'application/json', text: '{"id": "123", "state": "RUN"}' };
  t.true(fresh.check('GET', '/v1/jobs/:jobid', job).some((problem) => /\/id must be integer/.test(problem)));
  t.true(fresh.check('GET', '/v1/jobs/:jobid', job).some((problem) => /must have required property 'owner'/.test(problem)));
  t.deepEqual(fresh.check('GET', '/v1/nodes', { status: 418, contentType: 'application/json', text: '{}' }), ['get /v1/nodes answered 418, which it does not declare']);
  t.regex(fresh.check('GET', '/v1/nodes', { status: 200, contentType: 'text/html', text: '<p>' })[0] ?? '', /answered text\/html; declared: application\/json/);
  t.regex(fresh.check('GET', '/v1/nodes', { status: 200, contentType: 'application/json', text: '{"nodes": [], "extra": 1}' })[0] ?? '', /must NOT have additional properties/);
  // A 64-bit id beyond doubles is still an integer to the check.
  t.deepEqual(fresh.check('POST', '/v1/jobs/submit', { status: 200, contentType: 'application/json', text: '{"Message": "Job submit.", "id": 18446744073709551615}' }), []);
});

test.serial('every operation in the document was called and answered with a success', (t) => {
  const missing = checker.operations().filter((operation) => ![...(checker.seen.get(operation) ?? [])].some((status) => status.startsWith('2')));
  t.deepEqual(missing, []);
  t.true(checker.operations().length >= 40);
});
