/** Structured logs: one access line per request, the request id on every line of a request, no secrets, and --log-level. */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import test from 'ava';
import { execa } from 'execa';
import { loadConfig } from '../src/config/load.js';
import { LocalExecutor } from '../src/executors/local/local-executor.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server.js';
import { addUser, startCapturingServer, AUTH_ENV } from './helpers/auth.js';
import { JOBGATE_BIN } from './helpers/child-server.js';
import { makeTempDir, waitFor } from './helpers/test-server.js';

type Line = Record<string, unknown>;

function lines(text: string): Line[] {
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Line);
}

test('every request gets one access line with its id, route and status; query strings, passwords and tokens stay out', async (t) => {
  const server = await startCapturingServer(AUTH_ENV);
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'a-password-to-hide');
  const login = await server.request.post('/v1/login/access-token').type('form').send({ username: 'alice', password: 'a-password-to-hide' }).set('X-Request-Id', 'login-1');
  const token = (login.body as { access_token: string }).access_token;
  const submitted = await server.request
    .post('/v1/jobs/submit')
    .query({ command: 'echo an-argument-to-hide', envars: '{"API_KEY": "a-value-to-hide"}' })
    .set('Authorization', `Bearer ${token}`)
    .set('X-Request-Id', 'submit-1');
  t.is(submitted.status, 200);
  t.is(submitted.headers['x-request-id'], 'submit-1');
  const id = /"id":(\d+)/.exec(submitted.text)?.[1] ?? '';
  await server.request.get(`/v1/jobs/${id}`).set('Authorization', `Bearer ${token}`).set('X-Request-Id', 'detail-1');

  const all = await waitFor(() => {
    const parsed = lines(server.logs());
    return parsed.some((line) => line.requestId === 'detail-1' && line.msg === 'request') ? parsed : undefined;
  });
  const access = all.filter((line) => line.msg === 'request');
  const submitLine = access.find((line) => line.requestId === 'submit-1');
  t.like(submitLine, { level: 30, method: 'POST', path: '/v1/jobs/submit', route: '/v1/jobs/submit', status: 200, user: 'alice', ip: '127.0.0.1' });
  t.is(typeof submitLine?.durationMs, 'number');
  t.like(access.find((line) => line.requestId === 'detail-1'), { route: '/v1/jobs/:jobid', path: `/v1/jobs/${id}`, status: 200 });
  t.like(access.find((line) => line.requestId === 'login-1'), { route: '/v1/login/access-token', status: 200 });
  t.is(access.filter((line) => line.requestId === 'submit-1').length, 1);

  const text = server.logs();
  for (const secret of ['a-password-to-hide', 'an-argument-to-hide', 'a-value-to-hide', token]) {
    t.false(text.includes(secret), `the log contains ${secret.slice(0, 12)}…`);
  }
});

test('an error logged while answering a request carries that request\'s id', async (t) => {
  class BrokenExecutor extends LocalExecutor {
    override async nodes(): Promise<never> {
      throw new Error('the backend fell over');
    }
  }
  const dataDir = makeTempDir();
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const loaded = loadConfig({ PATH: process.env.PATH }, { port: '0', host: '127.0.0.1', executor: 'local', dataDir });
  if (!loaded.ok) {
    throw new Error(loaded.problems.join('; '));
  }
  const server = await startServer({ config: loaded.config, logger: createLogger('info', sink), executor: new BrokenExecutor({ cores: 1, gpus: 0, killGraceSeconds: 1 }) });
  t.teardown(async () => {
    await server.stop('cancel-jobs', 'test');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const answer = await fetch(`${server.url}/v1/nodes`, { headers: { 'X-Request-Id': 'broken-1' } });
  t.true(answer.status >= 500);
  const mine = await waitFor(() => {
    const found = lines(text).filter((line) => line.requestId === 'broken-1');
    return found.length >= 2 ? found : undefined;
  });
  t.like(mine.find((line) => line.level === 50), { msg: 'request failed', path: '/v1/nodes' });
  t.like(mine.find((line) => line.msg === 'request'), { status: answer.status, route: '/v1/nodes' });
});

test('serve --log-level: probes are logged at debug, other requests at info', async (t) => {
  const run = async (level: string): Promise<Line[]> => {
    const dataDir = makeTempDir();
    const child = execa('node', [JOBGATE_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', level], { reject: false, env: { JOBGATE_KILL_GRACE: '1' } });
    t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    let stderr = '';
    let stdout = '';
    child.stdout?.on('data', (part: Buffer) => {
      stdout += part.toString();
    });
    const url = await new Promise<string>((resolve) => {
      child.stderr?.on('data', (part: Buffer) => {
        stderr += part.toString();
        const match = /jobgate (http:\/\/\S+)/.exec(stderr);
        if (match?.[1]) {
          resolve(match[1]);
        }
      });
    });
    await fetch(`${url}/health`, { headers: { 'X-Request-Id': `health-${level}` } });
    await fetch(`${url}/v1/jobs`, { headers: { 'X-Request-Id': `jobs-${level}` } });
    await waitFor(() => (stdout.includes(`jobs-${level}`) ? true : undefined));
    child.kill('SIGTERM');
    await child;
    return lines(stdout);
  };
  const debug = await run('debug');
  t.like(debug.find((line) => line.requestId === 'health-debug'), { level: 20, route: '/health' });
  t.like(debug.find((line) => line.requestId === 'jobs-debug'), { level: 30, route: '/v1/jobs' });
  const info = await run('info');
  t.is(info.find((line) => line.requestId === 'health-info'), undefined);
  t.like(info.find((line) => line.requestId === 'jobs-info'), { level: 30 });
  t.true(info.every((line) => typeof line.time === 'string' && line.service === 'jobgate'));
});
