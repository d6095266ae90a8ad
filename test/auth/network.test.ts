/**
 * Network exposure: without auth jobgate stays on loopback unless told otherwise (and warns),
 * answers only loopback names there (DNS rebinding), refuses state changes a browser marks as
 * cross-site, and service/stop always needs a superuser.
 */
import fs from 'node:fs';
import test from 'ava';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { startServer, StartupError } from '../../src/server.js';
import { makeTempDir, startTestServer } from '../helpers/test-server.js';
import { addUser, bearer, fetchToken, startAuthServer, startCapturingServer } from '../helpers/auth.js';

test('without auth, a non-loopback address is refused at start', async (t) => {
  const dataDir = makeTempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const loaded = loadConfig({ PATH: process.env.PATH }, { host: '0.0.0.0', port: '0', executor: 'local', dataDir });
  if (!loaded.ok) {
    t.fail(loaded.problems.join('; '));
    return;
  }
  const error = await t.throwsAsync(startServer({ config: loaded.config, logger: createLogger('silent') }));
  t.true(error instanceof StartupError);
  t.regex(error?.message ?? '', /--allow-unauthenticated/);
});

test('--allow-unauthenticated lets it listen there, with a warning at start', async (t) => {
  const server = await startCapturingServer({}, { host: '0.0.0.0', allowUnauthenticated: true });
  t.teardown(() => server.close());
  t.regex(server.logs(), /"level":40[^\n]*authentication OFF/);
  t.is((await server.request.get('/')).status, 200);
});

test('with auth on, any address is fine and needs no flag', async (t) => {
  const server = await startTestServer({ env: { FLUX_REQUIRE_AUTH: 'true' }, flags: { host: '0.0.0.0' } });
  t.teardown(() => server.close());
  t.is((await server.request.get('/v1/jobs')).status, 401);
});

test('the signing key must differ from FLUX_SECRET_KEY', (t) => {
  const same = 'the-same-value-used-twice-for-both-keys';
  const loaded = loadConfig({ FLUX_SECRET_KEY: same, JOBGATE_TOKEN_SIGNING_KEY: same });
  t.false(loaded.ok);
  t.true(!loaded.ok && loaded.problems.some((problem) => /must differ from FLUX_SECRET_KEY/.test(problem)));
});

test('without auth on loopback, requests addressed to other names are refused (DNS rebinding)', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const rebound = await server.request.post('/v1/jobs/submit?command=true').set('Host', 'attacker.example:5000');
  t.is(rebound.status, 403);
  t.is((await server.request.get('/v1/jobs').set('Host', 'attacker.example')).status, 403);
  t.deepEqual((await server.request.get('/v1/jobs')).body, { jobs: [] });
  for (const host of ['localhost:5000', '127.0.0.1', '[::1]:5000', 'app.localhost']) {
    t.is((await server.request.get('/v1/jobs').set('Host', host)).status, 200, host);
  }
});

test('without auth, a state change a browser marks as cross-site is refused; curl-like and same-origin requests work', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const host = new URL(server.url).host;
  const crossOrigin = await server.request.post('/v1/jobs/submit?command=true').set('Origin', 'https://evil.example');
  t.is(crossOrigin.status, 403);
  t.deepEqual(crossOrigin.body, { detail: 'Cross-site request refused' });
  t.is((await server.request.post('/v1/jobs/submit?command=true').set('Sec-Fetch-Site', 'cross-site')).status, 403);
  t.is((await server.request.post('/v1/jobs/submit?command=true').set('Origin', 'null')).status, 403);
  t.deepEqual((await server.request.get('/v1/jobs')).body, { jobs: [] });
  t.is((await server.request.post('/v1/jobs/submit?command=true')).status, 200);
  t.is((await server.request.post('/v1/jobs/submit?command=true').set('Origin', `http://${host}`)).status, 200);
});

test('a Bearer-authenticated request is never treated as cross-site', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const response = await server.request.post('/v1/jobs/submit?command=true').set(bearer(await fetchToken(server))).set('Origin', 'https://tool.example');
  t.is(response.status, 200);
});

test('service/stop: 401 without credentials, 403 for a user, and a superuser stops the service', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  t.is((await server.request.post('/v1/service/stop')).status, 401);
  await addUser(server.dataDir, 'alice', 'alice-password');
  const user = await server.request.post('/v1/service/stop').set(bearer(await fetchToken(server, 'alice', 'alice-password')));
  t.is(user.status, 403);
  const stopped = await server.request.post('/v1/service/stop').set(bearer(await fetchToken(server)));
  t.is(stopped.status, 200);
  t.regex(await server.stopped, /service\/stop by fluxuser/);
});

test('with auth off the local caller is the superuser and may stop the service', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  t.is((await server.request.post('/v1/service/stop')).status, 200);
  t.regex(await server.stopped, /service\/stop/);
});
