/**
 * jobgate with the flux executor, over HTTP, against the test double: jobs run through the
 * real bridge (Python) in a simulated instance; states, results, return codes, exceptions and
 * output must come out as the recordings show them.
 */
import test from 'ava';
import { parseJobId, toDothex, toF58, toHex } from '../../../src/model/job-id.js';
import { submitJob, waitForJobEnd } from '../../helpers/test-server.js';
import { startFluxJobgate, outputBytes, waitForJob } from './flux-server.js';

test('a job runs in Flux: COMPLETED, its output, and where it ran', async (t) => {
  const { server, flux, close } = await startFluxJobgate();
  t.teardown(close);
  const id = await submitJob(server, { command: 'sh -c "echo hello $NAME"' }, { NAME: 'world' });
  const job = await waitForJobEnd(server, id);
  t.like(job, { state: 'INACTIVE', result: 'COMPLETED', returncode: 0, waitstatus: 0, success: true, executor: 'flux', ranks: '0', nodelist: 'vm', nnodes: 1, ncores: 1 });
  t.is(job.jobid, toF58(BigInt(id)));
  t.true(flux.instance.jobs.has(BigInt(id)), 'the id is the one Flux issued');
  const output = await server.request.get(`/v1/jobs/${id}/output`);
  t.deepEqual(output.body.Output, ['hello world\n']);
});

test('the jobspec: the job environment exactly (no server secrets), the user, unbuffered output', async (t) => {
  const { server, flux, close } = await startFluxJobgate({ env: { FLUX_SECRET_KEY: 'do-not-leak', SOME_SERVER_VAR: 'x' } });
  t.teardown(close);
  const id = await submitJob(server, { command: 'true', num_tasks: 2, cores_per_task: 1, workdir: '/tmp', job_name: 'named', option_flags: 'cpu-affinity=off' }, { FOO: 'bar' });
  await waitForJobEnd(server, id);
  const jobspec = flux.instance.jobs.get(BigInt(id))?.jobspec as { attributes: { system: Record<string, unknown> }; resources: unknown };
  const system = jobspec.attributes.system;
  // The clean base jobgate gives every job (PATH, HOME, LANG... of its own), plus the envars.
  t.deepEqual(system.environment, { PATH: flux.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', FOO: 'bar' });
  t.false(JSON.stringify(jobspec).includes('do-not-leak'));
  t.false(JSON.stringify(jobspec).includes('SOME_SERVER_VAR'));
  t.is(system.cwd, '/tmp');
  t.deepEqual(system.job, { name: 'named' });
  t.is(system.user, (await server.request.get(`/v1/jobs/${id}`)).body.owner);
  const options = (system.shell as { options: Record<string, unknown> }).options;
  t.like(options, { output: { stdout: { buffer: { type: 'none' } }, stderr: { buffer: { type: 'none' } }, 'batch-timeout': 0.05 }, 'cpu-affinity': 'off' });
  t.deepEqual(Object.keys(options.rlimit as object), ['cpu', 'fsize', 'data', 'stack', 'core', 'nofile', 'as', 'rss', 'nproc'], 'the limits flux submit propagates');
  t.deepEqual(jobspec.resources, [{ type: 'slot', count: 2, with: [{ type: 'core', count: 1 }], label: 'task' }]);
});

test('exit code 3: FAILED, stdout and stderr kept apart', async (t) => {
  const { server, close } = await startFluxJobgate();
  t.teardown(close);
  const id = await submitJob(server, { command: "sh -c 'echo out; echo err >&2; exit 3'" });
  t.like(await waitForJobEnd(server, id), { result: 'FAILED', returncode: 3, waitstatus: 768, exception: { occurred: false } });
  t.is((await outputBytes(server, id, 'stdout')).toString(), 'out\n');
  t.is((await outputBytes(server, id, 'stderr')).toString(), 'err\n');
});

test('a command that does not exist: FAILED 127, the exec exception, and the shell message on stderr', async (t) => {
  const { server, close } = await startFluxJobgate();
  t.teardown(close);
  const id = await submitJob(server, { command: 'no-such-command-xyz arg1' });
  const job = await waitForJobEnd(server, id);
  t.like(job, { result: 'FAILED', returncode: 127, waitstatus: 32512, exception: { occurred: true, type: 'exec', severity: 0, note: 'task 0 (host vm): start failed: no-such-command-xyz: No such file or directory' } });
  t.is((await outputBytes(server, id, 'stderr')).toString(), 'flux-shell[0]: FATAL: task 0 (host vm): start failed: no-such-command-xyz: No such file or directory\n');
});

test('cancel a running job: CANCELED 143; cancel again: the inactive error', async (t) => {
  const { server, close } = await startFluxJobgate();
  t.teardown(close);
  const id = await submitJob(server, { command: 'sleep 100' });
  await waitForJob(server, id, (job) => job.state === 'RUN', 'the job to run');
  const cancel = await server.request.post(`/v1/jobs/${id}/cancel`);
  t.is(cancel.status, 200);
  t.is(cancel.body.Message, 'Job is requested to cancel.');
  t.like(await waitForJobEnd(server, id), { result: 'CANCELED', returncode: 143, waitstatus: 36608, exception: { occurred: true, type: 'cancel', severity: 0 } });
  const again = await server.request.post(`/v1/jobs/${id}/cancel`);
  t.is(again.status, 400);
  t.is(again.body.Message, 'Job cannot be cancelled: job is inactive.');
});

test('a runtime limit: TIMEOUT 142 with Flux note', async (t) => {
  const { server, close } = await startFluxJobgate();
  t.teardown(close);
  const id = await submitJob(server, { command: 'sleep 10', runtime: 1 });
  const running = await waitForJob(server, id, (job) => job.state === 'RUN', 'the job to run');
  t.is(typeof running.expiration, 'number');
  t.like(await waitForJobEnd(server, id), { result: 'TIMEOUT', returncode: 142, waitstatus: 36352, exception: { type: 'timeout', note: 'resource allocation expired' } });
});

test('held (urgency 0), released by urgency; a held job canceled: CANCELED -128', async (t) => {
  const { server, close } = await startFluxJobgate();
  t.teardown(close);
  const actor = { name: 'root', superuser: true };
  const id = await submitJob(server, { command: 'echo released', urgency: 0 });
  const held = await waitForJob(server, id, (job) => job.state === 'SCHED', 'the job to wait');
  t.like(held, { urgency: 0, priority: 0 });
  await server.jobs.setUrgency(BigInt(id), actor, 16);
  t.like(await waitForJobEnd(server, id), { result: 'COMPLETED', urgency: 16, priority: 16 });
  t.deepEqual((await server.request.get(`/v1/jobs/${id}/output`)).body.Output, ['released\n']);

  const never = await submitJob(server, { command: 'echo never', urgency: 0 });
  await waitForJob(server, never, (job) => job.state === 'SCHED', 'the job to wait');
  t.is((await server.request.post(`/v1/jobs/${never}/cancel`)).status, 200);
  t.like(await waitForJobEnd(server, never), { result: 'CANCELED', returncode: -128, waitstatus: '', exception: { type: 'cancel' } });
  t.is((await server.request.get(`/v1/jobs/${never}/output`)).body.Message, 'The output does not exist yet, or the jobid is incorrect.');
});

test('more nodes than the instance has: accepted, then FAILED with the scheduler words', async (t) => {
  const { server, close } = await startFluxJobgate({ env: { FLUX_NUMBER_NODES: '5' } });
  t.teardown(close);
  const id = await submitJob(server, { command: 'true', num_nodes: 5 });
  t.like(await waitForJobEnd(server, id), { result: 'FAILED', returncode: 1, exception: { type: 'alloc', note: 'unsatisfiable request: need 5 exclusive node(s), only 1 eligible' } });
  const cores = await submitJob(server, { command: 'true', num_tasks: 64 });
  t.like(await waitForJobEnd(server, cores), { result: 'FAILED', exception: { note: 'unsatisfiable request: need 64 slot(s) of 1 core(s), only 2 such slot(s) available (total cores: 2)' } });
  const exclusive = await server.request.post('/v1/jobs/submit').query({ command: 'true', exclusive: true });
  t.is(exclusive.status, 400);
  t.deepEqual(exclusive.body.Errors, ['exclusive can only be set with a node count']);
});

test('output byte for byte: emoji, binary with NUL (base64 in Flux), no final newline, CR/LF', async (t) => {
  const { server, close } = await startFluxJobgate();
  t.teardown(close);
  const cases: [string, Buffer][] = [
    ["printf 'pancakes \\360\\237\\245\\236\\357\\270\\217\\n'", Buffer.from('pancakes 🥞️\n')],
    ["printf 'ok\\377\\376\\000\\001end\\n'", Buffer.from('ok\xff\xfe\x00\x01end\n', 'latin1')],
    ["printf 'no newline at end'", Buffer.from('no newline at end')],
    ["printf 'a\\tb\\r\\nc\\n'", Buffer.from('a\tb\r\nc\n')],
  ];
  const ids = await Promise.all(cases.map(([command]) => submitJob(server, { command })));
  for (const [index, id] of ids.entries()) {
    await waitForJobEnd(server, id);
    t.deepEqual(await outputBytes(server, id, 'stdout'), cases[index]?.[1]);
  }
  // The flux-restful-api shape: the pancakes line exactly as its tests expect it.
  t.deepEqual((await server.request.get(`/v1/jobs/${ids[0] ?? ''}/output`)).body.Output, ['pancakes 🥞️\n']);
});

test('ids above 2^53 stay exact, in every encoding and every route', async (t) => {
  const { server, close } = await startFluxJobgate({ fake: { uptimeMs: 7 * 86400 * 1000 } });
  t.teardown(close);
  const id = await submitJob(server, { command: 'echo big' });
  const exact = BigInt(id);
  t.true(exact > 2n ** 53n);
  await waitForJobEnd(server, id);
  for (const form of [id, toF58(exact), toF58(exact, true), toHex(exact), toDothex(exact)]) {
    const response = await server.request.get(`/v1/jobs/${encodeURIComponent(form)}`);
    t.is(response.status, 200, form);
    t.regex(response.text, new RegExp(`"id":${id}[,}]`), form);
  }
  t.is(parseJobId(toF58(exact)), exact);
  t.deepEqual((await server.request.get(`/v1/jobs/${toF58(exact)}/output`)).body.Output, ['big\n']);
});

test('nodes come from the instance, with the jobs running on them', async (t) => {
  const { server, close } = await startFluxJobgate({ fake: { size: 2 } });
  t.teardown(close);
  const idle = await server.request.get('/v1/nodes').query({ details: true });
  t.deepEqual(idle.body.nodes, ['vm']);
  t.deepEqual(idle.body.details.map((node: { state: string; cores: number }) => [node.state, node.cores]), [['idle', 2], ['idle', 2]]);
  const id = await submitJob(server, { command: 'sleep 30' });
  await waitForJob(server, id, (job) => job.state === 'RUN', 'the job to run');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const busy = await server.request.get('/v1/nodes').query({ details: true });
  const used = (busy.body.details as { state: string; cores_busy: number; jobs: number[] }[]).find((node) => node.cores_busy > 0);
  t.like(used, { state: 'mixed', cores_busy: 1 });
  t.regex(busy.text, new RegExp(`"jobs":\\[${id}\\]`));
});

test('jobs submitted to the instance by other means show up, with their output', async (t) => {
  const { server, flux, close } = await startFluxJobgate();
  t.teardown(close);
  const jobspec = {
    resources: [{ type: 'slot', count: 1, with: [{ type: 'core', count: 1 }], label: 'task' }],
    tasks: [{ command: ['sh', '-c', 'echo typed by a user'], slot: 'task', count: { per_slot: 1 } }],
    attributes: { system: { duration: 0, cwd: '/tmp', environment: { PATH: '/usr/bin:/bin' } } },
    version: 1,
  };
  const external = flux.instance.submit(jobspec, 16, 0);
  const job = await waitForJobEnd(server, external.toString());
  t.like(job, { name: 'sh', command: ['sh', '-c', 'echo typed by a user'], result: 'COMPLETED', cwd: '/tmp', userid: 0 });
  t.deepEqual((await server.request.get(`/v1/jobs/${external.toString()}/output`)).body.Output, ['typed by a user\n']);
  const listed = await server.request.get('/v1/jobs');
  t.true((listed.body.jobs as { id: number }[]).some((item) => BigInt(item.id) === external));
});

test('concurrent submits are pipelined and each gets its own id and events', async (t) => {
  const { server, close } = await startFluxJobgate();
  t.teardown(close);
  const ids = await Promise.all(Array.from({ length: 24 }, (_unused, index) => submitJob(server, { command: `echo job ${index}` })));
  t.is(new Set(ids).size, 24);
  for (const [index, id] of ids.entries()) {
    await waitForJobEnd(server, id);
    t.deepEqual((await server.request.get(`/v1/jobs/${id}/output`)).body.Output, [`job ${index}\n`]);
  }
});
