import test from 'ava';
import { eventsFor, type JobProgress } from '../../../src/executors/slurm/job-states.js';
import { parseSqueueJson, type SlurmJobRecord } from '../../../src/executors/slurm/slurm-record.js';
import { applyEvent } from '../../../src/domain/job-events.js';
import type { JobRecord } from '../../../src/model/job.js';
import { SQUEUE_JSON } from './samples.js';

const jobs = parseSqueueJson(SQUEUE_JSON);
const fresh: JobProgress = { started: false, finished: false, excepted: false, lastT: 100 };

function record(id: number, change: Partial<SlurmJobRecord> = {}): SlurmJobRecord {
  const found = jobs.get(id);
  if (found === undefined) {
    throw new Error(`no sample job ${id}`);
  }
  return { ...found, ...change };
}

/** Plays events onto a job in SCHED, as the domain does, and returns the end state. */
function project(events: ReturnType<typeof eventsFor>['events']): JobRecord {
  let job = {
    state: 'SCHED',
    exception: { occurred: false, type: null, severity: null, note: null },
    waitstatus: null,
    t_cleanup: null,
  } as unknown as JobRecord;
  for (const event of events) {
    job = { ...job, ...applyEvent(job, { ...event, id: 1n } as Parameters<typeof applyEvent>[1]) };
  }
  return job;
}

test('PENDING adds nothing: the job is in SCHED since its submit', (t) => {
  t.deepEqual(eventsFor(record(3), fresh, 200).events, []);
});

test('RUNNING allocates and starts once, with nodes, cores and expiration', (t) => {
  const first = eventsFor(record(9), fresh, 200);
  t.deepEqual(first.events.map((event) => event.name), ['alloc', 'start']);
  t.like(first.events[0], { name: 'alloc', t: 1795365644, nodelist: 'node[01-02]', nnodes: 2, ranks: '0-1', ncores: 4, expiration: 1795365644 + 600 });
  t.deepEqual(eventsFor(record(9), first.progress, 201).events, []);
});

test('COMPLETING finishes (CLEANUP); the final state then cleans up', (t) => {
  const running = eventsFor(record(9), fresh, 200).progress;
  const completing = eventsFor(record(9, { state: 'COMPLETING', exitStatus: 0 }), running, 210);
  t.deepEqual(completing.events.map((event) => event.name), ['finish']);
  const done = eventsFor(record(9, { state: 'COMPLETED', exitStatus: 0 }), completing.progress, 211);
  t.deepEqual(done.events.map((event) => event.name), ['release', 'free', 'clean']);
});

test('COMPLETED straight away: the whole life at once, result COMPLETED', (t) => {
  const { events } = eventsFor(record(1), fresh, 200);
  t.deepEqual(events.map((event) => event.name), ['alloc', 'start', 'finish', 'release', 'free', 'clean']);
  t.like(project(events), { state: 'INACTIVE', result: 'COMPLETED', returncode: 0 });
});

test('FAILED with exit code 3: result FAILED, returncode 3, no exception', (t) => {
  const { events } = eventsFor(record(8), fresh, 200);
  t.false(events.some((event) => event.name === 'exception'));
  t.like(project(events), { result: 'FAILED', returncode: 3, waitstatus: 768 });
});

test('TIMEOUT: a timeout exception and the signal in the return code', (t) => {
  const { events } = eventsFor(record(10), fresh, 200);
  t.like(events.find((event) => event.name === 'exception'), { type: 'timeout', severity: 0, note: 'Slurm time limit of 1 min reached' });
  t.like(project(events), { result: 'TIMEOUT', returncode: 128 + 15 });
});

test('CANCELLED while pending: never ran, so no alloc; returncode -128', (t) => {
  const { events } = eventsFor(record(4), fresh, 200);
  t.deepEqual(events.map((event) => event.name), ['exception', 'clean']);
  t.like(project(events), { state: 'INACTIVE', result: 'CANCELED', returncode: -128 });
});

test('CANCELLED while running after jobgate raised its own cancel: no second exception', (t) => {
  const { events } = eventsFor(record(12), { ...fresh, excepted: true }, 200);
  t.false(events.some((event) => event.name === 'exception'));
  t.true(events.some((event) => event.name === 'finish'));
});

test('OUT_OF_MEMORY and NODE_FAIL end as FAILED with a note', (t) => {
  const oom = eventsFor(record(12, { state: 'OUT_OF_MEMORY', exitStatus: 9 }), fresh, 200).events;
  t.like(oom.find((event) => event.name === 'exception'), { type: 'oom' });
  t.like(project(oom), { result: 'FAILED' });
  const nodeFail = eventsFor(record(12, { state: 'NODE_FAIL', reason: 'NodeDown' }), fresh, 200).events;
  t.like(nodeFail.find((event) => event.name === 'exception'), { type: 'node-failure', note: 'Slurm: a node of the job failed (NODE_FAIL) (NodeDown)' });
  t.like(project(nodeFail), { result: 'FAILED' });
});

test('events never go back in time', (t) => {
  const { events } = eventsFor(record(1, { startTime: 50, endTime: 60 }), { ...fresh, lastT: 100.5 }, 200);
  t.true(events.every((event) => event.t >= 100.5));
});
