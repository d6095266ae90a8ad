/**
 * Nothing accepted is lost across a restart or a crash: running tasks are re-attached, tasks
 * that ended while jobgate was down are collected with their real exit status, queued jobs run.
 */
import fs from 'node:fs';
import test from 'ava';
import { execa } from 'execa';
import { makeTempDir, startTestServer, submitJob, waitFor, waitForJobEnd } from './helpers/test-server.js';
import { startChildServer, type ChildServer } from './helpers/child-server.js';

async function waitForState(server: Pick<ChildServer, 'request'>, id: string, state: string): Promise<void> {
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${id}`)).body.state === state ? true : undefined), 15000, `${id} ${state}`);
}

test.serial('a graceful restart leaves tasks running and picks them up again', async (t) => {
  const dataDir = makeTempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const first = await startTestServer({ dataDir, flags: { cores: '1' } });
  const running = await submitJob(first, { command: 'sh -c "echo before; sleep 1.5; echo after"' });
  const queued = await submitJob(first, { command: 'echo queued' });
  await waitForState(first, running, 'RUN');
  await first.stop('leave-jobs', 'test restart');

  const second = await startTestServer({ dataDir, flags: { cores: '1' } });
  t.teardown(() => second.close());
  t.is((await second.request.get(`/v1/jobs/${running}`)).body.state, 'RUN');
  t.like(await waitForJobEnd(second, running), { result: 'COMPLETED', returncode: 0 });
  t.deepEqual((await second.request.get(`/v1/jobs/${running}/output`)).body.Output, ['before\n', 'after\n']);
  t.like(await waitForJobEnd(second, queued), { result: 'COMPLETED' });
  t.deepEqual((await second.request.get(`/v1/jobs/${queued}/output`)).body.Output, ['queued\n']);
});

test.serial('after SIGKILL of the service: tasks that ended meanwhile keep their exit code, live ones are re-attached, lost ones explained', async (t) => {
  const dataDir = makeTempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const child = await startChildServer(dataDir);
  const quick = await submitJob(child, { command: 'sh -c "sleep 0.5; echo bye; exit 4"' });
  const long = await submitJob(child, { command: 'sh -c "sleep 30; echo never"', job_name: 'long' });
  const doomed = await submitJob(child, { command: 'sleep 31' });
  await waitForState(child, doomed, 'RUN');
  await waitForState(child, long, 'RUN');
  child.process.kill('SIGKILL');
  await child.process;
  // While jobgate is down the quick job ends on its own, and the doomed job's wrapper is
  // killed outright, so no exit status is ever recorded for it.
  await execa('pkill', ['-KILL', '-f', 'jobgate-task .* sleep 31'], { reject: false });
  await new Promise((resolve) => setTimeout(resolve, 1200));

  const restarted = await startChildServer(dataDir);
  t.like(await waitForJobEnd(restarted, quick), { result: 'FAILED', returncode: 4 });
  t.deepEqual((await restarted.request.get(`/v1/jobs/${quick}/output`)).body.Output, ['bye\n']);
  const doomedJob = await waitForJobEnd(restarted, doomed);
  t.is(doomedJob.result, 'FAILED');
  t.like(doomedJob.exception, { type: 'lost', occurred: true });

  t.is((await restarted.request.get(`/v1/jobs/${long}`)).body.state, 'RUN');
  t.is((await restarted.request.post(`/v1/jobs/${long}/cancel`)).status, 200);
  t.like(await waitForJobEnd(restarted, long), { result: 'CANCELED', returncode: 143 });
  t.is((await restarted.request.post('/v1/service/stop')).status, 200);
  t.is((await restarted.process).exitCode, 0);
});
