/** /health, /ready, /metrics and /docs: what they answer, to whom, and what the metrics count. */
import test from 'ava';
import { LocalExecutor } from '../src/executors/local/local-executor.js';
import { isLoopbackAddress } from '../src/http/api/ops-routes.js';
import { bearer, fetchToken, startAuthServer } from './helpers/auth.js';
import { openSse } from './helpers/sse.js';
import { startTestServer, submitJob, waitFor, waitForJobEnd } from './helpers/test-server.js';

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('/health answers without touching the backend; /ready asks it', async (t) => {
  class DownExecutor extends LocalExecutor {
    asked = 0;
    override async ready(): Promise<boolean> {
      this.asked += 1;
      return false;
    }
  }
  const executor = new DownExecutor({ cores: 1, gpus: 0, killGraceSeconds: 1 });
  const server = await startTestServer({ overrides: { executor } });
  t.teardown(() => server.close());

  const health = await server.request.get('/health');
  t.is(health.status, 200);
  t.is(health.body.status, 'ok');
  t.is(typeof health.body.version, 'string');
  t.is(executor.asked, 0);

  const ready = await server.request.get('/ready');
  t.is(ready.status, 503);
  t.deepEqual(ready.body, { status: 'unavailable', executor: 'local' });
  t.is(ready.headers['retry-after'], '5');
  t.is(executor.asked, 1);
});

test('/ready is 200 while the backend answers, and 503 once jobgate is stopping', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  t.deepEqual((await server.request.get('/ready')).body, { status: 'ready', executor: 'local' });
  // The executor stops first; the listening socket closes after: in between, not ready.
  await server.jobs.stop('leave-jobs');
  t.is((await server.request.get('/ready')).status, 503);
  t.is((await server.request.get('/health')).status, 200);
});

test('/metrics counts jobs by state, submits, their latency, results, output bytes, followers and requests by route', async (t) => {
  const server = await startTestServer({ flags: { cores: '8' } });
  t.teardown(() => server.close());
  const ok = await submitJob(server, { command: 'printf 12345' });
  const failed = await submitJob(server, { command: 'sh -c "printf ab >&2; exit 2"' });
  const sleeping = await submitJob(server, { command: 'sleep 30' });
  t.is((await server.request.post('/v1/jobs/submit').query({ command: 'true', num_tasks: 100000 })).status, 400);
  await waitForJobEnd(server, ok);
  await waitForJobEnd(server, failed);
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${sleeping}`)).body.state === 'RUN' ? true : undefined));
  const follower = await openSse(`${server.url}/v1/jobs/${sleeping}/output/events`);
  t.teardown(() => follower.close());
  await follower.waitFor((event) => event.event === 'state');

  const answer = await server.request.get('/metrics');
  t.is(answer.status, 200);
  t.regex(answer.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
  const text = answer.text;
  t.is(sample(text, 'jobgate_jobs{state="INACTIVE"}'), 2);
  t.is(sample(text, 'jobgate_jobs{state="RUN"}'), 1);
  t.is(sample(text, 'jobgate_jobs{state="SCHED"}'), 0);
  t.is(sample(text, 'jobgate_job_submits_total{outcome="accepted"}'), 3);
  t.is(sample(text, 'jobgate_job_submits_total{outcome="rejected"}'), 1);
  t.is(sample(text, 'jobgate_job_submit_duration_seconds_count'), 3);
  t.true((sample(text, 'jobgate_job_submit_duration_seconds_sum') ?? 0) > 0);
  t.is(sample(text, 'jobgate_jobs_ended_total{result="COMPLETED"}'), 1);
  t.is(sample(text, 'jobgate_jobs_ended_total{result="FAILED"}'), 1);
  t.is(sample(text, 'jobgate_jobs_ended_total{result="CANCELED"}'), 0);
  t.is(sample(text, 'jobgate_output_bytes_total{stream="stdout"}'), 5);
  t.is(sample(text, 'jobgate_output_bytes_total{stream="stderr"}'), 2);
  t.is(sample(text, 'jobgate_output_followers'), 1);
  t.is(sample(text, 'jobgate_backend_up'), 1);
  t.regex(text, /^jobgate_info\{version="[^"]+",executor="local"\} 1$/m);
  t.true((sample(text, 'jobgate_http_request_duration_seconds_count{method="GET",route="/v1/jobs/:jobid",status="200"}') ?? 0) >= 1);
  t.is(sample(text, 'jobgate_http_request_duration_seconds_count{method="POST",route="/v1/jobs/submit",status="400"}'), 1);
  t.regex(text, /^process_resident_memory_bytes \d+/m);
  // No label names a job, a command or a user.
  for (const leak of [ok, failed, sleeping, 'printf', 'sleep', server.config.superuser?.name ?? process.env.USER ?? 'root']) {
    t.false(new RegExp(`="[^"]*${leak}[^"]*"`).test(text), `a label contains ${leak}`);
  }

  follower.close();
  await waitFor(async () => (sample((await server.request.get('/metrics')).text, 'jobgate_output_followers') === 0 ? true : undefined));
  t.pass();
});

test('metrics access: loopback callers by default, superusers only, or off', async (t) => {
  const loopback = await startAuthServer();
  t.teardown(() => loopback.close());
  t.is((await loopback.request.get('/metrics')).status, 200, 'a local Prometheus needs no token');

  const superuserOnly = await startAuthServer({ JOBGATE_METRICS: 'superuser' });
  t.teardown(() => superuserOnly.close());
  t.is((await superuserOnly.request.get('/metrics')).status, 401);
  const token = await fetchToken(superuserOnly);
  t.is((await superuserOnly.request.get('/metrics').set(bearer(token))).status, 200);

  const off = await startTestServer({ flags: { metrics: 'off' } });
  t.teardown(() => off.close());
  t.is((await off.request.get('/metrics')).status, 404);
  t.false(JSON.stringify((await off.request.get('/openapi.json')).body).includes('"/metrics"'));
});

test('loopback peers are 127.0.0.0/8 and ::1, also mapped into IPv6', (t) => {
  for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
    t.true(isLoopbackAddress(address), address);
  }
  for (const address of ['10.0.0.1', '::ffff:10.0.0.1', '192.168.1.1', 'fe80::1', '']) {
    t.false(isLoopbackAddress(address), address);
  }
});

test('/docs is served by jobgate itself under the same strict CSP: no inline script, no CDN', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const page = await server.request.get('/docs').set('Accept', 'text/html');
  t.is(page.status, 200);
  const csp = page.headers['content-security-policy'] ?? '';
  t.regex(csp, /script-src 'self'(;|$)/);
  t.regex(csp, /style-src 'self'(;|$)/);
  t.notRegex(csp, /unsafe/);
  const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  t.true(scripts.length >= 2);
  for (const [, attributes, body] of scripts) {
    t.regex(attributes ?? '', /src="\/(docs\/assets|static\/js)\//);
    t.is(body?.trim(), '');
  }
  t.notRegex(page.text, /https?:\/\//);
  for (const asset of ['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css', '/static/js/api-docs.js']) {
    const answer = await server.request.get(asset);
    t.is(answer.status, 200, asset);
  }
  t.is((await server.request.get('/docs/assets/index.html')).status, 404);
  t.is((await server.request.get('/docs/assets/..%2Fpackage.json')).status, 404);
});
