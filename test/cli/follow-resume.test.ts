/**
 * `--follow` across a dropped connection: a proxy between the CLI and jobgate resets the TCP
 * connection in the middle of an output event; the CLI reconnects with Last-Event-ID and the
 * job's output arrives whole — no line lost, none repeated.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { cliEnv } from '../helpers/cli.js';
import { startCuttingProxy } from '../helpers/cutting-proxy.js';
import { makeTempDir, startTestServer, waitFor, type TestServer } from '../helpers/test-server.js';

const lines = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, index) => `line ${from + index}`);

test('submit --follow resumes after a reset mid-event: every line exactly once, then the job\'s exit code', async (t) => {
  const server = await startTestServer();
  const proxy = await startCuttingProxy(server.url);
  const cli = cliEnv({ JOBGATE_URL: proxy.url });
  const dir = makeTempDir();
  t.teardown(async () => {
    await proxy.close();
    await server.close();
    cli.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // Ten lines, a pause until the test says go (so the first events are surely delivered whole),
  // then twenty more, one at a time.
  const go = path.join(dir, 'go');
  const script = `for i in $(seq 1 10); do echo "line $i"; done; while [ ! -e ${go} ]; do sleep 0.02; done; for i in $(seq 11 30); do echo "line $i"; sleep 0.01; done; exit 5`;
  const running = cli.run(['submit', '--follow', 'sh', '-c', script]);

  await waitFor(() => (proxy.received().includes('line 10') ? true : undefined), 20000, 'the first ten lines to reach the CLI');
  const cut = proxy.cutAt('line 20');
  fs.writeFileSync(go, '');
  await cut;
  const run = await running;

  t.is(run.exitCode, 5);
  t.deepEqual(run.stdout.split('\n'), lines(1, 30));
  t.regex(run.stderr, /reconnecting to http:\/\/127\.0\.0\.1:\d+ \(attempt 1\)/);
  // The second stream asked to resume after what the first delivered whole (at least the first ten lines).
  const resumed = proxy.requests.join('').match(/last-event-id: (\d+)/i);
  t.truthy(resumed, 'the reconnection carries Last-Event-ID');
  t.true(Number(resumed?.[1]) >= `${lines(1, 10).join('\n')}\n`.length);
  t.true(Number(resumed?.[1]) < `${lines(1, 20).join('\n')}\n`.length);
});

test('output --follow gives up when jobgate stays gone longer than --reconnect (exit 5)', async (t) => {
  const server = await startTestServer();
  const cli = cliEnv({ JOBGATE_URL: server.url });
  t.teardown(() => cli.cleanup());
  const submitted = await cli.run(['submit', 'sleep', '5']);
  const following = cli.run(['output', '-f', '--reconnect', '1s', submitted.stdout]);
  await waitFor(async () => (/jobgate_output_followers 1/.test((await server.request.get('/metrics')).text) ? true : undefined), 20000, 'the follower to connect');
  // As on a signal: jobgate goes away, the job runs on (and the next start would pick it up).
  await server.stop('leave-jobs', 'test');
  await server.close();
  const run = await following;
  t.is(run.exitCode, 5);
  t.regex(run.stderr, /jobgate is stopping; reconnecting/);
  t.regex(run.stderr, /lost the connection to http:\/\/127\.0\.0\.1:\d+ and could not get it back/);
});

test('a follower rides through a jobgate restart: the job runs on and its output continues exactly', async (t) => {
  const dataDir = makeTempDir();
  const dir = makeTempDir();
  const first = await startTestServer({ dataDir });
  const port = new URL(first.url).port;
  const cli = cliEnv({ JOBGATE_URL: first.url });
  const restarted: TestServer[] = [];
  t.teardown(async () => {
    await first.close();
    await restarted[0]?.close();
    cli.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const go = path.join(dir, 'go');
  const script = `for i in $(seq 1 10); do echo "line $i"; done; while [ ! -e ${go} ]; do sleep 0.02; done; for i in $(seq 11 20); do echo "line $i"; done`;
  const submitted = await cli.run(['submit', 'sh', '-c', script]);
  const following = cli.run(['output', '--follow', '--reconnect', '30s', submitted.stdout]);
  await waitFor(async () => (/jobgate_output_followers 1/.test((await first.request.get('/metrics')).text) ? true : undefined), 20000, 'the follower to connect');

  // A restart (as on SIGTERM): running jobs are left running, and the next start re-attaches them.
  await first.stop('leave-jobs', 'restart');
  restarted.push(await startTestServer({ dataDir, flags: { port } }));
  fs.writeFileSync(go, '');
  const run = await following;

  t.is(run.exitCode, 0, run.stderr);
  t.deepEqual(run.stdout.split('\n'), lines(1, 20));
  t.regex(run.stderr, /jobgate is stopping; reconnecting/);
});
