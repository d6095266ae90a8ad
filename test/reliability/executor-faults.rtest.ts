/**
 * The backend's side failing under a running jobgate:
 * - the flux executor's helper (`flux python bridge.py`) SIGKILLed during a submit storm:
 *   detected, submits in flight get a clear 503, jobgate reconnects, jobs go on whole;
 * - the Flux broker gone (the double refuses and drops connections): /ready fails, submits get
 *   503 with Retry-After, reads go on, and nothing accepted before or after is lost;
 * - a local task's supervising wrapper SIGKILLed: the job ends with a clear exception, nothing
 *   of it keeps running unwatched, the service goes on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { startFakeFlux, type FakeFlux } from '../fake-flux/start.js';
import { idOf, loops } from './lib/http-client.js';
import { exportJobs, until } from './lib/jobs.js';
import { startService, type Service } from './lib/service.js';
import { counts, recordFigure, reportTally } from './lib/tally.js';

reportTally(test, import.meta.url);

function tempDir(t: { teardown(fn: () => void): void }, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The pid of the process whose arguments include `argument` and whose environment has `NAME=value`. */
function findProcess(argument: string, environment: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((arg) => arg.includes(argument)) && fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(environment)) {
        return Number(entry);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return null;
}

async function fluxService(t: { teardown(fn: () => Promise<void> | void): void }, dir: string): Promise<{ flux: FakeFlux; service: Service }> {
  const flux = await startFakeFlux();
  t.teardown(() => flux.close());
  const service = await startService(path.join(dir, 'data'), ['--executor', 'flux'], flux.env);
  t.teardown(() => service.close());
  return { flux, service };
}

async function ended(service: Service, id: string): Promise<Record<string, unknown>> {
  return until(`job ${id} to end`, async () => {
    const detail = (await service.client.get(`/v1/jobs/${id}`)).json();
    return detail.state === 'INACTIVE' ? detail : undefined;
  }, 20000);
}

interface Storm {
  accepted: Map<string, string>;
  refused: string[];
}

/** Submits `echo NAME` from `clients` loops until `stop()`; 503s (with Retry-After) are noted, anything else fails. */
async function storm(service: Service, prefix: string, clients: number, stop: () => boolean, result: Storm): Promise<void> {
  await loops(clients, stop, async (client, iteration) => {
    const name = `${prefix}-${client}-${iteration}`;
    const answer = await service.client.post('/v1/jobs/submit', { query: { command: `echo ${name}`, job_name: name }, outage: true });
    if (answer.status === 200) {
      result.accepted.set(idOf(answer), name);
    } else if (answer.status === 503 && answer.headers['retry-after'] !== undefined) {
      result.refused.push(answer.text());
      await new Promise((resolve) => setTimeout(resolve, 100));
    } else {
      throw new Error(`submit answered ${answer.status}: ${answer.text().slice(0, 300)}`);
    }
  });
}

/** Every accepted job ended completed with its own output; returns how many were not. */
async function checkAccepted(service: Service, accepted: Map<string, string>): Promise<string[]> {
  await until('every accepted job to end', async () => {
    const jobs = await exportJobs(service.client);
    return [...accepted.keys()].every((id) => jobs.find((job) => job.id === id)?.state === 'INACTIVE') ? true : undefined;
  }, 60000, 250);
  const jobs = new Map((await exportJobs(service.client)).map((job) => [job.id, job]));
  const problems: string[] = [];
  for (const [id, name] of accepted) {
    const job = jobs.get(id);
    counts.jobsChecked += 1;
    const output = (await service.client.get(`/v1/jobs/${id}/output`, { query: { format: 'raw' } })).text();
    if (job?.result !== 'COMPLETED' || output !== `${name}\n`) {
      problems.push(`${name} (${id}): ${job?.result ?? 'missing'} ${JSON.stringify(output)}`);
    }
  }
  counts.lost += problems.length;
  return problems;
}

test('the Flux bridge SIGKILLed during a submit storm: clear 503s, reconnection, nothing accepted lost', async (t) => {
  const dir = tempDir(t, 'jobgate-rel-bridge-');
  const { flux, service } = await fluxService(t, dir);
  const long = idOf(await service.client.post('/v1/jobs/submit', { query: { command: "sh -c 'echo a; sleep 2; echo b'", job_name: 'long' } }));
  const result: Storm = { accepted: new Map(), refused: [] };
  let stop = false;
  const running = storm(service, 'bridge', 6, () => stop, result);
  await until('a few jobs accepted', async () => (result.accepted.size >= 30 ? true : undefined));
  const bridge = findProcess('bridge.py', `FLUX_URI=${flux.uri}`);
  t.truthy(bridge, 'the bridge process');
  process.kill(bridge ?? 0, 'SIGKILL');
  counts.faults += 1;
  const health = await service.client.get('/health');
  t.is(health.status, 200, 'the service keeps serving');
  await until('a reconnection and more jobs', async () => {
    const again = findProcess('bridge.py', `FLUX_URI=${flux.uri}`);
    return again !== null && again !== bridge && (await service.client.get('/ready', { outage: true })).status === 200 ? true : undefined;
  }, 20000);
  const acceptedBefore = result.accepted.size;
  await until('jobs accepted after the reconnection', async () => (result.accepted.size >= acceptedBefore + 20 ? true : undefined));
  stop = true;
  await running;
  for (const message of result.refused) {
    t.regex(message, /Flux/, 'the 503 says the backend is not reachable');
  }
  t.deepEqual(await checkAccepted(service, result.accepted), []);
  t.like(await ended(service, long), { result: 'COMPLETED' });
  t.is((await service.client.get(`/v1/jobs/${long}/output`, { query: { format: 'raw' } })).text(), 'a\nb\n');
  counts.jobsChecked += 1;
  // A submit cut by the kill may have reached Flux: such a job is adopted, never lost.
  const adopted = (await exportJobs(service.client)).filter((job) => job.id !== long && !result.accepted.has(job.id)).length;
  recordFigure('flux bridge killed', { 'jobs accepted': result.accepted.size, 'submits refused with 503 meanwhile': result.refused.length, 'refused submits that reached Flux (adopted)': adopted });
});

test('the Flux broker gone: /ready fails, submits get 503 with Retry-After, reads go on, nothing accepted is lost', async (t) => {
  const dir = tempDir(t, 'jobgate-rel-broker-');
  const { flux, service } = await fluxService(t, dir);
  const result: Storm = { accepted: new Map(), refused: [] };
  const long = idOf(await service.client.post('/v1/jobs/submit', { query: { command: "sh -c 'echo 1; sleep 1.5; echo 2'", job_name: 'long' } }));
  let stop = false;
  const running = storm(service, 'broker', 4, () => stop, result);
  await until('a few jobs accepted', async () => (result.accepted.size >= 20 ? true : undefined));
  flux.server.refuseConnections(true);
  flux.server.dropConnections();
  counts.faults += 1;
  const ready = await until('/ready to fail', async () => {
    const answer = await service.client.get('/ready', { outage: true });
    return answer.status === 503 ? answer : undefined;
  }, 10000);
  t.truthy(ready.headers['retry-after']);
  const refusedBefore = result.refused.length;
  await until('submits to be refused', async () => (result.refused.length >= refusedBefore + 5 ? true : undefined), 10000);
  t.is((await service.client.get('/health')).status, 200);
  t.is((await service.client.get('/v1/jobs')).status, 200, 'the store still answers');
  t.is((await service.client.get(`/v1/jobs/${long}`)).status, 200);
  flux.server.refuseConnections(false);
  await until('/ready again', async () => ((await service.client.get('/ready', { outage: true })).status === 200 ? true : undefined), 40000);
  const acceptedBefore = result.accepted.size;
  await until('jobs accepted after the broker came back', async () => (result.accepted.size >= acceptedBefore + 10 ? true : undefined));
  stop = true;
  await running;
  t.deepEqual(await checkAccepted(service, result.accepted), []);
  t.like(await ended(service, long), { result: 'COMPLETED' });
  t.is((await service.client.get(`/v1/jobs/${long}/output`, { query: { format: 'raw' } })).text(), '1\n2\n');
  counts.jobsChecked += 1;
  recordFigure('flux broker gone', { 'jobs accepted': result.accepted.size, 'submits refused with 503 + Retry-After': result.refused.length });
});

test("a local task's wrapper SIGKILLed: the job ends with a clear exception, nothing runs on unwatched", async (t) => {
  const dir = tempDir(t, 'jobgate-rel-wrapper-');
  const dataDir = path.join(dir, 'data');
  const service = await startService(dataDir, ['--cores', '2']);
  t.teardown(() => service.close());
  const marker = path.join(dir, 'still-running');
  const id = idOf(await service.client.post('/v1/jobs/submit', { query: { command: `sh -c 'echo started; sleep 30; touch ${marker}'`, num_tasks: 2 } }));
  await until('the job to run', async () => ((await service.client.get(`/v1/jobs/${id}`)).json().state === 'RUN' ? true : undefined));
  await until('its output', async () => ((await service.client.get(`/v1/jobs/${id}/output`, { query: { format: 'raw' } })).text() === 'started\nstarted\n' ? true : undefined));
  // Rank 0's wrapper: the shell whose arguments name the job's status file.
  const wrapper = findProcess(`${id}/status.0`, `JOBGATE_JOB_ID=${id}`);
  t.truthy(wrapper);
  process.kill(wrapper ?? 0, 'SIGKILL');
  counts.faults += 1;
  const job = await ended(service, id);
  t.like(job, { result: 'FAILED', exception: { occurred: true, type: 'lost' } });
  t.regex((job.exception as { note: string }).note, /killed by signal 9/);
  t.is(findProcess('sleep', `JOBGATE_JOB_ID=${id}`), null, 'no task of the job runs on');
  t.false(fs.existsSync(marker));
  t.is((await service.client.get('/ready')).status, 200);
  const next = idOf(await service.client.post('/v1/jobs/submit', { query: { command: 'echo next' } }));
  await until('the next job to complete', async () => ((await service.client.get(`/v1/jobs/${next}`)).json().result === 'COMPLETED' ? true : undefined));
  counts.jobsChecked += 2;
});
