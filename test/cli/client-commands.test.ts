/** The client commands of the real `bin/jobgate` against a real jobgate: what they print and the exit codes scripts rely on. */
import test from 'ava';
import { parseJsonLossless } from '../../src/lib/json.js';
import { decimal, useCliServer } from '../helpers/cli.js';
import { startTestServer, waitForJobEnd } from '../helpers/test-server.js';

// The tests run at once and one job holds a core for a while: enough cores that no job queues behind another.
const suite = useCliServer(test, { flags: { cores: '16' } });

test('submit passes the argv, env, tasks, cwd and time limit through, and prints the F58 id', async (t) => {
  const run = await suite.cli.run(['submit', '-n', '2', '-t', '1h', '--cwd', '/tmp', '--env', 'GREETING=hello world', '--env', 'FROM_HERE', '--name', 'greeter', 'sh', '-c', 'echo "$GREETING/$FROM_HERE/$FLUX_TASK_RANK"; pwd'], { env: { FROM_HERE: 'local value' } });
  t.is(run.exitCode, 0, run.stderr);
  t.regex(run.stdout, /^ƒ[1-9A-HJ-NP-Za-km-z]+$/);
  const id = decimal(run.stdout);
  const job = await waitForJobEnd(suite.server, id);
  t.is(job.name, 'greeter');
  t.is(job.ntasks, 2);
  t.is(job.duration, 3600);
  t.deepEqual(job.command, ['sh', '-c', 'echo "$GREETING/$FROM_HERE/$FLUX_TASK_RANK"; pwd']);
  const output = (await suite.server.request.get(`/v1/jobs/${id}/output`).query({ stream: 'stdout' })).body as { Output: string[] };
  t.deepEqual([...output.Output].sort(), ['/tmp\n', '/tmp\n', 'hello world/local value/0\n', 'hello world/local value/1\n']);
});

test('submit --json prints the exact id; options after the command belong to the command', async (t) => {
  const run = await suite.cli.run(['submit', '--json', 'echo', '-n', '--json']);
  t.is(run.exitCode, 0, run.stderr);
  const { id } = parseJsonLossless(run.stdout) as { id: number | bigint };
  await waitForJobEnd(suite.server, id.toString());
  const output = (await suite.server.request.get(`/v1/jobs/${id.toString()}/output`)).body as { Output: string[] };
  t.deepEqual(output.Output, ['--json']);
});

test('submit refuses what the server refuses, and bad options, with distinct exit codes', async (t) => {
  const refused = await suite.cli.run(['submit', '-n', '100000', 'true']);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /^jobgate: Invalid submit request/);
  const badTime = await suite.cli.run(['submit', '-t', 'soon', 'true']);
  t.is(badTime.exitCode, 2);
  t.regex(badTime.stderr, /time-limit/);
  const badEnv = await suite.cli.run(['submit', '--env', '1X=2', 'true']);
  t.is(badEnv.exitCode, 2);
  const noCommand = await suite.cli.run(['submit']);
  t.is(noCommand.exitCode, 2);
});

test('submit --follow streams stdout and stderr apart and exits with the job\'s return code', async (t) => {
  const run = await suite.cli.run(['submit', '--follow', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
  t.is(run.exitCode, 7);
  t.is(run.stdout, 'out');
  t.regex(run.stderr, /^ƒ\S+\nerr\njobgate: ƒ\S+ FAILED, return code 7$/);
  const ok = await suite.cli.run(['submit', '-f', 'echo', 'fine']);
  t.is(ok.exitCode, 0);
  t.is(ok.stdout, 'fine');
});

test('list and search show a table; --json gives the API\'s jobs; filters and paging work', async (t) => {
  const marker = `marker-${process.pid}`;
  const first = decimal((await suite.cli.run(['submit', 'echo', marker])).stdout);
  const second = decimal((await suite.cli.run(['submit', 'sh', '-c', `echo ${marker}; exit 3`])).stdout);
  await waitForJobEnd(suite.server, first);
  await waitForJobEnd(suite.server, second);

  const table = await suite.cli.run(['search', marker]);
  t.is(table.exitCode, 0, table.stderr);
  const lines = table.stdout.split('\n');
  t.regex(lines[0] ?? '', /^JOBID\s+OWNER\s+NAME\s+STATE\s+RC\s+TASKS\s+SUBMITTED\s+RUNTIME\s+TAGS$/);
  t.is(lines.length, 3);
  t.regex(lines[1] ?? '', /^ƒ\S+\s+\S+\s+sh\s+FAILED\s+3\s+1\s+\d+s ago/);
  t.regex(lines[2] ?? '', /^ƒ\S+\s+\S+\s+echo\s+COMPLETED\s+0\s+1\s/);
  t.notRegex(table.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');

  const json = await suite.cli.run(['search', marker, '--json']);
  const jobs = parseJsonLossless(json.stdout) as { id: number | bigint; result: string }[];
  t.deepEqual(jobs.map((job) => job.id.toString()), [second, first]);

  const failed = await suite.cli.run(['list', '--state', 'failed', '--json', '--all']);
  const failedIds = (parseJsonLossless(failed.stdout) as { id: number | bigint; result: string }[]).map((job) => job.id.toString());
  t.true(failedIds.includes(second));
  t.false(failedIds.includes(first));

  const one = await suite.cli.run(['list', '-l', '1', '--offset', '1', '--json']);
  t.is((parseJsonLossless(one.stdout) as unknown[]).length, 1);

  const bad = await suite.cli.run(['list', '--state', 'sleeping']);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /unknown SLEEPING/);
});

test('info shows a job; output prints what it wrote; unknown and invalid ids exit 4 and 2', async (t) => {
  const id = decimal((await suite.cli.run(['submit', '--name', 'both', 'sh', '-c', 'echo one; echo two >&2; echo three'])).stdout);
  await waitForJobEnd(suite.server, id);
  const info = await suite.cli.run(['info', id]);
  t.is(info.exitCode, 0, info.stderr);
  t.regex(info.stdout, /^id\s+ƒ\S+\s+\d+$/m);
  t.regex(info.stdout, /^name\s+both$/m);
  t.regex(info.stdout, /^state\s+INACTIVE\s+COMPLETED\s+return code 0$/m);
  t.regex(info.stdout, /^command\s+sh -c 'echo one; echo two >&2; echo three'$/m);
  const json = parseJsonLossless((await suite.cli.run(['info', id, '--json'])).stdout) as { id: number | bigint };
  t.is(json.id.toString(), id);

  const output = await suite.cli.run(['output', id]);
  t.is(output.exitCode, 0);
  t.is(output.stdout, 'one\nthree');
  t.is(output.stderr, 'two');
  const onlyErr = await suite.cli.run(['output', id, '--stream', 'stderr']);
  t.is(onlyErr.stdout, '');
  t.is(onlyErr.stderr, 'two');
  const tail = await suite.cli.run(['output', id, '--tail', '1', '--stream', 'stdout']);
  t.is(tail.stdout, 'three');

  const unknown = await suite.cli.run(['info', '123']);
  t.is(unknown.exitCode, 4);
  t.regex(unknown.stderr, /^jobgate: /);
  t.is((await suite.cli.run(['output', 'not-an-id'])).exitCode, 2);
});

test('output follows a running job to its end and takes the job\'s exit code', async (t) => {
  const id = decimal((await suite.cli.run(['submit', 'sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.1; done; exit 4'])).stdout);
  const run = await suite.cli.run(['output', '--follow', id]);
  t.is(run.exitCode, 4);
  t.is(run.stdout, 'tick 1\ntick 2\ntick 3');
});

test('cancel asks for every job given; one already ended makes it exit 1', async (t) => {
  const sleeping = decimal((await suite.cli.run(['submit', 'sleep', '60'])).stdout);
  const done = decimal((await suite.cli.run(['submit', 'true'])).stdout);
  await waitForJobEnd(suite.server, done);
  const run = await suite.cli.run(['cancel', sleeping, done, '--reason', 'tested']);
  t.is(run.exitCode, 1);
  t.regex(run.stdout, /^ƒ\S+ cancel requested$/);
  t.regex(run.stderr, /cannot be cancelled/);
  const job = await waitForJobEnd(suite.server, sleeping);
  t.is(job.result, 'CANCELED');
  t.is((job.exception as { note: string }).note, 'tested');
  t.is((await suite.cli.run(['cancel', '123'])).exitCode, 4);
});

test('nodes lists cores and GPUs', async (t) => {
  const run = await suite.cli.run(['nodes']);
  t.is(run.exitCode, 0, run.stderr);
  t.regex(run.stdout, /^NODE\s+STATE\s+FREE CORES\s+FREE GPUS\s+JOBS\n\S+\s+up\s+\d+\/\d+\s+\d+\/\d+\s+\d+$/);
  const json = parseJsonLossless((await suite.cli.run(['nodes', '--json'])).stdout) as { nodes: string[]; details: unknown[] };
  t.is(json.nodes.length, 1);
  t.is(json.details.length, 1);
});

test('the server comes from --url, JOBGATE_URL or FLUX_RESTFUL_HOST; none reachable exits 5', async (t) => {
  const viaFlux = await suite.cli.run(['nodes'], { env: { JOBGATE_URL: '', FLUX_RESTFUL_HOST: suite.server.url } });
  t.is(viaFlux.exitCode, 0, viaFlux.stderr);
  const flagWins = await suite.cli.run(['nodes', '--url', 'http://127.0.0.1:9'], { env: { FLUX_RESTFUL_HOST: suite.server.url } });
  t.is(flagWins.exitCode, 5);
  t.regex(flagWins.stderr, /cannot reach jobgate at http:\/\/127\.0\.0\.1:9/);
  const noScheme = await suite.cli.run(['nodes', '--url', suite.server.url.replace('http://', '')]);
  t.is(noScheme.exitCode, 0, noScheme.stderr);
});

test('colour only when asked for: FORCE_COLOR paints states, NO_COLOR wins over a terminal', async (t) => {
  const id = decimal((await suite.cli.run(['submit', 'false'])).stdout);
  await waitForJobEnd(suite.server, id);
  const forced = await suite.cli.run(['info', id], { env: { FORCE_COLOR: '1' } });
  t.regex(forced.stdout, /\u001b\[31mFAILED\u001b\[39m/);
  const plain = await suite.cli.run(['info', id, '--no-color'], { env: { FORCE_COLOR: '1' } });
  t.notRegex(plain.stdout, /\u001b\[/);
});

test('stop needs a confirmation; with --yes the service ends', async (t) => {
  const own = await startTestServer();
  t.teardown(() => own.close());
  const unconfirmed = await suite.cli.run(['stop', '--url', own.url]);
  t.is(unconfirmed.exitCode, 2);
  t.regex(unconfirmed.stderr, /--yes/);
  const stopped = await suite.cli.run(['stop', '--yes', '--url', own.url]);
  t.is(stopped.exitCode, 0, stopped.stderr);
  t.regex(stopped.stdout, /Service stopping/);
  t.regex(await own.stopped, /^service\/stop by /);
});

test('a reader that stops early (| head) ends the command quietly with status 0', async (t) => {
  // ~1.3 MB of output: far more than a pipe holds, so jobgate is still writing when head has gone.
  const submitted = await suite.cli.run(['submit', 'seq', '1', '200000']);
  t.is(submitted.exitCode, 0, submitted.stderr);
  await waitForJobEnd(suite.server, decimal(submitted.stdout));
  const { execa } = await import('execa');
  const { JOBGATE_BIN } = await import('../helpers/child-server.js');
  // pipefail makes the pipeline's status jobgate's own.
  const piped = await execa('bash', ['-c', `set -o pipefail; node "${JOBGATE_BIN}" output ${submitted.stdout.trim()} | head -c 1 > /dev/null`], { env: suite.cli.env, reject: false });
  t.notRegex(piped.stderr, /EPIPE|Error/);
  t.is(piped.exitCode, 0);
});
