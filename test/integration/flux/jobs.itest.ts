/**
 * The flux executor against a real Flux (npm run test:flux): the behaviour the double's suite
 * checks, on the real thing. Runs in the instance `flux start --test-size=1` gives.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseJobId, toF58 } from '../../../src/model/job-id.js';
import { projectRoot } from '../../../src/version.js';
import { makeTempDir, submitJob, waitFor, waitForJobEnd, type TestServer } from '../../helpers/test-server.js';
import { outputBytes, waitForJob } from '../../executors/flux/flux-server.js';
import { flux, realFlux, startRealJobgate } from './real-flux.js';

async function jobgate(t: { teardown: (fn: () => Promise<void>) => void }, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startRealJobgate(env);
  t.teardown(() => server.close());
  return server;
}

test('a job runs: COMPLETED, output, ranks and nodes from Flux', async (t) => {
  const server = await jobgate(t);
  const hosts = (await flux(['getattr', 'hostlist'])).stdout.trim();
  const id = await submitJob(server, { command: 'sh -c "echo hello $NAME"' }, { NAME: 'world' });
  t.like(await waitForJobEnd(server, id), { result: 'COMPLETED', returncode: 0, ranks: '0', nodelist: hosts, nnodes: 1 });
  t.deepEqual((await server.request.get(`/v1/jobs/${id}/output`)).body.Output, ['hello world\n']);
  const eventlog = await flux(['job', 'eventlog', id]);
  t.is(eventlog.code, 0, 'Flux knows the job by the id jobgate returned');
});

test('the jobspec Flux got: the job environment exactly, the user, unbuffered output', async (t) => {
  const server = await jobgate(t, { FLUX_SECRET_KEY: 'do-not-leak' });
  const id = await submitJob(server, { command: 'true', job_name: 'named', workdir: '/tmp' }, { FOO: 'bar' });
  await waitForJobEnd(server, id);
  const info = await flux(['job', 'info', id, 'jobspec']);
  const jobspec = JSON.parse(info.stdout) as { attributes: { system: Record<string, unknown> } };
  const system = jobspec.attributes.system;
  t.is((system.environment as Record<string, string>).FOO, 'bar');
  t.false('FLUX_SECRET_KEY' in (system.environment as object));
  t.false('FLUX_URI' in (system.environment as object), 'not the server environment');
  t.is(system.cwd, '/tmp');
  t.deepEqual(system.job, { name: 'named' });
  t.like(system.shell, { options: { output: { 'batch-timeout': 0.05 } } });
});

test('exit 3 and a missing command: FAILED with the return codes and notes Flux gives', async (t) => {
  const server = await jobgate(t);
  const three = await submitJob(server, { command: "sh -c 'echo out; echo err >&2; exit 3'" });
  const missing = await submitJob(server, { command: 'no-such-command-xyz' });
  t.like(await waitForJobEnd(server, three), { result: 'FAILED', returncode: 3 });
  t.is((await outputBytes(server, three, 'stdout')).toString(), 'out\n');
  t.is((await outputBytes(server, three, 'stderr')).toString(), 'err\n');
  t.like(await waitForJobEnd(server, missing), { result: 'FAILED', returncode: 127, exception: { type: 'exec' } });
  t.regex((await outputBytes(server, missing, 'stderr')).toString(), /^flux-shell\[0\]: FATAL: task 0 \(host .+\): start failed: no-such-command-xyz: No such file or directory\n$/);
});

test('cancel, timeout, hold and release', async (t) => {
  const server = await jobgate(t);
  const sleeper = await submitJob(server, { command: 'sleep 100' });
  await waitForJob(server, sleeper, (job) => job.state === 'RUN', 'the job to run');
  t.is((await server.request.post(`/v1/jobs/${sleeper}/cancel`)).status, 200);
  t.like(await waitForJobEnd(server, sleeper), { result: 'CANCELED', returncode: 143 });
  t.is((await server.request.post(`/v1/jobs/${sleeper}/cancel`)).body.Message, 'Job cannot be cancelled: job is inactive.');
  const limited = await submitJob(server, { command: 'sleep 10', runtime: 1 });
  t.like(await waitForJobEnd(server, limited), { result: 'TIMEOUT', returncode: 142, exception: { note: 'resource allocation expired' } });
  const held = await submitJob(server, { command: 'echo released', urgency: 0 });
  await waitForJob(server, held, (job) => job.state === 'SCHED' && job.priority === 0, 'the job to be held');
  await server.jobs.setUrgency(BigInt(held), { name: 'root', superuser: true }, 16);
  t.like(await waitForJobEnd(server, held), { result: 'COMPLETED' });
  const never = await submitJob(server, { command: 'true', urgency: 0 });
  await waitForJob(server, never, (job) => job.state === 'SCHED', 'the job to be held');
  await server.request.post(`/v1/jobs/${never}/cancel`);
  t.like(await waitForJobEnd(server, never), { result: 'CANCELED', returncode: -128 });
});

test('too many nodes: accepted, then FAILED by the scheduler', async (t) => {
  const server = await jobgate(t, { FLUX_NUMBER_NODES: '64' });
  const id = await submitJob(server, { command: 'true', num_nodes: 64 });
  t.like(await waitForJobEnd(server, id), { result: 'FAILED', exception: { type: 'alloc' } });
  t.regex(((await server.request.get(`/v1/jobs/${id}`)).body as { exception: { note: string } }).exception.note, /^unsatisfiable request: need 64 exclusive node\(s\)/);
});

test('output byte for byte', async (t) => {
  const server = await jobgate(t);
  const cases: [string, Buffer][] = [
    ["printf 'pancakes \\360\\237\\245\\236\\357\\270\\217\\n'", Buffer.from('pancakes 🥞️\n')],
    ["printf 'ok\\377\\376\\000\\001end\\n'", Buffer.from('ok\xff\xfe\x00\x01end\n', 'latin1')],
    ["printf 'a\\tb\\r\\nc\\n'", Buffer.from('a\tb\r\nc\n')],
  ];
  for (const [command, bytes] of cases) {
    const id = await submitJob(server, { command });
    await waitForJobEnd(server, id);
    t.deepEqual(await outputBytes(server, id, 'stdout'), bytes, command);
  }
});

test('a job a user submits with `flux submit` shows up; nodes come from Flux', async (t) => {
  const server = await jobgate(t);
  const submitted = await flux(['submit', 'sh', '-c', 'echo typed by a user']);
  const id = parseJobId(submitted.stdout.trim());
  t.truthy(id);
  const job = await waitForJobEnd(server, toF58(id ?? 0n));
  t.like(job, { result: 'COMPLETED', name: 'sh' });
  t.deepEqual((await server.request.get(`/v1/jobs/${(id ?? 0n).toString()}/output`)).body.Output, ['typed by a user\n']);
  const nodes = await server.request.get('/v1/nodes').query({ details: true });
  t.is(nodes.status, 200);
  t.true((nodes.body.details as { cores: number }[]).every((node) => node.cores > 0));
});

test('concurrent submits', async (t) => {
  const server = await jobgate(t);
  const ids = await Promise.all(Array.from({ length: 16 }, (_unused, index) => submitJob(server, { command: `echo job ${index}` })));
  t.is(new Set(ids).size, 16);
  for (const [index, id] of ids.entries()) {
    await waitForJobEnd(server, id);
    t.deepEqual((await server.request.get(`/v1/jobs/${id}/output`)).body.Output, [`job ${index}\n`]);
  }
});

test('a restart picks up what happened meanwhile', async (t) => {
  const dataDir = makeTempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const first = await startRealJobgate({}, dataDir);
  const id = await submitJob(first, { command: "sh -c 'echo a; sleep 1; echo b'" });
  await waitFor(async () => ((await outputBytes(first, id)).toString() === 'a\n' ? true : undefined), 20000, 'first output');
  await first.stop('leave-jobs', 'restart');
  await flux(['job', 'wait-event', '-t', '30', id, 'clean']);
  const second = await startRealJobgate({}, dataDir);
  t.teardown(() => second.close());
  t.like(await waitForJobEnd(second, id), { result: 'COMPLETED' });
  t.is((await outputBytes(second, id)).toString(), 'a\nb\n');
});

/** A nested instance whose initial program is `cmd` (its FLUX_URI written to a file first). */
function nestedInstance(dir: string, cmd: string[]): { uri: Promise<string>; exit: Promise<number | null>; stderr: () => string } {
  const uriFile = path.join(dir, 'uri');
  const script = `echo "$FLUX_URI" > '${uriFile}'; exec "$@"`;
  const child = spawn(realFlux() ?? 'flux', ['start', '--test-size=1', 'sh', '-c', script, 'sh', ...cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const uri = waitFor(() => (fs.existsSync(uriFile) && fs.readFileSync(uriFile, 'utf8').trim() !== '' ? fs.readFileSync(uriFile, 'utf8').trim() : undefined), 30000, 'the nested instance');
  return { uri, exit, stderr: () => stderr };
}

const JOBGATE = [process.execPath, path.join(projectRoot, 'bin', 'jobgate'), 'serve', '--port', '0', '--log-level', 'warn'];

async function urlOf(instance: ReturnType<typeof nestedInstance>): Promise<string> {
  return waitFor(() => /jobgate (http:\/\/\S+)/.exec(instance.stderr())?.[1], 30000, 'jobgate to listen');
}

test('service/stop as the initial program: jobgate exits 0 and so does `flux start`', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const instance = nestedInstance(dir, [...JOBGATE, '--data-dir', path.join(dir, 'data')]);
  const url = await urlOf(instance);
  await fetch(`${url}/v1/jobs/submit?command=sleep+100`, { method: 'POST' });
  t.is((await fetch(`${url}/v1/service/stop`, { method: 'POST' })).status, 200);
  t.is(await instance.exit, 0, instance.stderr());
});

test('`flux shutdown` sends SIGHUP: jobgate exits', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const instance = nestedInstance(dir, [...JOBGATE, '--data-dir', path.join(dir, 'data')]);
  await urlOf(instance);
  const shutdown = spawn(realFlux() ?? 'flux', ['shutdown'], { env: { ...process.env, FLUX_URI: await instance.uri }, stdio: 'ignore' });
  await new Promise((resolve) => shutdown.once('exit', resolve));
  t.is(await instance.exit, 1, 'jobgate exited 0 after the SIGHUP: flux start reports 1, as recorded');
});

test('service/stop beside an instance: `flux shutdown` ends it', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const instance = nestedInstance(dir, ['sleep', '3600']);
  const uri = await instance.uri;
  const server = await startRealJobgate({ FLUX_URI: uri, JOBGATE_FLUX_ROLE: 'auto' }, path.join(dir, 'data'));
  t.is((await server.request.post('/v1/service/stop')).status, 200);
  await server.stopped;
  t.not(await instance.exit, null, 'the nested instance ended');
});
