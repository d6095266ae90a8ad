/**
 * Behaviours of a real Flux 0.88 that the double repeats from the recordings, and that the
 * flux executor must cope with: a job's journal events before its submit answer (21), a
 * backlog not in id order, a cancel right after start (21, 22), a lost broker connection
 * that only stops the reactor (22), and the shutdown order of `flux start` (18, 19).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { FluxExecutor } from '../../../src/executors/flux/flux-executor.js';
import type { ExecutorSink } from '../../../src/executors/types.js';
import type { ExecutorEvent } from '../../../src/model/executor-events.js';
import type { JobSpec } from '../../../src/model/job.js';
import type { LiveOutput } from '../../../src/output/live-output.js';
import { makeTempDir, submitJob, waitFor, waitForJobEnd } from '../../helpers/test-server.js';
import { FluxClient, socketPath } from '../../fake-flux/client.js';
import { FAKE_FLUX, startFakeFlux } from '../../fake-flux/start.js';
import { outputBytes, startFluxJobgate, waitForJob } from './flux-server.js';

const JOBSPEC = {
  resources: [{ type: 'slot', count: 1, with: [{ type: 'core', count: 1 }], label: 'task' }],
  tasks: [{ command: ['true'], slot: 'task', count: { per_slot: 1 } }],
  attributes: { system: { duration: 0, cwd: '/tmp', environment: { PATH: '/usr/bin:/bin' } } },
  version: 1,
};

interface Logged {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function sinkFor(events: ExecutorEvent[], logs: Logged[] = []): ExecutorSink {
  const output = { sizes: { stdout: 0, stderr: 0, all: 0 }, append: () => undefined } as unknown as LiveOutput;
  return { event: (event) => events.push(event), backendRef: () => undefined, output: () => output, log: (level, message, fields) => logs.push({ level, message, ...(fields !== undefined ? { fields } : {}) }) };
}

test('the double answers a submit after the job is on the journal up to priority (21)', async (t) => {
  const flux = await startFakeFlux();
  t.teardown(() => flux.close());
  // The raw socket, so the order of what arrives is the order the broker wrote it in.
  const socket = net.createConnection(socketPath({ FLUX_URI: flux.uri }));
  t.teardown(() => socket.destroy());
  const seen: string[] = [];
  let journalOpen = false;
  readline.createInterface({ input: socket }).on('line', (line) => {
    const message = JSON.parse(line) as { seq: number; payload?: { events?: { name: string }[] } };
    journalOpen ||= message.seq === 1;
    seen.push(...(message.seq === 1 ? (message.payload?.events ?? []).map((event) => event.name) : ['answer']));
  });
  socket.write(`${JSON.stringify({ seq: 1, topic: 'job-manager.events-journal', payload: { full: false } })}\n`);
  await waitFor(() => (journalOpen ? true : undefined), 5000, 'the sentinel');
  socket.write(`${JSON.stringify({ seq: 2, topic: 'job-ingest.submit', payload: { jobspec: JOBSPEC, urgency: 16 } })}\n`);
  await waitFor(async () => (seen.includes('answer') ? true : undefined), 5000, 'the answer');
  t.deepEqual(seen.slice(0, 5), ['submit', 'validate', 'depend', 'priority', 'answer']);
});

test('journal events before the submit answer are the submitter’s job: none dropped, none adopted', async (t) => {
  const flux = await startFakeFlux();
  t.teardown(() => flux.close());
  const executor = new FluxExecutor({ env: { ...process.env, ...flux.env } as Record<string, string>, role: 'beside' });
  const events: ExecutorEvent[] = [];
  await executor.start(sinkFor(events), []);
  t.teardown(() => executor.stop('leave-jobs'));
  const spec: JobSpec = { command: ['true'], name: 'true', numTasks: 1, coresPerTask: 1, gpusPerTask: 0, numNodes: null, exclusive: false, workdir: '/tmp', runtime: 0, envars: {}, optionFlags: {}, tty: false, urgency: 16, queue: null };
  const submitted = await Promise.all([1, 2, 3].map(() => executor.submit({ id: null, owner: 'me', spec, env: { PATH: '/usr/bin:/bin' } })));
  await waitFor(async () => (submitted.every(({ id }) => events.some((event) => event.id === id && event.name === 'clean')) ? true : undefined), 20000, 'the jobs to be clean');
  for (const { id } of submitted) {
    const names = events.filter((event) => event.id === id).map((event) => event.name);
    // depend and priority came before the id did: they must not be lost.
    t.true(names.includes('depend') && names.includes('priority'), names.join(','));
    t.false(events.some((event) => event.id === id && event.name === 'submit'), 'not adopted as a job of someone else');
  }
});

test('the backlog comes newest job first, not in id order, and the executor takes every job from it', async (t) => {
  const flux = await startFakeFlux();
  t.teardown(() => flux.close());
  const ids = [0, 1, 2].map(() => flux.instance.submit(JOBSPEC, 0, 0));
  await waitFor(async () => (ids.every((id) => flux.instance.jobs.get(id)?.eventlog.some((entry) => entry.name === 'priority')) ? true : undefined), 5000, 'held jobs');
  const client = await FluxClient.connect(socketPath({ FLUX_URI: flux.uri }));
  t.teardown(() => client.close());
  const order: string[] = [];
  const stream = client.stream('job-manager.events-journal', { full: false }, (payload) => order.push(String(payload.id)));
  await waitFor(async () => (order.includes('-1') ? true : undefined), 5000, 'the sentinel');
  stream.cancel();
  t.deepEqual(order, [...ids.map(String).reverse(), '-1']);
  const executor = new FluxExecutor({ env: { ...process.env, ...flux.env } as Record<string, string>, role: 'beside' });
  const events: ExecutorEvent[] = [];
  await executor.start(sinkFor(events), []);
  t.teardown(() => executor.stop('leave-jobs'));
  const adopted = events.filter((event) => event.name === 'submit').map((event) => event.id);
  t.deepEqual([...adopted].sort(), [...ids].sort());
});

test('a cancel right after start: start, exception, finish 15; the job ends CANCELED with no output', async (t) => {
  // The shell's set-up window widened so that jobgate's cancel lands in it.
  const { server, flux, close } = await startFluxJobgate({ fake: { shellInitMs: 4000 } });
  t.teardown(close);
  const id = await submitJob(server, { command: 'sleep 100' });
  await waitForJob(server, id, (job) => job.state === 'RUN', 'the job to start');
  t.is((await server.request.post(`/v1/jobs/${id}/cancel`)).status, 200);
  t.like(await waitForJobEnd(server, id), { result: 'CANCELED', waitstatus: 15, exception: { type: 'cancel' } });
  const names = flux.instance.jobs.get(BigInt(id))?.eventlog.map((entry) => entry.name) ?? [];
  t.deepEqual(names.slice(names.indexOf('start')), ['start', 'exception', 'finish', 'release', 'free', 'clean']);
  t.is((await outputBytes(server, id)).length, 0);
});

test('a cancel right after start whose output watch never answers: the job still ends', async (t) => {
  const { server, close } = await startFluxJobgate({ fake: { shellInitMs: 4000, silentOutputWatchesAtStartCancel: true } });
  t.teardown(close);
  const id = await submitJob(server, { command: 'sleep 100' });
  await waitForJob(server, id, (job) => job.state === 'RUN', 'the job to start');
  t.is((await server.request.post(`/v1/jobs/${id}/cancel`)).status, 200);
  t.like(await waitForJobEnd(server, id), { state: 'INACTIVE', result: 'CANCELED', waitstatus: 15 });
});

test('a lost broker connection stops the bridge’s reactor with no callback: the executor still sees the loss and reconnects', async (t) => {
  const flux = await startFakeFlux();
  t.teardown(() => flux.close());
  const executor = new FluxExecutor({ env: { ...process.env, ...flux.env } as Record<string, string>, role: 'beside' });
  const logs: Logged[] = [];
  await executor.start(sinkFor([], logs), []);
  t.teardown(() => executor.stop('leave-jobs'));
  flux.server.dropConnections();
  const lost = await waitFor(async () => logs.find((entry) => entry.message === 'lost the Flux instance; reconnecting'), 10000, 'the loss');
  t.regex(String(lost.fields?.reason), /lost the Flux instance/);
  await waitFor(async () => ((await executor.ready()) ? true : undefined), 20000, 'the reconnection');
  t.pass();
});

function startBroker(args: string[], env: NodeJS.ProcessEnv): { child: ReturnType<typeof spawn>; exit: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(FAKE_FLUX, ['start', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr }))) };
}

test('`flux shutdown` cancels the jobs only after the initial program exits (18)', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const during = path.join(dir, 'during');
  // The initial program ignores the SIGHUP, asks for the shutdown, and looks at its job a second later.
  const script = `trap '' HUP; id=$(flux submit sleep 100); flux shutdown & sleep 1; flux job eventlog $id > ${during}; exit 0`;
  const { exit } = startBroker(['sh', '-c', script], { PATH: `${path.dirname(FAKE_FLUX)}:${process.env.PATH ?? ''}` });
  const ended = await exit;
  t.notRegex(fs.readFileSync(during, 'utf8'), /exception/, 'the job ran on during the shutdown');
  t.regex(fs.readFileSync(during, 'utf8'), / start/);
  t.regex(ended.stderr, /Canceled 1 job/);
  t.is(ended.code, 1, ended.stderr);
});

test('SIGTERM to `flux start --test-size` kills only the launcher: the initial program goes on (19)', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ready = path.join(dir, 'ready');
  const done = path.join(dir, 'done');
  const { child, exit } = startBroker(['--test-size=1', 'sh', '-c', `touch ${ready}; sleep 2; touch ${done}`], { PATH: `${path.dirname(FAKE_FLUX)}:${process.env.PATH ?? ''}` });
  await waitFor(async () => (fs.existsSync(ready) ? true : undefined), 20000, 'the initial program');
  child.kill('SIGTERM');
  const ended = await exit;
  t.is(ended.signal, 'SIGTERM', 'the launcher died of the signal');
  t.false(fs.existsSync(done));
  await waitFor(async () => (fs.existsSync(done) ? true : undefined), 20000, 'the initial program to finish on its own');
  t.pass();
});
