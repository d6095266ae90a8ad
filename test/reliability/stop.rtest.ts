/**
 * Graceful stops under load: SIGTERM (jobs left running, picked up by the next start) and
 * POST /v1/service/stop (jobs canceled), each with 200 followers on 20 running jobs, a legacy
 * stream, an events follower and a submit storm going on. The service drains and exits 0
 * within its grace period, every follower gets a final event, every accepted job is kept, and
 * the database is closed cleanly (empty WAL, integrity check ok, lock released).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { closeDatabase, openDatabase } from '../../src/db/database.js';
import { idOf, loops } from './lib/http-client.js';
import { follow, type Follower } from './lib/follower.js';
import { countJobs, exportJobs, Pipes, until } from './lib/jobs.js';
import { startService, type Service } from './lib/service.js';
import { counts, recordFigure, reportTally } from './lib/tally.js';

reportTally(test, import.meta.url);

const JOBS = 20;
const PER_JOB = 10;
/** The bound: jobgate's own grace period (JOBGATE_SHUTDOWN_GRACE, 10 s) plus the kill grace and start-up slack. */
const STOP_BOUND_MS = 20000;

interface Scene {
  dir: string;
  dataDir: string;
  service: Service;
  pipes: Pipes;
  ids: string[];
  followers: Follower[];
  others: Follower[];
}

async function scene(t: { teardown(fn: () => Promise<void> | void): void }, prefix: string): Promise<Scene> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');
  const service = await startService(dataDir, ['--cores', String(JOBS + 4)]);
  const pipes = await Pipes.create(dir, JOBS);
  t.teardown(() => pipes.close());
  const ids: string[] = [];
  for (let index = 0; index < JOBS; index += 1) {
    ids.push(idOf(await service.client.post('/v1/jobs/submit', { query: { command: `cat ${pipes.paths[index] ?? ''}`, job_name: `stream-${index}` } })));
  }
  await until('the jobs to run', async () => ((await countJobs(service.client, { state: 'RUN' })) === JOBS ? true : undefined));
  const followers = await Promise.all(Array.from({ length: JOBS * PER_JOB }, (_unused, n) => follow(service.url, `/v1/jobs/${ids[n % JOBS] ?? ''}/output/events`)));
  const others = [await follow(service.url, '/v1/events'), await follow(service.url, `/v1/jobs/${ids[0] ?? ''}/output/stream`, { headers: { Accept: 'text/plain' } })];
  for (let index = 0; index < JOBS; index += 1) {
    pipes.write(index, `before the stop ${index}\n`);
  }
  await until('every follower to have the first line', async () => (followers.every((follower, n) => follower.bytes().toString('utf8') === `before the stop ${n % JOBS}\n`) ? true : undefined));
  return { dir, dataDir, service, pipes, ids, followers, others };
}

/** Submits until told to stop; what was answered 2xx must be kept, the rest refused cleanly. */
function storm(service: Service, stop: () => boolean): { accepted: Map<string, string>; done: Promise<void> } {
  const accepted = new Map<string, string>();
  const done = loops(4, stop, async (client, iteration) => {
    const name = `storm-${client}-${iteration}`;
    try {
      const answer = await service.client.post('/v1/jobs/submit', { query: { command: `echo ${name}`, job_name: name }, outage: true });
      if (answer.status === 200) {
        accepted.set(idOf(answer), name);
      }
    } catch {
      // The listener has closed: the stop is under way.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  return { accepted, done };
}

function checkClosedStore(t: { is(actual: unknown, expected: unknown, message?: string): void; true(value: boolean, message?: string): void; teardown(fn: () => void): void }, dataDir: string): void {
  t.true(!fs.existsSync(path.join(dataDir, 'jobgate.lock')), 'the lock is released');
  const wal = path.join(dataDir, 'jobgate.db-wal');
  t.true(!fs.existsSync(wal) || fs.statSync(wal).size === 0, 'the WAL was checkpointed');
  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db'), readonly: true });
  try {
    t.is(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    closeDatabase(db);
  }
}

test.serial('SIGTERM under load: drains in bound, followers get a final event, a clean store, the next start carries on', async (t) => {
  const { dataDir, service, pipes, ids, followers, others } = await scene(t, 'jobgate-rel-sigterm-');
  let stopped = false;
  const submits = storm(service, () => stopped);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = performance.now();
  process.kill(service.pid, 'SIGTERM');
  const code = await service.exit();
  const drainMs = performance.now() - started;
  stopped = true;
  await submits.done;
  service.client.close();
  t.is(code, 0);
  t.true(drainMs < STOP_BOUND_MS, `stopped in ${Math.round(drainMs)} ms`);
  await Promise.all([...followers, ...others].map((follower) => follower.ended));
  const finals = followers.filter((follower) => follower.events.some((event) => event.event === 'end' && /service stopping/.test(event.data))).length;
  t.is(finals, followers.length, 'every output follower got the final event');
  t.true(others[0]?.events.length !== undefined);
  checkClosedStore(t, dataDir);

  // The next start picks the jobs up; they finish with every byte, and every accepted submit is there.
  const again = await startService(dataDir, ['--cores', String(JOBS + 4)]);
  t.teardown(() => again.close());
  for (let index = 0; index < JOBS; index += 1) {
    pipes.write(index, `after the restart ${index}\n`);
  }
  pipes.close();
  await until('every job to end', async () => ((await countJobs(again.client, { state: 'active' })) === 0 ? true : undefined), 30000, 250);
  const jobs = new Map((await exportJobs(again.client)).map((job) => [job.id, job]));
  let lost = 0;
  for (let index = 0; index < JOBS; index += 1) {
    const id = ids[index] ?? '';
    const output = (await again.client.get(`/v1/jobs/${id}/output`, { query: { format: 'raw' } })).text();
    counts.jobsChecked += 1;
    if (jobs.get(id)?.result !== 'COMPLETED' || output !== `before the stop ${index}\nafter the restart ${index}\n`) {
      lost += 1;
    }
  }
  for (const [id, name] of submits.accepted) {
    counts.jobsChecked += 1;
    if (jobs.get(id)?.name !== name || jobs.get(id)?.result !== 'COMPLETED') {
      lost += 1;
    }
  }
  counts.lost += lost;
  t.is(lost, 0);
  recordFigure('SIGTERM under load', { 'followers': followers.length + others.length, 'drain (ms)': Math.round(drainMs), 'submits accepted during the storm': submits.accepted.size });
});

test.serial('service/stop under load: answers, cancels, drains in bound, final events, a clean store', async (t) => {
  const { dataDir, service, ids, followers, others } = await scene(t, 'jobgate-rel-stop-');
  let stopped = false;
  const submits = storm(service, () => stopped);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = performance.now();
  const answer = await service.client.post('/v1/service/stop');
  t.is(answer.status, 200);
  const code = await service.exit();
  const drainMs = performance.now() - started;
  stopped = true;
  await submits.done;
  service.client.close();
  t.is(code, 0);
  t.true(drainMs < STOP_BOUND_MS, `stopped in ${Math.round(drainMs)} ms`);
  await Promise.all([...followers, ...others].map((follower) => follower.ended));
  const finals = followers.filter((follower) => follower.events.some((event) => event.event === 'end')).length;
  t.is(finals, followers.length, 'every output follower got the final event');
  const sawCancel = followers.filter((follower) => follower.events.some((event) => event.event === 'state' && /"state":"INACTIVE"/.test(event.data))).length;
  t.is(sawCancel, followers.length, 'and saw its job end first');
  checkClosedStore(t, dataDir);

  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db'), readonly: true });
  t.teardown(() => closeDatabase(db));
  const rows = db.prepare('SELECT id, name, state, result FROM jobs').safeIntegers(true).all() as { id: bigint; name: string; state: string; result: string | null }[];
  const byId = new Map(rows.map((row) => [row.id.toString(), row]));
  let lost = 0;
  for (const id of ids) {
    counts.jobsChecked += 1;
    if (byId.get(id)?.result !== 'CANCELED') {
      lost += 1;
    }
  }
  for (const [id, name] of submits.accepted) {
    counts.jobsChecked += 1;
    const row = byId.get(id);
    if (row?.name !== name || row.state !== 'INACTIVE') {
      lost += 1;
    }
  }
  counts.lost += lost;
  t.is(lost, 0, 'every job is stored and ended');
  recordFigure('service/stop under load', { 'followers': followers.length + others.length, 'drain (ms)': Math.round(drainMs), 'submits accepted during the storm': submits.accepted.size });
});
