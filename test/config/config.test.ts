/** Configuration: every problem reported at once, flux-restful-api's variables keep their meaning. */
import test from 'ava';
import { isLoopback, loadConfig } from '../../src/config/load.js';
import { startServer, StartupError } from '../../src/server.js';
import { createLogger } from '../../src/logger.js';
import { makeTempDir } from '../helpers/test-server.js';

test('every problem is listed, naming where the value came from', (t) => {
  const result = loadConfig({ JOBGATE_PORT: 'eighty', JOBGATE_CORES: '0', FLUX_USER: 'admin' }, { executor: 'kubernetes', logLevel: 'loud' });
  t.false(result.ok);
  if (result.ok) return;
  const text = result.problems.join('\n');
  t.regex(text, /JOBGATE_PORT: expected a whole number, got 'eighty'/);
  t.regex(text, /--executor: executor must be one of/);
  t.regex(text, /--log-level/);
  t.regex(text, /FLUX_USER and FLUX_TOKEN/);
  t.true(result.problems.length >= 4);
});

test('JOBGATE_ADMIN_ALLOW and JOBGATE_RETENTION: read when good, every bad part named with the rest', (t) => {
  const good = loadConfig({ JOBGATE_ADMIN_ALLOW: '127.0.0.1, 10.0.0.0/8', JOBGATE_RETENTION: '30d' });
  t.true(good.ok);
  if (good.ok) {
    t.deepEqual(good.config.adminAllow, ['127.0.0.1', '10.0.0.0/8']);
    t.is(good.config.retentionSeconds, 30 * 86400);
  }
  const defaults = loadConfig({});
  t.true(defaults.ok && defaults.config.adminAllow === null && defaults.config.retentionSeconds === null);
  const off = loadConfig({ JOBGATE_RETENTION: 'off' });
  t.true(off.ok && off.config.retentionSeconds === null);
  const bad = loadConfig({ JOBGATE_ADMIN_ALLOW: '10.0.0.0/40,nowhere', JOBGATE_RETENTION: 'a month', JOBGATE_PORT: 'x' });
  t.false(bad.ok);
  const text = bad.ok ? '' : bad.problems.join('\n');
  t.regex(text, /JOBGATE_ADMIN_ALLOW: '10\.0\.0\.0\/40' is not/);
  t.regex(text, /JOBGATE_ADMIN_ALLOW: 'nowhere' is not/);
  t.regex(text, /JOBGATE_RETENTION: expected a duration/);
  t.regex(text, /JOBGATE_PORT/);
});

test('FLUX_REQUIRE_AUTH: any non-empty value turns auth on, with a note for "false"', (t) => {
  const on = loadConfig({ FLUX_REQUIRE_AUTH: 'false' });
  t.true(on.ok && on.config.requireAuth);
  t.true(on.ok && on.notes.some((note) => note.includes('JOBGATE_REQUIRE_AUTH=false')));
  const off = loadConfig({ FLUX_REQUIRE_AUTH: 'true', JOBGATE_REQUIRE_AUTH: 'false' });
  t.true(off.ok && !off.config.requireAuth);
  t.true(loadConfig({}).ok && !(loadConfig({}) as { config: { requireAuth: boolean } }).config.requireAuth);
});

test('auto picks flux inside a Flux instance, slurm inside an allocation, else local', (t) => {
  const pick = (env: Record<string, string>): string => {
    const result = loadConfig(env);
    return result.ok ? result.config.executor : 'error';
  };
  t.is(pick({ FLUX_URI: 'local:///run/flux/local' }), 'flux');
  t.is(pick({ SLURM_JOB_ID: '12' }), 'slurm');
  t.is(pick({}), 'local');
  t.is(pick({ JOBGATE_EXECUTOR: 'local', FLUX_URI: 'x' }), 'local');
});

test('FLUX_OPTION_FLAGS and FLUX_NUMBER_NODES as in flux-restful-api', (t) => {
  const result = loadConfig({ FLUX_OPTION_FLAGS: '-ompi=openmpi@5 -okey=value', FLUX_NUMBER_NODES: '4' });
  t.true(result.ok);
  if (!result.ok) return;
  t.deepEqual(result.config.defaultOptionFlags, { mpi: 'openmpi@5', key: 'value' });
  t.is(result.config.maxNodes, 4);
});

test('loopback addresses', (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) t.true(isLoopback(host), host);
  for (const host of ['0.0.0.0', '10.0.0.1', '::', 'example.org']) t.false(isLoopback(host), host);
});

test('refuses to listen beyond loopback without auth unless told to', async (t) => {
  const loaded = loadConfig({}, { host: '0.0.0.0', port: '0', dataDir: makeTempDir(), logLevel: 'silent' });
  t.true(loaded.ok);
  if (!loaded.ok) return;
  await t.throwsAsync(startServer({ config: loaded.config, logger: createLogger('silent') }), { instanceOf: StartupError, message: /--allow-unauthenticated/ });
});
