/**
 * Usage metrics measured for real on the local executor: a job burning two cores, a job holding
 * 200 MiB, the series and summary over the API (detail, listing sort, export), someone else's
 * job hidden, bad input named, sampling off, and the store's downsampling.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { startTestServer, submitJob, waitForJobEnd, makeTempDir, type TestServer } from './helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from './helpers/auth.js';
import { closeDatabase, openDatabase } from '../src/db/database.js';
import { UsageRepository } from '../src/db/usage-repository.js';
import { JobsRepository } from '../src/db/jobs-repository.js';
import { openSse } from './helpers/sse.js';
import { newJobRecord } from '../src/model/job.js';

const MIB = 1024 * 1024;
const FAST = { JOBGATE_USAGE_INTERVAL: '0.5' };

interface Metrics {
  interval: number;
  metrics: string[];
  series: { t: number[]; resolution: number[]; cpu?: number[]; mem?: number[]; gpu?: (number | null)[] };
  summary: { cpu_seconds: number | null; cpu_efficiency: number | null; peak_memory: number | null; gpu_seconds: number | null; measured_seconds: number | null };
}

async function metricsOf(server: TestServer, id: string, query = ''): Promise<Metrics> {
  const response = await server.request.get(`/v1/jobs/${id}/metrics${query}`);
  if (response.status !== 200) {
    throw new Error(`metrics: ${response.status} ${response.text}`);
  }
  return response.body as Metrics;
}

// Two processes that each burn two CPU-seconds, reaped by their parent, which then reports
// what the kernel counted for them and stays a little (so a sample sees the total).
const BURN = `import os, time
def burn():
    while time.process_time() < 2:
        pass
pids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        burn()
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
times = os.times()
print(round(times.children_user + times.children_system, 2), flush=True)
time.sleep(1.5)
`;

test('a job burning two cores: its CPU-seconds match what the kernel counted, at most two cores at a time; the summary is on the detail, sortable and exported', async (t) => {
  const server = await startTestServer({ env: FAST, flags: { cores: '2' } });
  t.teardown(() => server.close());
  const script = path.join(server.dataDir, 'burn.py');
  fs.writeFileSync(script, BURN);
  const burn = await submitJob(server, { command: `python3 ${script}`, cores_per_task: 2 });
  const idle = await submitJob(server, { command: 'sleep 2' });
  await waitForJobEnd(server, burn);
  await waitForJobEnd(server, idle);
  const counted = Number((await server.request.get(`/v1/jobs/${burn}/output`)).text.match(/\d+\.\d+|\d+/)?.[0]);
  const burnt = await metricsOf(server, burn);
  t.is(burnt.interval, 0.5);
  t.deepEqual(burnt.metrics, ['cpu', 'mem', 'gpu']);
  const cpu = burnt.series.cpu ?? [];
  t.log(`kernel counted ${counted} CPU-s for the burners; jobgate measured ${burnt.summary.cpu_seconds ?? 0} CPU-s over ${burnt.summary.measured_seconds ?? 0} s`);
  t.log(`cores used per sample: ${cpu.map((value) => value.toFixed(2)).join(' ')}`);
  t.true(counted >= 4, `burners counted ${counted}`);
  // The interpreter's own start adds a little; tick granularity is 0.01 s per process.
  const measured = burnt.summary.cpu_seconds ?? 0;
  t.true(measured >= counted - 0.05 && measured < counted + 0.3, `measured ${measured}`);
  const integrated = cpu.reduce((sum, value, index) => sum + value * (burnt.series.resolution[index] ?? 0), 0);
  t.true(Math.abs(integrated - measured) < 1e-6);
  // Two processes can use two cores at most (how close to 2 depends on what else this machine runs).
  t.true(Math.max(...cpu) <= 2.1, `busiest sample ${Math.max(...cpu)}`);
  // No GPU on this machine: null, not zeros.
  t.true((burnt.series.gpu ?? []).every((value) => value === null));
  t.is(burnt.summary.gpu_seconds, null);
  const efficiency = burnt.summary.cpu_efficiency ?? 0;
  t.is(efficiency, measured / (2 * (burnt.summary.measured_seconds ?? 0)));

  const detail = (await server.request.get(`/v1/jobs/${burn}`)).body as { usage: Metrics['summary'] };
  t.deepEqual(detail.usage, burnt.summary);
  const idleSummary = (await metricsOf(server, idle)).summary;
  t.true((idleSummary.cpu_efficiency ?? 1) < efficiency, `idle efficiency ${idleSummary.cpu_efficiency}`);

  // The jobs that waste their cores come first.
  const sorted = await server.request.get('/v1/jobs/query?sort=cpu_efficiency');
  t.is(sorted.status, 200);
  t.deepEqual((sorted.body as { items: { id: number }[] }).items.map((job) => String(job.id)), [idle, burn]);
  const exported = await server.request.get('/v1/jobs/export?format=json&fields=id,cpu_efficiency,peak_memory,cpu_seconds,gpu_seconds');
  t.is(exported.status, 200);
  const rows = JSON.parse(exported.text) as { id: number; cpu_efficiency: number | null; gpu_seconds: null }[];
  const row = rows.find((each) => String(each.id) === burn);
  t.is(row?.cpu_efficiency, burnt.summary.cpu_efficiency);
  t.is(row?.gpu_seconds, null);

  // since= gives only newer samples; metric= only the columns asked for.
  const last = burnt.series.t[burnt.series.t.length - 2] ?? 0;
  const newer = await metricsOf(server, burn, `?metric=mem&since=${last}`);
  t.is(newer.series.t.length, 1);
  t.deepEqual(Object.keys(newer.series).sort(), ['mem', 'resolution', 't']);
});

test('a job holding 200 MiB shows a peak near it', async (t) => {
  const server = await startTestServer({ env: FAST });
  t.teardown(() => server.close());
  const id = await submitJob(server, { command: 'python3 -c "import time; block = b\'x\' * (200 * 1024 * 1024); time.sleep(3)"' });
  await waitForJobEnd(server, id);
  const { summary, series } = await metricsOf(server, id);
  const peak = summary.peak_memory ?? 0;
  t.log(`peak ${(peak / MIB).toFixed(1)} MiB; samples ${(series.mem ?? []).map((value) => (value / MIB).toFixed(0)).join(' ')}`);
  // The block plus the interpreter itself (some 10 MiB).
  t.true(peak >= 200 * MIB && peak < 240 * MIB, `peak ${peak / MIB} MiB`);
  t.is(Math.max(...(series.mem ?? [])), peak);
});

test('metrics of someone else\'s job are a 404; bad input is a 400 naming the field', async (t) => {
  const server = await startTestServer({ env: { ...AUTH_ENV, ...FAST } });
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice password 1');
  await addUser(server.dataDir, 'bob', 'bob password 12');
  const alice = bearer(await fetchToken(server, 'alice', 'alice password 1'));
  const bob = bearer(await fetchToken(server, 'bob', 'bob password 12'));
  const submitted = await server.request.post('/v1/jobs/submit').set(alice).query({ command: 'sleep 1' });
  const id = String((submitted.body as { id: number }).id);
  t.is((await server.request.get(`/v1/jobs/${id}/metrics`).set(alice)).status, 200);
  const hidden = await server.request.get(`/v1/jobs/${id}/metrics`).set(bob);
  t.is(hidden.status, 404);
  t.is((hidden.body as { error: { code: string } }).error.code, 'RESOURCE_NOT_FOUND');
  const unknown = await server.request.get(`/v1/jobs/${id}/metrics?metric=cpu,disk`).set(alice);
  t.is(unknown.status, 400);
  t.like(unknown.body, { error: { details: [{ field: 'metric' }] } });
  const badTime = await server.request.get(`/v1/jobs/${id}/metrics?since=yesterday`).set(alice);
  t.is(badTime.status, 400);
  t.like(badTime.body, { error: { details: [{ field: 'since' }] } });
});

test('sampling off: no samples, an interval of 0, null figures', async (t) => {
  const server = await startTestServer({ env: { JOBGATE_USAGE_INTERVAL: 'off' } });
  t.teardown(() => server.close());
  const id = await submitJob(server, { command: 'sleep 1' });
  await waitForJobEnd(server, id);
  const metrics = await metricsOf(server, id);
  t.is(metrics.interval, 0);
  t.deepEqual(metrics.series.t, []);
  t.is(metrics.summary.measured_seconds, null);
});

test('a bad interval is refused at start, naming the variable', async (t) => {
  await t.throwsAsync(startTestServer({ env: { JOBGATE_USAGE_INTERVAL: 'often' } }), { message: /JOBGATE_USAGE_INTERVAL/ });
});

test('downsampling merges older samples per job into buckets; newer ones stay as they are', (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase({ file: path.join(dir, 'usage.db') });
  t.teardown(() => closeDatabase(db));
  const repo = new UsageRepository(db);
  const samples = [];
  for (let t0 = 5; t0 <= 180; t0 += 5) {
    samples.push({ id: 7n, sample: { t: t0, resolution: 5, cpu: t0 <= 60 ? 2 : 1, memBytes: t0, gpu: null, gpuMemBytes: null } });
  }
  samples.push({ id: 8n, sample: { t: 30, resolution: 5, cpu: 1, memBytes: 1, gpu: null, gpuMemBytes: null } });
  repo.record(samples, new Map());
  t.is(repo.rowCount(7n), 36);
  // Rows before t=120 into minutes: buckets [0,60) [60,120); t=60 opens the second minute.
  const removed = repo.downsample(120, 60);
  t.is(removed, 10 + 11);
  const series = repo.series(7n, 0);
  t.deepEqual(series.slice(0, 2).map((row) => ({ t: row.t, resolution: row.resolution, mem: row.memBytes })), [{ t: 55, resolution: 55, mem: 55 }, { t: 115, resolution: 60, mem: 115 }]);
  t.is(series[0]?.cpu, 2);
  t.is(series.length, 2 + 13);
  t.is(repo.rowCount(8n), 1);
  t.is(repo.downsample(120, 60), 0);
});

test('a job removed from the store takes its samples with it', (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase({ file: path.join(dir, 'usage.db') });
  t.teardown(() => closeDatabase(db));
  const jobs = new JobsRepository(db);
  const spec = { command: ['true'], name: 'true', numTasks: 1, coresPerTask: 1, gpusPerTask: 0, numNodes: null, exclusive: false, workdir: null, runtime: 0, envars: {}, optionFlags: {}, tty: false, urgency: 16, queue: null };
  jobs.insert(newJobRecord({ id: 9n, owner: 'alice', userid: 0, spec, executor: 'local', t: 1 }));
  const repo = new UsageRepository(db);
  const summary = { cpuSeconds: 1, cpuEfficiency: 0.5, peakMemBytes: 10, gpuSeconds: null, measuredSeconds: 2 };
  repo.record([{ id: 9n, sample: { t: 3, resolution: 2, cpu: 0.5, memBytes: 10, gpu: null, gpuMemBytes: null } }], new Map([[9n, summary]]));
  t.deepEqual(jobs.get(9n)?.usage, summary);
  jobs.deleteJob(9n);
  t.is(repo.rowCount(9n), 0);
});

test('GET /v1/stats and /metrics: cores allocated and used, jobs over time, wait percentiles, throughput', async (t) => {
  const server = await startTestServer({ env: FAST, flags: { cores: '4' } });
  t.teardown(() => server.close());
  const id = await submitJob(server, { command: 'sleep 1.5', cores_per_task: 3 });
  await waitForJobEnd(server, id);
  const response = await server.request.get('/v1/stats');
  t.is(response.status, 200);
  const stats = response.body as { window: string; step: number; capacity: { cores: number }; buckets: Record<string, (number | null)[]>; wait_seconds: { count: number; p50: number } };
  t.is(stats.window, 'hour');
  t.is(stats.step, 60);
  t.is(stats.capacity.cores, 4);
  t.is(stats.buckets.t?.length, 60);
  const sum = (name: string): number => (stats.buckets[name] ?? []).reduce<number>((total, value) => total + (value ?? 0), 0);
  // 3 cores for about 1.5 s, in 60-second buckets.
  const coreSeconds = sum('cores_allocated') * 60;
  t.true(coreSeconds > 3 * 1.4 && coreSeconds < 3 * 3, `core-seconds ${coreSeconds}`);
  t.is(sum('ended_per_minute'), 1);
  t.true(sum('cores_used') >= 0);
  t.is(stats.wait_seconds.count, 1);
  t.true(stats.wait_seconds.p50 >= 0);
  const bad = await server.request.get('/v1/stats?window=week');
  t.is(bad.status, 400);
  t.like(bad.body, { error: { details: [{ field: 'window' }] } });
  const metrics = (await server.request.get('/metrics')).text;
  t.regex(metrics, /^jobgate_job_wait_seconds_count 1$/m);
  t.regex(metrics, /^jobgate_cores_allocated 0$/m);
  t.regex(metrics, /^jobgate_cores_used \d/m);
});

test('a running job\'s event stream carries its usage samples as metrics events, as the metrics route has them', async (t) => {
  const server = await startTestServer({ env: FAST });
  t.teardown(() => server.close());
  const id = await submitJob(server, { command: 'sleep 3' });
  const stream = await openSse(`${server.url}/v1/jobs/${id}/output/events`);
  t.teardown(() => stream.close());
  const event = await stream.waitFor((each) => each.event === 'metrics', 10000);
  const sample = JSON.parse(event.data) as { t: number; cpu: number; mem: number; gpu: null; summary: { peak_memory: number } };
  t.true(sample.mem > 0);
  t.is(sample.gpu, null);
  await stream.ended;
  const stored = await metricsOf(server, id);
  const index = stored.series.t.indexOf(sample.t);
  t.true(index >= 0, 'the streamed sample is the stored one');
  t.is(stored.series.cpu?.[index], sample.cpu);
  t.is(stored.series.mem?.[index], sample.mem);
});
