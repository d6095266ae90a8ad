/** Submitting to a real Slurm through jobgate: environment, directory, tasks, limits, output, exit codes, nodes. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { makeTempDir, submitJob, waitFor, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { followOutput, mode, outputOf, slurm, startSlurmServer, waitForState } from './helpers.js';

let server: TestServer;
let workdir: string;

test.before(async () => {
  workdir = makeTempDir('jobgate-slurm-work-');
  // A secret in jobgate's own environment must never reach a job; FLUX_NUMBER_NODES lets
  // multi-node requests through to Slurm, which answers them.
  server = await startSlurmServer({ env: { JOBGATE_TEST_SECRET: 'do-not-leak', FLUX_NUMBER_NODES: '8' } });
});

test.after.always(async () => {
  await server.close();
  fs.rmSync(workdir, { recursive: true, force: true });
});

test(`${mode}: env, working directory, tasks and a time limit reach the tasks`, async (t) => {
  const id = await submitJob(server, {
    command: 'sh -c \'echo "$GREETING pwd=$(pwd) rank=$SLURM_PROCID of $SLURM_NTASKS custom=$SLURM_CUSTOM secret=${JOBGATE_TEST_SECRET:-none}"\'',
    num_tasks: 2,
    workdir,
    runtime: 120,
    job_name: 'env-check',
  }, { GREETING: 'hello there', SLURM_CUSTOM: 'kept, with a comma' });
  const job = await waitForJobEnd(server, id, 60_000);
  t.is(job.result, 'COMPLETED');
  t.is(job.returncode, 0);
  t.is(job.ntasks, 2);
  t.is(job.ncores, 2);
  t.is(job.duration, 120);
  t.is(job.name, 'env-check');
  t.is(job.nodelist, 'localhost');
  t.is(job.expiration, (job.t_run as number) + 120);
  const lines = (await outputOf(server, id, 'stdout')).trim().split('\n').sort();
  t.deepEqual(lines, [0, 1].map((rank) => `hello there pwd=${workdir} rank=${rank} of 2 custom=kept, with a comma secret=none`));
  const slurmId = String(job.slurm_id);
  t.regex(slurmId, mode === 'step' ? /^\d+\.\d+$/ : /^\d+$/);
  if (mode === 'batch') {
    // Slurm holds the job with the same name, directory and a 2-minute limit.
    t.is(await slurm('squeue', ['-h', '-t', 'all', '-j', slurmId, '-o', '%j|%Z|%l|%T']), `env-check|${workdir}|2:00|COMPLETED`);
  }
});

test(`${mode}: output is seen live while the job runs, stdout and stderr apart`, async (t) => {
  const go = path.join(workdir, `go-${process.pid}-live`);
  const id = await submitJob(server, {
    command: 'sh -c \'echo first; echo first-err >&2; while [ ! -e "$GO" ]; do sleep 0.1; done; echo second\'',
  }, { GO: go });
  const follower = followOutput(server, id);
  t.teardown(follower.close);
  const deadline = Date.now() + 30_000;
  while (!follower.text().includes('first\n') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.true(follower.text().includes('first\n'), 'the first line arrives while the job runs');
  // The job cannot end before the test lets it, so it is seen running, with only its first lines.
  await waitForState(server, id, 'RUN');
  t.false(follower.text().includes('second'));
  t.is(await outputOf(server, id, 'stderr'), 'first-err\n');
  t.is(await outputOf(server, id, 'stdout'), 'first\n');
  fs.writeFileSync(go, '');
  const job = await waitForJobEnd(server, id, 30_000);
  t.is(job.result, 'COMPLETED');
  const all = await follower.done;
  t.true(all.endsWith('second\n'), 'the stream ends with the last line');
  t.is(await outputOf(server, id, 'stdout'), 'first\nsecond\n');
});

test(`${mode}: a failing exit code is the job's return code`, async (t) => {
  const id = await submitJob(server, { command: 'sh -c "echo oops >&2; exit 3"' });
  const job = await waitForJobEnd(server, id, 30_000);
  t.like(job, { result: 'FAILED', returncode: 3, waitstatus: 3 << 8, success: false });
  // srun may write its own "task 0: Exited with exit code 3" before the task's line.
  t.true((await outputOf(server, id, 'stderr')).split('\n').includes('oops'));
});

test(`${mode}: a task killed by a signal returns 128+N`, async (t) => {
  const id = await submitJob(server, { command: 'sh -c "kill -9 $$"' });
  const job = await waitForJobEnd(server, id, 30_000);
  t.like(job, { result: 'FAILED', returncode: 137 });
});

test(`${mode}: a command that does not exist fails with 127, as under Flux`, async (t) => {
  const id = await submitJob(server, { command: 'jobgate-no-such-program --flag' });
  const job = await waitForJobEnd(server, id, 30_000);
  t.like(job, { result: 'FAILED', returncode: 127 });
  t.regex(await outputOf(server, id, 'stderr'), /jobgate-no-such-program.*No such file or directory/);
});

test(`${mode}: nodes are Slurm's, with their CPUs`, async (t) => {
  const response = await server.request.get('/v1/nodes').query({ details: 'true' });
  t.is(response.status, 200);
  t.deepEqual(response.body.nodes, ['localhost']);
  const cpus = mode === 'step' ? Number.parseInt(process.env.SLURM_JOB_CPUS_PER_NODE ?? '0', 10) : 8;
  t.like(response.body.details[0], { name: 'localhost', cores: cpus });
});

test(`${mode}: a running job shows on its node`, async (t) => {
  const go = path.join(workdir, `go-${process.pid}-node`);
  const id = await submitJob(server, { command: 'sh -c \'while [ ! -e "$GO" ]; do sleep 0.1; done\'', cores_per_task: 2 }, { GO: go });
  t.teardown(() => fs.writeFileSync(go, ''));
  await waitForState(server, id, 'RUN');
  const response = await server.request.get('/v1/nodes').query({ details: 'true' });
  const node = response.body.details[0] as { jobs: number[]; cores_busy: number };
  t.true(node.jobs.map(String).includes(id));
  t.true(node.cores_busy >= 2);
  fs.writeFileSync(go, '');
  t.is((await waitForJobEnd(server, id, 30_000)).result, 'COMPLETED');
});

test(`${mode}: Slurm's refusals come back as 400 with its message`, async (t) => {
  // A jobgate of its own: with nothing else of its own running, each job goes to Slurm at once
  // (steps that have to wait for CPUs wait in jobgate, and fail later if Slurm refuses them).
  const fresh = await startSlurmServer({ env: { FLUX_NUMBER_NODES: '8' } });
  t.teardown(() => fresh.close());
  const refused = async (params: Record<string, string | number>): Promise<string> => {
    const response = await fresh.request.post('/v1/jobs/submit').query({ command: 'true', ...params });
    t.is(response.status, 400, JSON.stringify(params));
    return String((response.body.Errors as string[])[0]);
  };
  t.regex(await refused({ gpus_per_task: 1 }), /Invalid generic resource \(gres\) specification/);
  if (mode === 'batch') {
    t.regex(await refused({ queue: 'nope' }), /invalid partition specified: nope/);
    t.regex(await refused({ num_nodes: 3, num_tasks: 3 }), /Node count specification invalid/);
    t.regex(await refused({ queue: 'short', runtime: 600 }), /Requested time limit is invalid/);
    t.regex(await refused({ num_tasks: 20 }), /More processors requested than permitted/);
  } else {
    t.regex(await refused({ queue: 'nope' }), /job steps run in the partition of allocation \d+ \(debug\), not nope/);
    t.regex(await refused({ num_nodes: 3, num_tasks: 3 }), /allocation \d+ has 1 node\(s\)/);
    t.regex(await refused({ runtime: 7 * 24 * 3600 }), /longer than what is left of allocation/);
    t.regex(await refused({ num_tasks: 64 }), /64 CPUs requested; allocation \d+ has \d+/);
  }
  const list = await fresh.request.get('/v1/jobs');
  t.deepEqual(list.body.jobs, [], 'refused jobs leave nothing behind');
});

test(`${mode}: inside an allocation that has ended, submits get 503 and leave nothing behind`, async (t) => {
  const ended = await slurm('sbatch', ['--parsable', '-o', '/dev/null', '--wrap', 'true']);
  await waitFor(async () => ((await slurm('squeue', ['-h', '-t', 'all', '-j', ended, '-o', '%T'])) === 'COMPLETED' ? true : undefined), 30_000, 'the allocation to end');
  const orphan = await startSlurmServer({ env: { SLURM_JOB_ID: ended, SLURM_JOB_NODELIST: 'localhost', SLURM_JOB_CPUS_PER_NODE: '1' } });
  t.teardown(() => orphan.close());
  const response = await orphan.request.post('/v1/jobs/submit').query({ command: 'true' });
  t.is(response.status, 503);
  t.deepEqual((await orphan.request.get('/v1/jobs')).body.jobs, []);
});

test(`${mode}: a workdir that does not exist is refused before Slurm would fall back to /tmp`, async (t) => {
  const response = await server.request.post('/v1/jobs/submit').query({ command: 'pwd', workdir: '/nonexistent/jobgate' });
  t.is(response.status, 400);
  t.regex(JSON.stringify(response.body), /No such directory: \/nonexistent\/jobgate/);
});
