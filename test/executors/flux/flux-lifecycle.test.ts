/**
 * The flux executor across its life: Flux's refusals as API errors, restarts (jobs that ended
 * or went on while jobgate was down), a lost connection, the commands fallback, and the end
 * of the instance with service/stop (beside it, and as its initial program) and SIGHUP.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { JobId } from '../../../src/model/job-id.js';
import { FluxExecutor } from '../../../src/executors/flux/flux-executor.js';
import { ExecutorError, type ExecutorSink } from '../../../src/executors/types.js';
import type { ExecutorEvent } from '../../../src/model/executor-events.js';
import type { LiveOutput } from '../../../src/output/live-output.js';
import { projectRoot } from '../../../src/version.js';
import { makeTempDir, submitJob, waitFor, waitForJobEnd } from '../../helpers/test-server.js';
import { FAKE_FLUX_BIN, startFakeFlux } from '../../fake-flux/start.js';
import { startFluxJobgate, outputBytes, waitForJob } from './flux-server.js';

function sinkFor(events: ExecutorEvent[]): ExecutorSink {
  const output = { sizes: { stdout: 0, stderr: 0, all: 0 }, append: () => undefined } as unknown as LiveOutput;
  return { event: (event) => events.push(event), backendRef: () => undefined, output: () => output, log: () => undefined };
}

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'no error';
  } catch (error: unknown) {
    return error instanceof ExecutorError ? `${error.kind}: ${error.message}` : String(error);
  }
}

test("Flux's refusals become the executor's errors (unknown id, inactive job, too late for urgency)", async (t) => {
  const flux = await startFakeFlux();
  const executor = new FluxExecutor({ env: { ...process.env, ...flux.env } as Record<string, string>, role: 'beside' });
  const events: ExecutorEvent[] = [];
  await executor.start(sinkFor(events), []);
  t.teardown(async () => {
    await executor.stop('leave-jobs');
    await flux.close();
  });
  t.is(await refusal(executor.cancel(123n, '')), 'unknown: unknown job id');
  t.is(await refusal(executor.setUrgency(123n, 16)), 'unknown: unknown job');
  const spec = { command: ['sleep', '30'], name: 'sleep', numTasks: 1, coresPerTask: 1, gpusPerTask: 0, numNodes: null, exclusive: false, workdir: '/tmp', runtime: 0, envars: {}, optionFlags: {}, tty: false, urgency: 16, queue: null };
  const { id } = await executor.submit({ id: null, owner: 'u', spec, env: { PATH: '/usr/bin:/bin' } });
  const jobId = id ?? 0n;
  await waitFor(() => (events.some((event) => event.id === jobId && event.name === 'start') ? true : undefined), 10000, 'start');
  t.is(await refusal(executor.setUrgency(jobId, 0)), 'conflict: urgency cannot be changed once resources are allocated');
  t.is(await refusal(executor.cancel(jobId, 'enough')), 'no error');
  await waitFor(() => (events.some((event) => event.id === jobId && event.name === 'clean') ? true : undefined), 10000, 'clean');
  t.is(await refusal(executor.cancel(jobId, '')), 'inactive: job is inactive');
  t.is(await refusal(executor.setUrgency(jobId, 16)), 'inactive: job is inactive');
  const names = events.filter((event) => event.id === jobId).map((event) => event.name);
  t.deepEqual(names, ['depend', 'priority', 'alloc', 'start', 'exception', 'finish', 'release', 'free', 'clean']);
  t.like(events.find((event) => event.name === 'exception'), { type: 'cancel', note: 'enough' });
});

test('a restart picks up jobs that ended meanwhile and jobs still running, without repeating output', async (t) => {
  const flux = await startFakeFlux();
  const dataDir = makeTempDir();
  t.teardown(async () => {
    await flux.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const first = await startFluxJobgate({ flux, dataDir });
  const ends = await submitJob(first.server, { command: "sh -c 'echo a; sleep 0.5; echo b'" });
  const runs = await submitJob(first.server, { command: "sh -c 'echo x; sleep 2.5; echo y'" });
  await waitFor(async () => ((await outputBytes(first.server, runs, 'stdout')).toString() === 'x\n' ? true : undefined), 10000, 'first output');
  await first.server.stop('leave-jobs', 'restart');
  await waitFor(() => (flux.instance.stateOf(BigInt(ends)) === 'INACTIVE' ? true : undefined), 10000, 'the job to end while jobgate is down');

  const second = await startFluxJobgate({ flux, dataDir });
  t.teardown(() => second.close());
  t.like(await waitForJobEnd(second.server, ends), { result: 'COMPLETED', returncode: 0 });
  t.is((await outputBytes(second.server, ends)).toString(), 'a\nb\n');
  t.like(await waitForJobEnd(second.server, runs), { result: 'COMPLETED' });
  t.is((await outputBytes(second.server, runs)).toString(), 'x\ny\n');
  const events = second.server.jobs.events(BigInt(ends), { name: 'root', superuser: true }).map((event) => event.name);
  t.is(events.filter((name) => name === 'finish').length, 1, 'no event recorded twice');
});

test('a job of an instance that is gone is marked lost at the next start', async (t) => {
  const dataDir = makeTempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const old = await startFluxJobgate({ dataDir });
  const id = await submitJob(old.server, { command: 'sleep 100' });
  await waitForJob(old.server, id, (job) => job.state === 'RUN', 'the job to run');
  await old.server.stop('leave-jobs', 'restart');
  await old.flux.close();
  const next = await startFluxJobgate({ dataDir });
  t.teardown(() => next.close());
  t.like(await waitForJobEnd(next.server, id), { result: 'FAILED', exception: { type: 'lost', note: 'the Flux instance that ran this job is gone' } });
});

test('a lost connection to the broker: refused meanwhile, then reconnected, output goes on', async (t) => {
  const { server, flux, close } = await startFluxJobgate();
  t.teardown(close);
  // One job outlives the disconnection, the other (most likely) ends during it: both must be whole.
  const id = await submitJob(server, { command: "sh -c 'echo 1; sleep 1.5; echo 2'" });
  const short = await submitJob(server, { command: "sh -c 'echo 3; sleep 0.2; echo 4'" });
  await waitFor(async () => ((await outputBytes(server, id)).toString() === '1\n' ? true : undefined), 10000, 'first line');
  flux.server.refuseConnections(true);
  flux.server.dropConnections();
  await waitFor(async () => ((await server.jobs.ready()) ? undefined : true), 5000, 'jobgate to notice');
  const refused = await server.request.post('/v1/jobs/submit').query({ command: 'true' });
  t.is(refused.status, 503);
  flux.server.refuseConnections(false);
  await waitFor(async () => ((await server.jobs.ready()) ? true : undefined), 20000, 'the reconnection');
  t.like(await waitForJobEnd(server, id), { result: 'COMPLETED' });
  t.is((await outputBytes(server, id)).toString(), '1\n2\n');
  t.like(await waitForJobEnd(server, short), { result: 'COMPLETED' });
  t.is((await outputBytes(server, short)).toString(), '3\n4\n');
  const after = await submitJob(server, { command: 'echo again' });
  t.like(await waitForJobEnd(server, after), { result: 'COMPLETED' });
});

test("without Flux's Python bindings: the flux commands do the work", async (t) => {
  const { server, close } = await startFluxJobgate({ env: { FAKE_FLUX_NO_BINDINGS: '1' } });
  t.teardown(close);
  t.regex(await server.jobs.backendVersion(), /flux-core 0\.88\.0 \(flux commands/);
  const id = await submitJob(server, { command: "sh -c 'echo via commands; echo e >&2; exit 2'" });
  t.like(await waitForJobEnd(server, id), { result: 'FAILED', returncode: 2, ranks: '0', nodelist: 'vm' });
  t.is((await outputBytes(server, id, 'stdout')).toString(), 'via commands\n');
  t.is((await outputBytes(server, id, 'stderr')).toString(), 'e\n');
  const sleeper = await submitJob(server, { command: 'sleep 100' });
  await waitForJob(server, sleeper, (job) => job.state === 'RUN', 'the job to run');
  t.is((await server.request.post(`/v1/jobs/${sleeper}/cancel`)).status, 200);
  t.like(await waitForJobEnd(server, sleeper), { result: 'CANCELED' });
});

test('service/stop beside the instance: drains, then `flux shutdown` ends the instance', async (t) => {
  const { server, flux, close } = await startFluxJobgate();
  t.teardown(close);
  const id = await submitJob(server, { command: 'sleep 100' });
  await waitForJob(server, id, (job) => job.state === 'RUN', 'the job to run');
  const stop = await server.request.post('/v1/service/stop');
  t.is(stop.status, 200);
  await server.stopped;
  t.is(flux.instance.stateOf(BigInt(id)), 'INACTIVE');
  t.true(flux.instance.isStopped, 'flux shutdown reached the instance');
});

interface Started {
  url: string;
  exit: Promise<{ code: number | null; stderr: string }>;
  uri: string;
}

/** `flux start jobgate serve`: jobgate as the initial program of the double's instance. */
async function startInstanceWithJobgate(dataDir: string): Promise<Started> {
  const uriFile = path.join(dataDir, 'uri');
  const child = spawn(path.join(FAKE_FLUX_BIN, 'flux'), ['start', '--test-size=1', process.execPath, path.join(projectRoot, 'bin', 'jobgate'), 'serve', '--port', '0', '--data-dir', path.join(dataDir, 'data'), '--log-level', 'warn'], {
    env: { ...process.env, PATH: `${FAKE_FLUX_BIN}:${process.env.PATH ?? ''}`, FAKE_FLUX_URI_FILE: uriFile, FLUX_URI: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /jobgate (http:\/\/\S+)/.exec(stderr);
      if (match?.[1] !== undefined) {
        resolve(match[1]);
      }
    });
    child.once('exit', () => reject(new Error(`flux start ended early: ${stderr}`)));
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return { url: await url, exit, uri: fs.readFileSync(uriFile, 'utf8') };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => spawn(file, args, { env, stdio: 'ignore' }).once('exit', (code) => resolve(code)));
}

test('service/stop as the initial program of `flux start`: drains and exits, and the instance ends with it', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const started = await startInstanceWithJobgate(dir);
  const submit = await fetch(`${started.url}/v1/jobs/submit?command=sleep+100`, { method: 'POST' });
  const { id } = (await submit.json()) as { id: JobId };
  t.truthy(id);
  const stop = await fetch(`${started.url}/v1/service/stop`, { method: 'POST' });
  t.is(stop.status, 200);
  const ended = await started.exit;
  // jobgate exited 0 without `flux shutdown`, so `flux start` ends with its exit code, 0.
  t.is(ended.code, 0, ended.stderr);
  t.notRegex(ended.stderr, /aborted after exit/);
});

test('`flux shutdown` (SIGHUP to the initial program) makes jobgate exit', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const started = await startInstanceWithJobgate(dir);
  const code = await run(path.join(FAKE_FLUX_BIN, 'flux'), ['shutdown'], { ...process.env, FLUX_URI: started.uri });
  t.is(code, 0);
  const ended = await started.exit;
  // As recorded: an initial program that exits 0 after the shutdown's SIGHUP gives `flux start` 1.
  t.is(ended.code, 1, ended.stderr);
  t.regex(ended.stderr, /aborted after exit with rc=0 \(rc=1\)/);
});
