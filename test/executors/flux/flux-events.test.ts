/**
 * Flux's job events → jobgate's events, from the recorded journal (the raw
 * job-manager.events-journal responses of the Python API probe) and recorded R objects.
 */
import test from 'ava';
import { allocationFromSummary, externalJob, parseR, toExecutorEvent, type EventlogEntry } from '../../../src/executors/flux/flux-events.js';
import { applyEvent } from '../../../src/domain/job-events.js';
import type { JobRecord } from '../../../src/model/job.js';
import { recorded, report } from './recordings.js';

interface RawResponse {
  payload: { id: number; events: EventlogEntry[]; jobspec?: unknown; R?: unknown };
}

const raw = report('raw-journal-response') as unknown as RawResponse[];

test('journal: the backlog ends with the sentinel (id -1, no events)', (t) => {
  t.deepEqual(raw[0]?.payload, { id: -1, events: [] });
});

test('journal: each event maps to its jobgate event, with the timestamp Flux gave it', (t) => {
  const mapped = raw.slice(1).map((response) => {
    const event = response.payload.events[0];
    return event === undefined ? null : toExecutorEvent(123n, event, response.payload.R !== undefined ? parseR(response.payload.R) : null);
  });
  t.deepEqual(
    mapped.map((event) => event?.name ?? null),
    // submit and validate are Flux's own bookkeeping; annotations is journal-only
    [null, null, 'depend', 'priority', null, 'alloc', 'start', 'finish', 'release', 'free', 'clean'],
  );
  const alloc = mapped[5];
  t.deepEqual(alloc, { id: 123n, t: raw[6]?.payload.events[0]?.timestamp ?? 0, name: 'alloc', ranks: '0', nodelist: 'vm', nnodes: 1, ncores: 1 });
  t.deepEqual(mapped[3], { id: 123n, t: raw[4]?.payload.events[0]?.timestamp ?? 0, name: 'priority', priority: 16 });
});

test('journal: exceptions and exit statuses as recorded (cancel, exec failure)', (t) => {
  const events = report('journal').map((item) => (item as unknown as { event: EventlogEntry & { id: number } }).event);
  const exceptions = events.filter((event) => event.name === 'exception').map((event) => toExecutorEvent(1n, event, null));
  t.deepEqual(exceptions, [
    { id: 1n, t: exceptions[0]?.t ?? 0, name: 'exception', type: 'cancel', severity: 0, note: 'canceled by the probe' },
    { id: 1n, t: exceptions[1]?.t ?? 0, name: 'exception', type: 'exec', severity: 0, note: 'task 0 (host vm): start failed: no-such-command-xyz: No such file or directory' },
  ]);
  const finishes = events.filter((event) => event.name === 'finish').map((event) => toExecutorEvent(1n, event, null));
  t.deepEqual(finishes.map((event) => (event?.name === 'finish' ? event.status : null)), [0, 15, 32512]);
});

function record(): JobRecord {
  return {
    id: 1n, owner: 'u', userid: 0, name: 'x', command: ['x'], spec: {} as JobRecord['spec'], executor: 'flux', backendRef: null, state: 'DEPEND', result: null, success: null,
    returncode: null, waitstatus: null, exception: { occurred: false, type: null, severity: null, note: null }, urgency: 16, priority: null, ntasks: 1, ncores: 1, nnodes: null,
    ngpus: 0, duration: 0, cwd: null, queue: null, ranks: null, nodelist: null, expiration: null, t_submit: 0, t_depend: 0, t_priority: null, t_sched: null, t_run: null,
    t_cleanup: null, t_inactive: null,
  };
}

/** Replays a recorded eventlog through the domain's projection. */
function project(eventlog: string): JobRecord {
  let job = record();
  for (const line of eventlog.split('\n').filter((text) => text !== '')) {
    const event = toExecutorEvent(1n, JSON.parse(line) as EventlogEntry, null);
    if (event !== null) {
      job = { ...job, ...applyEvent(job, event) };
    }
  }
  return job;
}

test('journal: recorded lifecycles give the states, results and return codes flux jobs showed', (t) => {
  const cases: [string, string, string, number][] = [
    ['03-lifecycle-success.json', "flux job eventlog -f json 'ƒ3uF7Vrf'", 'COMPLETED', 0],
    ['04-lifecycle-failure-exit3.json', "flux job eventlog -f json 'ƒ4NBiSt7'", 'FAILED', 3],
    ['05-lifecycle-exec-failure.json', "flux job eventlog -f json 'ƒ4m4bN6j'", 'FAILED', 127],
    ['06-lifecycle-canceled.json', "flux job eventlog -f json 'ƒ5CATCqM'", 'CANCELED', 143],
    ['07-lifecycle-timeout.json', "flux job eventlog -f json 'ƒ5kAbhf5'", 'TIMEOUT', 142],
    ['08-lifecycle-held-then-released.json', "flux job eventlog -f json 'ƒ6ac2EgX'", 'COMPLETED', 0],
  ];
  for (const [file, cmd, result, returncode] of cases) {
    const job = project(recorded(file, cmd).stdout);
    t.is(job.state, 'INACTIVE', file);
    t.is(job.result as string | null, result, file);
    t.is(job.returncode, returncode, file);
  }
  // Canceled while held: no alloc, no finish; Flux's returncode is -128.
  const held = project(recorded('08-lifecycle-held-then-released.json', "flux job eventlog 'ƒ7KuTG4f'").stdout.split('\n').filter((line) => line !== '').map((line) => {
    const [timestamp = '0', name = '', ...rest] = line.split(' ');
    const context = Object.fromEntries(rest.map((pair) => pair.split('=')).map(([key = '', value = '']) => [key, value.startsWith('"') ? (JSON.parse(value) as string) : Number(value)]));
    return JSON.stringify({ timestamp: Number(timestamp), name, context });
  }).join('\n'));
  t.is(held.result, 'CANCELED');
  t.is(held.returncode, -128);
});

test('R: ranks as job-list writes them, nodes, cores and expiration', (t) => {
  t.deepEqual(parseR(recorded('03-lifecycle-success.json', "flux job info 'ƒ3uF7Vrf' R").stdout), { ranks: '0', rankList: [0], nodelist: 'vm', nnodes: 1, ncores: 1 });
  const timeout = parseR(recorded('07-lifecycle-timeout.json', "flux job info 'ƒ5kAbhf5' R").stdout);
  t.is(timeout?.expiration, 1795337658.2046106);
  t.deepEqual(parseR({ version: 1, execution: { R_lite: [{ rank: '0-1', children: { core: '0' } }], starttime: 1, expiration: 0, nodelist: ['vm,vm'] } }), { ranks: '[0-1]', rankList: [0, 1], nodelist: 'vm,vm', nnodes: 2, ncores: 2 });
  t.is(parseR('not json'), null);
  t.is(parseR({ execution: {} }), null);
});

test('alloc without R: what the annotations tell (`rank[0-1]/core0`)', (t) => {
  t.deepEqual(allocationFromSummary({ annotations: { sched: { resource_summary: 'rank[0-1]/core0' } } }), { ranks: '[0-1]', rankList: [0, 1], nodelist: '', nnodes: 2, ncores: 2 });
  t.is(allocationFromSummary({}), null);
});

test('external jobs: what the journal submit event and its redacted jobspec tell', (t) => {
  const submit = raw[1]?.payload;
  t.truthy(submit);
  const job = externalJob(submit?.events[0] as EventlogEntry, submit?.jobspec, (userid) => (userid === 0 ? 'root' : String(userid)));
  t.deepEqual(job, {
    owner: 'root',
    userid: 0,
    name: 'sh',
    command: ['sh', '-c', "echo hi; echo err >&2; sleep 1; printf 'bye \\360\\237\\245\\236\\n'"],
    ntasks: 1,
    ncores: 1,
    duration: 0,
    cwd: '/tmp',
    urgency: 16,
    t_submit: 1795337754.1874356,
  });
  const nodes = externalJob({ timestamp: 1, name: 'submit', context: { userid: 1000, urgency: 0 } }, {
    resources: [{ type: 'node', count: 2, exclusive: true, with: [{ type: 'slot', count: 1, with: [{ type: 'core', count: 4 }], label: 'task' }] }],
    tasks: [{ command: ['hostname'], slot: 'task', count: { per_slot: 1 } }],
    attributes: { system: { duration: 60, job: { name: 'named' } } },
  }, String);
  t.like(nodes, { owner: '1000', name: 'named', ntasks: 2, ncores: 8, duration: 60, cwd: null, urgency: 0 });
});
