/** Ending jobs early on a real Slurm: cancel (running and pending), jobgate's and Slurm's time limits. */
import test from 'ava';
import { submitJob, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { detail, mode, slurm, startSlurmServer, waitForState } from './helpers.js';

let server: TestServer;

test.before(async () => {
  server = await startSlurmServer();
});

test.after.always(async () => {
  await server.close();
});

test(`${mode}: canceling a running job ends it in Slurm; a second cancel is refused`, async (t) => {
  const id = await submitJob(server, { command: 'sleep 300' });
  const running = await waitForState(server, id, 'RUN');
  const response = await server.request.post(`/v1/jobs/${id}/cancel`);
  t.is(response.status, 200);
  t.regex(response.body.Message as string, /requested to cancel/);
  const job = await waitForJobEnd(server, id, 30_000);
  t.like(job, { result: 'CANCELED', success: false });
  t.like(job.exception as object, { occurred: true, type: 'cancel', severity: 0 });
  const again = await server.request.post(`/v1/jobs/${id}/cancel`);
  t.true(again.status >= 400 && again.status < 500);
  t.regex(again.body.Message as string, /cannot be cancelled/);
  if (mode === 'batch') {
    t.is(await slurm('squeue', ['-h', '-t', 'all', '-j', String(running.slurm_id), '-o', '%T']), 'CANCELLED');
  } else {
    // The step is gone from the allocation.
    t.is(await slurm('squeue', ['-h', '-s', '-o', '%i']).then((steps) => steps.split('\n').includes(String(job.slurm_id))), false);
  }
});

test(`${mode}: canceling jobs that have not started: CANCELED with returncode -128`, async (t) => {
  // urgency 0 holds a job (in Slurm with sbatch --hold; in jobgate's queue for steps).
  const held = await submitJob(server, { command: 'true', urgency: 0 });
  const waiting = [held];
  let blocker: string | null = null;
  if (mode === 'batch') {
    t.is(await slurm('squeue', ['-h', '-j', String((await detail(server, held)).slurm_id), '-o', '%r']), 'JobHeldUser');
  } else {
    // An exclusive step needs every CPU of the allocation: it waits while this test's own step runs.
    blocker = await submitJob(server, { command: 'sleep 300' });
    await waitForState(server, blocker, 'RUN');
    waiting.push(await submitJob(server, { command: 'true', exclusive: true }));
  }
  for (const id of waiting) {
    t.is((await detail(server, id)).state, 'SCHED');
    t.is((await server.request.post(`/v1/jobs/${id}/cancel`)).status, 200);
    const job = await waitForJobEnd(server, id, 30_000);
    t.like(job, { result: 'CANCELED', returncode: -128 });
    t.is(job.t_run, undefined, 'it never ran');
  }
  if (blocker !== null) {
    await server.request.post(`/v1/jobs/${blocker}/cancel`);
    t.is((await waitForJobEnd(server, blocker, 30_000)).result, 'CANCELED');
  }
});

test(`${mode}: a job that waits for CPUs starts once they are free`, async (t) => {
  // Two jobs that each need more than half the CPUs of the allocation (steps) or of the node
  // (batch jobs, 8 CPUs) cannot run together: the second starts after the first.
  const total = mode === 'step' ? Number.parseInt(process.env.SLURM_JOB_CPUS_PER_NODE ?? '1', 10) : 8;
  const cpus = Math.floor(total / 2) + 1;
  const first = await submitJob(server, { command: 'sleep 1', cores_per_task: cpus });
  const second = await submitJob(server, { command: 'true', cores_per_task: cpus });
  const [a, b] = [await waitForJobEnd(server, first, 120_000), await waitForJobEnd(server, second, 120_000)];
  t.is(a.result, 'COMPLETED');
  t.is(b.result, 'COMPLETED');
  t.true((b.t_run as number) >= (a.t_cleanup as number), 'the second ran after the first');
});

test(`${mode}: a runtime of seconds is kept by jobgate: TIMEOUT`, async (t) => {
  const id = await submitJob(server, { command: 'sleep 300', runtime: 3 });
  const job = await waitForJobEnd(server, id, 60_000);
  t.is(job.result, 'TIMEOUT');
  t.like(job.exception as object, { type: 'timeout', severity: 0, note: 'runtime limit of 3s reached' });
  t.is(job.duration, 3);
});

test(`${mode}: a runtime of whole minutes is kept by Slurm: TIMEOUT from Slurm's own limit`, async (t) => {
  // Slurm checks time limits about every 30 s, so this ends 60-90 s after the start.
  t.timeout(200_000);
  const id = await submitJob(server, { command: 'sh -c "echo started; sleep 300"', runtime: 60 });
  const job = await waitForJobEnd(server, id, 180_000);
  t.is(job.result, 'TIMEOUT');
  t.like(job.exception as object, { type: 'timeout', severity: 0, note: 'Slurm time limit of 1 min reached' });
  const response = await server.request.get(`/v1/jobs/${id}/output`).query({ format: 'raw' });
  t.regex(response.text ?? (response.body as Buffer).toString(), /started\n[\s\S]*CANCELLED AT .* DUE TO TIME LIMIT/);
});
