/**
 * flux-restful-client 0.2.1 against jobgate with auth on, request by request as it sends them
 * (reference §16): the first call without credentials, the 401, `POST /v1/token` with the
 * signed request, and the retry that carries the payload as a JSON body instead of the query.
 * Then the reference's §15.3 sequence with auth on (step 11).
 */
import test from 'ava';
import { waitFor, type TestServer } from '../helpers/test-server.js';
import { bearer, startAuthServer, tokenRequest } from '../helpers/auth.js';

/** What httpx makes of `params=data`: booleans as true/false, a dict as its Python str(). */
function httpxQuery(data: Record<string, unknown>): string {
  const pythonRepr = (value: unknown): string => {
    if (typeof value === 'boolean') {
      return value ? 'true' : 'false';
    }
    if (typeof value === 'object' && value !== null) {
      return `{${Object.entries(value).map(([key, item]) => `'${key}': '${String(item)}'`).join(', ')}}`;
    }
    return String(value);
  };
  return Object.entries(data).map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(pythonRepr(value))}`).join('&');
}

test("the Python client's exact auth sequence submits the job with its command and env", async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());

  // client.submit("sh -c ...", num_tasks=1, cores_per_task=1, exclusive=False, is_launcher=False,
  //               option_flags={"cpu-affinity": "off"}, envars={...}) builds this dict:
  const data = {
    command: 'sh -c "echo $GREETING from $PLACE"',
    num_tasks: 1,
    cores_per_task: 1,
    option_flags: 'cpu-affinity=off',
    exclusive: false,
    is_launcher: false,
    envars: { GREETING: 'hello', PLACE: 'jobgate' },
  };

  // 1. session.post(url, params=data, headers={}) — no credentials yet.
  const first = await server.request.post(`/v1/jobs/submit?${httpxQuery(data)}`);
  t.is(first.status, 401);
  t.deepEqual(first.body, { detail: 'Not authenticated' });
  t.truthy(first.headers['www-authenticate']);

  // 2. authenticate_request: POST /v1/token with the HS256 {user, pass, scope} JWT, no body.
  const tokenResponse = await server.request.post('/v1/token').set('Authorization', `Bearer ${await tokenRequest('fluxuser', 'correct horse battery')}`);
  t.is(tokenResponse.status, 200);
  t.true('access_token' in tokenResponse.body && 'token_type' in tokenResponse.body);

  // 3. session.request("POST", url, json=data, headers={"Authorization": "Bearer <token>"}) — the query is gone.
  const retry = await server.request
    .post('/v1/jobs/submit')
    .set(bearer(tokenResponse.body.access_token as string))
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(data));
  t.is(retry.status, 200);
  t.is(retry.body.Message, 'Job submit.');
  const id = /"id":(\d+)/.exec(retry.text)?.[1] ?? '';
  t.regex(id, /^\d+$/);

  const auth = bearer(tokenResponse.body.access_token as string);
  const detail = await waitFor(async () => {
    const response = await server.request.get(`/v1/jobs/${id}`).set(auth);
    return response.body.state === 'INACTIVE' ? (response.body as Record<string, unknown>) : undefined;
  });
  t.deepEqual(detail.command, ['sh', '-c', 'echo $GREETING from $PLACE']);
  t.is(detail.owner, 'fluxuser');
  t.is(detail.result, 'COMPLETED');
  const output = await server.request.get(`/v1/jobs/${id}/output`).set(auth);
  t.deepEqual(output.body.Output, ['hello from jobgate\n']);
});

test('a client whose token was revoked gets a 401 with WWW-Authenticate and recovers through the handshake', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const signed = await tokenRequest('fluxuser', 'correct horse battery');
  const token = (await server.request.post('/v1/token').set('Authorization', `Bearer ${signed}`)).body.access_token as string;
  await server.request.post('/v1/token/revoke').set(bearer(token));
  const refused = await server.request.get('/v1/jobs').set(bearer(token));
  t.is(refused.status, 401);
  t.truthy(refused.headers['www-authenticate']);
  const again = (await server.request.post('/v1/token').set('Authorization', `Bearer ${signed}`)).body.access_token as string;
  t.is((await server.request.get('/v1/jobs').set(bearer(again))).status, 200);
});

/** Reference §15.3 steps 1-10, with auth on as step 11 asks: fluxuser / 12345 / notsosecrethoo. */
test('the reference check sequence (§15.3) passes with auth on', async (t) => {
  const server: TestServer = await startAuthServer({ FLUX_USER: 'fluxuser', FLUX_TOKEN: '12345', FLUX_SECRET_KEY: 'notsosecrethoo' });
  t.teardown(() => server.close());

  // 1. GET / → 200 without credentials.
  t.is((await server.request.get('/')).status, 200);

  // 11. first GET /v1/jobs → 401 with WWW-Authenticate; POST /v1/token → 200 {access_token, token_type}.
  const denied = await server.request.get('/v1/jobs');
  t.is(denied.status, 401);
  t.truthy(denied.headers['www-authenticate']);
  const tokenResponse = await server.request.post('/v1/token').set('Authorization', `Bearer ${await tokenRequest('fluxuser', '12345', 'notsosecrethoo')}`);
  t.is(tokenResponse.status, 200);
  t.truthy(tokenResponse.body.access_token);
  t.truthy(tokenResponse.body.token_type);
  const auth = bearer(tokenResponse.body.access_token as string);
  const get = (url: string): ReturnType<TestServer['request']['get']> => server.request.get(url).set(auth);
  const post = (url: string): ReturnType<TestServer['request']['post']> => server.request.post(url).set(auth);
  const idOf = (text: string): string => /"id":"?(\d+)/.exec(text)?.[1] ?? '';

  // 2. empty listing.
  t.deepEqual((await get('/v1/jobs')).body, { jobs: [] });

  // 3. submit.
  const submitted = await post('/v1/jobs/submit?command=sleep%205');
  t.is(submitted.status, 200);
  t.is(submitted.body.Message, 'Job submit.');
  const id = idOf(submitted.text);
  t.regex(submitted.text, /"id":\d+/);

  // 4. listings.
  const listing = await get('/v1/jobs');
  t.is(listing.body.jobs.length, 1);
  t.is(idOf(listing.text), id);
  const details = await get('/v1/jobs?details=true');
  t.true(Object.keys(details.body[id] as object).length > 20);
  t.true(Array.isArray((await get('/v1/jobs?details=True&listing=True')).body));
  t.deepEqual((await get('/v1/jobs?limit=0&details=true')).body, {});

  // 5. detail while running.
  const detail = await get(`/v1/jobs/${id}`);
  t.is(typeof detail.body.state, 'string');
  t.is(detail.body.returncode, '');

  // 6. cancel, then cancel again once it has ended.
  const sleeper = idOf((await post('/v1/jobs/submit?command=sleep%2010')).text);
  const cancel = await post(`/v1/jobs/${sleeper}/cancel`);
  t.is(cancel.status, 200);
  t.regex(cancel.body.Message as string, /requested to cancel/);
  await waitFor(async () => ((await get(`/v1/jobs/${sleeper}`)).body.state === 'INACTIVE' ? true : undefined));
  const again = await post(`/v1/jobs/${sleeper}/cancel`);
  t.true(again.status >= 400 && again.status < 500);
  t.regex(again.body.Message as string, /cannot be cancelled/);

  // 7. option flags.
  t.is((await post('/v1/jobs/submit?command=sleep%201&option_flags=ompi=openmpi@5')).status, 200);
  const badFlags = await post('/v1/jobs/submit?command=sleep%201&option_flags=-ompi=noodles');
  t.is(badFlags.status, 400);
  t.regex(badFlags.body.Errors[0] as string, /keys without -o/);

  // 8. output.
  const pancakes = idOf((await post(`/v1/jobs/submit?command=${encodeURIComponent('echo pancakes 🥞️🥞️🥞️')}`)).text);
  const early = await get(`/v1/jobs/${pancakes}/output`);
  t.true(early.body.Message === undefined || /not exist yet/.test(early.body.Message as string));
  await waitFor(async () => ((await get(`/v1/jobs/${pancakes}`)).body.state === 'INACTIVE' ? true : undefined));
  t.true(((await get(`/v1/jobs/${pancakes}/output`)).body.Output as string[]).includes('pancakes 🥞️🥞️🥞️\n'));

  // 9. search.
  for (let index = 0; index < 5; index += 1) {
    t.is((await post('/v1/jobs/submit?command=sleep%201')).status, 200);
  }
  const all = (await get('/v1/jobs/search')).body;
  t.is(all.data.length, all.recordsTotal);
  t.is((await get('/v1/jobs/search?start=1')).body.recordsFiltered, all.recordsTotal - 1);
  t.is((await get('/v1/jobs/search?length=3')).body.recordsFiltered, 3);
  t.is((await get('/v1/jobs/search?start=1&length=3')).body.recordsFiltered, 3);
  t.is((await get('/v1/jobs/search?draw=7')).body.draw, 7);

  // 10. one node.
  t.is((await get('/v1/nodes')).body.nodes.length, 1);
});
