import test from 'ava';
import { applyEvent, resultOf, returncodeOf } from '../../src/domain/job-events.js';
import type { JobRecord } from '../../src/model/job.js';
import type { ExecutorEvent } from '../../src/model/executor-events.js';

function fresh(): JobRecord {
  return {
    id: 1n, owner: 'u', userid: 0, name: 'n', command: ['true'], executor: 'local', backendRef: null,
    spec: { command: ['true'], name: 'n', numTasks: 1, coresPerTask: 1, gpusPerTask: 0, numNodes: null, exclusive: false, workdir: null, runtime: 0, envars: {}, optionFlags: {}, tty: false, urgency: 16, queue: null },
    state: 'DEPEND', result: null, success: null, returncode: null, waitstatus: null,
    exception: { occurred: false, type: null, severity: null, note: null },
    urgency: 16, priority: null, ntasks: 1, ncores: 1, nnodes: null, ngpus: 0, duration: 0, cwd: null, queue: null, ranks: null, nodelist: null, expiration: null,
    t_submit: 1, t_depend: 1, t_priority: null, t_sched: null, t_run: null, t_cleanup: null, t_inactive: null,
  };
}

function run(events: ExecutorEvent[]): JobRecord {
  let job = fresh();
  for (const event of events) {
    job = { ...job, ...applyEvent(job, event) };
  }
  return job;
}

const id = 1n;

test('a successful job walks the Flux states and ends COMPLETED with 0', (t) => {
  const job = run([
    { id, t: 2, name: 'depend' }, { id, t: 3, name: 'priority', priority: 16 },
    { id, t: 4, name: 'alloc', ranks: '0', nodelist: 'vm', nnodes: 1 }, { id, t: 5, name: 'start' },
    { id, t: 6, name: 'finish', status: 0 }, { id, t: 7, name: 'release' }, { id, t: 7, name: 'free' }, { id, t: 8, name: 'clean' },
  ]);
  t.is(job.state, 'INACTIVE');
  t.like(job, { t_priority: 2, t_sched: 3, t_run: 4, t_cleanup: 6, t_inactive: 8, result: 'COMPLETED', returncode: 0, success: true, waitstatus: 0 });
});

test('the recorded endings map to Flux results and return codes (transcripts 04-07)', (t) => {
  const ending = (events: ExecutorEvent[]): JobRecord => run([{ id, t: 2, name: 'depend' }, { id, t: 3, name: 'priority', priority: 16 }, ...events, { id, t: 9, name: 'clean' }]);
  const alloc: ExecutorEvent = { id, t: 4, name: 'alloc', ranks: '0', nodelist: 'vm', nnodes: 1 };
  t.like(ending([alloc, { id, t: 6, name: 'finish', status: 768 }]), { result: 'FAILED', returncode: 3 });
  t.like(ending([alloc, { id, t: 5, name: 'exception', type: 'exec', severity: 0, note: 'start failed' }, { id, t: 6, name: 'finish', status: 32512 }]), { result: 'FAILED', returncode: 127 });
  t.like(ending([alloc, { id, t: 5, name: 'exception', type: 'cancel', severity: 0, note: '' }, { id, t: 6, name: 'finish', status: 36608 }]), { result: 'CANCELED', returncode: 143 });
  t.like(ending([alloc, { id, t: 5, name: 'exception', type: 'timeout', severity: 0, note: 'x' }, { id, t: 6, name: 'finish', status: 36352 }]), { result: 'TIMEOUT', returncode: 142 });
  t.like(ending([{ id, t: 5, name: 'exception', type: 'cancel', severity: 0, note: '' }]), { result: 'CANCELED', returncode: -128, t_run: null });
  t.like(ending([{ id, t: 5, name: 'exception', type: 'alloc', severity: 0, note: 'unsatisfiable' }]), { result: 'FAILED', returncode: 1 });
  t.like(ending([alloc, { id, t: 6, name: 'finish', status: 9 }]), { result: 'FAILED', returncode: 137 });
});

test('a severity-0 exception on a pending job moves it to CLEANUP at once', (t) => {
  const job = run([{ id, t: 2, name: 'depend' }, { id, t: 3, name: 'priority', priority: 16 }, { id, t: 5, name: 'exception', type: 'cancel', severity: 0, note: 'why' }]);
  t.is(job.state, 'CLEANUP');
  t.is(job.t_cleanup, 5);
  t.deepEqual(job.exception, { occurred: true, type: 'cancel', severity: 0, note: 'why' });
});

test('states never move backwards', (t) => {
  const job = run([{ id, t: 2, name: 'depend' }, { id, t: 3, name: 'priority', priority: 16 }, { id, t: 4, name: 'alloc', ranks: '0', nodelist: 'vm', nnodes: 1 }, { id, t: 5, name: 'priority', priority: 20 }]);
  t.is(job.state, 'RUN');
  t.is(job.t_sched, 3);
});

test('result and return code helpers', (t) => {
  t.is(resultOf({ exception: { occurred: false, type: null, severity: null, note: null }, waitstatus: 0 }), 'COMPLETED');
  t.is(resultOf({ exception: { occurred: true, type: 'other', severity: 1, note: '' }, waitstatus: 0 }), 'COMPLETED');
  t.is(returncodeOf({ waitstatus: null }, 'FAILED'), 1);
  t.is(returncodeOf({ waitstatus: 15 }, 'CANCELED'), 143);
});
