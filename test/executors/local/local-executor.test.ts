/** The local executor with real processes: environment, cwd, tasks, limits, cancel, failures, queueing, terminals. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { makeTempDir, startTestServer, submitJob, waitFor, waitForJobEnd, type TestServer } from '../../helpers/test-server.js';

let server: TestServer;
test.before(async () => {
  // The server's own environment carries secrets that must never reach a job.
  server = await startTestServer({ env: { FLUX_SECRET_KEY: 'server-secret-key', FLUX_USER: 'admin', FLUX_TOKEN: 'server-token', JOBGATE_TOKEN_SIGNING_KEY: 'k'.repeat(40), SERVER_ONLY: 'x' } });
});
test.after.always(async () => {
  await server.close();
});

async function output(id: string, stream = 'all'): Promise<string> {
  return ((await server.request.get(`/v1/jobs/${id}/output`).query({ stream })).body.Output as string[] ?? []).join('');
}

test('a job gets a clean base environment plus its own variables, never the server\'s', async (t) => {
  const id = await submitJob(server, { command: 'env' }, { MINE: 'yes', PATH_EXTRA: '/opt' });
  t.is((await waitForJobEnd(server, id)).result, 'COMPLETED');
  const env = await output(id);
  t.regex(env, /^MINE=yes$/m);
  t.regex(env, /^PATH=/m);
  t.regex(env, /^JOBGATE_JOB_ID=\d+$/m);
  for (const secret of ['FLUX_SECRET_KEY', 'FLUX_TOKEN', 'JOBGATE_TOKEN_SIGNING_KEY', 'SERVER_ONLY', 'server-secret-key', 'server-token']) {
    t.false(env.includes(secret), secret);
  }
});

test('workdir is the job\'s working directory, and a missing one is a 400 naming it', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const id = await submitJob(server, { command: 'pwd', workdir: dir });
  await waitForJobEnd(server, id);
  t.is(await output(id), `${fs.realpathSync(dir)}\n`);
  const missing = await server.request.post('/v1/jobs/submit').query({ command: 'pwd', workdir: path.join(dir, 'nope') });
  t.is(missing.status, 400);
  t.is(missing.body.errors[0].field, 'workdir');
});

test('num_tasks starts that many processes, each told its rank', async (t) => {
  const id = await submitJob(server, { command: 'sh -c "echo rank=$JOBGATE_TASK_RANK flux=$FLUX_TASK_RANK of $JOBGATE_JOB_SIZE"', num_tasks: 2 });
  const job = await waitForJobEnd(server, id);
  t.is(job.ntasks, 2);
  t.is(job.ncores, 2);
  const lines = (await output(id)).trim().split('\n').sort();
  t.deepEqual(lines, ['rank=0 flux=0 of 2', 'rank=1 flux=1 of 2']);
});

test('stdout and stderr are kept apart and also combined in order', async (t) => {
  const id = await submitJob(server, { command: 'sh -c "echo out; sleep 0.2; echo err >&2; sleep 0.2; echo out2"' });
  await waitForJobEnd(server, id);
  t.is(await output(id, 'stdout'), 'out\nout2\n');
  t.is(await output(id, 'stderr'), 'err\n');
  t.is(await output(id, 'all'), 'out\nerr\nout2\n');
});

test('exit codes: a failing command is FAILED with its code; a killed one reports 128+signal', async (t) => {
  const failed = await waitForJobEnd(server, await submitJob(server, { command: 'sh -c "exit 3"' }));
  t.like(failed, { result: 'FAILED', returncode: 3, waitstatus: 768, success: false });
  const killed = await waitForJobEnd(server, await submitJob(server, { command: 'sh -c "kill -9 $$"' }));
  t.like(killed, { result: 'FAILED', returncode: 137 });
});

test('a command that cannot start: FAILED, 127, and an exec exception saying why', async (t) => {
  const job = await waitForJobEnd(server, await submitJob(server, { command: 'no-such-command-xyz --flag' }));
  t.like(job, { result: 'FAILED', returncode: 127, waitstatus: 127 << 8 });
  const exception = job.exception as Record<string, unknown>;
  t.is(exception.type, 'exec');
  t.regex(String(exception.note), /start failed: no-such-command-xyz: No such file or directory/);
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const plain = path.join(dir, 'not-a-program');
  fs.writeFileSync(plain, 'echo hi\n', { mode: 0o644 });
  const notExecutable = await waitForJobEnd(server, await submitJob(server, { command: plain }));
  t.like(notExecutable, { result: 'FAILED', returncode: 126 });
  t.regex(String((notExecutable.exception as Record<string, unknown>).note), /Permission denied/);
});

test('runtime: SIGTERM at the limit, result TIMEOUT', async (t) => {
  const id = await submitJob(server, { command: 'sleep 30', runtime: 1 });
  const job = await waitForJobEnd(server, id);
  t.like(job, { result: 'TIMEOUT', returncode: 143 });
  t.is((job.exception as Record<string, unknown>).type, 'timeout');
});

test('runtime: a task that ignores SIGTERM is killed after the grace period', async (t) => {
  const id = await submitJob(server, { command: 'sh -c "trap \\"\\" TERM; while true; do sleep 0.1; done"', runtime: 1 });
  const job = await waitForJobEnd(server, id, 30000);
  t.is(job.result, 'TIMEOUT');
  t.is(job.returncode, 137);
});

test('cancel a running job: CANCELED, 143, the note kept', async (t) => {
  const id = await submitJob(server, { command: 'sleep 30' });
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${id}`)).body.state === 'RUN' ? true : undefined));
  const response = await server.request.post(`/v1/jobs/${id}/cancel`).query({ reason: 'not needed' });
  t.is(response.status, 200);
  t.is(response.body.id, id);
  const job = await waitForJobEnd(server, id);
  t.like(job, { result: 'CANCELED', returncode: 143 });
  t.deepEqual(job.exception, { occurred: true, severity: 0, type: 'cancel', note: 'not needed' });
});

test('a terminal for jobs that ask for one (option pty)', async (t) => {
  const withPty = await submitJob(server, { command: 'sh -c "test -t 1 && echo tty || echo notty"', option_flags: 'pty=1' });
  const without = await submitJob(server, { command: 'sh -c "test -t 1 && echo tty || echo notty"' });
  await waitForJobEnd(server, withPty);
  await waitForJobEnd(server, without);
  t.is((await output(withPty)).trim(), 'tty');
  t.is((await output(without)).trim(), 'notty');
});

test('requests this machine cannot satisfy are 400s naming the field', async (t) => {
  const tooMany = await server.request.post('/v1/jobs/submit').query({ command: 'true', num_tasks: 100000 });
  t.is(tooMany.status, 400);
  t.is(tooMany.body.errors[0].field, 'num_tasks');
  const nodes = await server.request.post('/v1/jobs/submit').query({ command: 'true', num_nodes: 2 });
  t.is(nodes.status, 400);
  t.regex(nodes.body.Errors.join(' '), /only has 1 nodes, you requested 2/);
  const gpus = await server.request.post('/v1/jobs/submit').query({ command: 'true', gpus_per_task: 1 });
  t.is(gpus.status, 400);
  t.regex(gpus.body.Errors.join(' '), /gpus_per_task/);
});

test.serial('jobs wait in SCHED while their cores are busy and start in order', async (t) => {
  const small = await startTestServer({ flags: { cores: '1' } });
  t.teardown(() => small.close());
  const first = await submitJob(small, { command: 'sleep 1' });
  const second = await submitJob(small, { command: 'true' });
  const third = await submitJob(small, { command: 'true' });
  const state = async (id: string): Promise<string> => (await small.request.get(`/v1/jobs/${id}`)).body.state as string;
  await waitFor(async () => ((await state(first)) === 'RUN' ? true : undefined));
  t.is(await state(second), 'SCHED');
  t.is(await state(third), 'SCHED');
  const [a, b, c] = await Promise.all([waitForJobEnd(small, first), waitForJobEnd(small, second), waitForJobEnd(small, third)]);
  t.true(Number(b.t_run) >= Number(a.t_cleanup));
  t.true(Number(c.t_run) >= Number(b.t_run));
  const waiting = await submitJob(small, { command: 'sleep 30' });
  const queued = await submitJob(small, { command: 'true' });
  await waitFor(async () => ((await state(waiting)) === 'RUN' ? true : undefined));
  t.is((await small.request.post(`/v1/jobs/${queued}/cancel`)).status, 200);
  t.like(await waitForJobEnd(small, queued), { result: 'CANCELED', returncode: -128, t_run: undefined });
});

test.serial('an exclusive job takes every core', async (t) => {
  const small = await startTestServer({ flags: { cores: '2' } });
  t.teardown(() => small.close());
  const exclusive = await submitJob(small, { command: 'sleep 1', exclusive: true });
  const other = await submitJob(small, { command: 'true' });
  await waitFor(async () => ((await small.request.get(`/v1/jobs/${exclusive}`)).body.state === 'RUN' ? true : undefined));
  t.is((await small.request.get(`/v1/jobs/${exclusive}`)).body.ncores, 2);
  t.is((await small.request.get(`/v1/jobs/${other}`)).body.state, 'SCHED');
  await waitForJobEnd(small, other);
});
