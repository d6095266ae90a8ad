/**
 * Following a job: output with cursors, state changes merged in the order they happen, whole
 * characters across reads, and the ends (output over, the service stopping, the consumer gone,
 * the files removed), on a real output store.
 */
import fs from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import type { JobRecord, JobState } from '../../src/model/job.js';
import { newJobRecord } from '../../src/model/job.js';
import { followJob, type FollowEvent, type FollowListener, type FollowSessionOptions } from '../../src/output/follow-session.js';
import { OutputStore } from '../../src/output/output-store.js';
import type { LiveOutput } from '../../src/output/live-output.js';
import { makeTempDir } from '../helpers/test-server.js';

const ID = 0x1234_5678n;

function job(state: JobState, id = ID): JobRecord {
  const spec = { command: ['demo'], name: 'demo', numTasks: 1, coresPerTask: 1, gpusPerTask: 0, numNodes: null, exclusive: false, workdir: null, runtime: 0, envars: {}, optionFlags: {}, tty: false, urgency: 16, queue: null };
  return { ...newJobRecord({ id, owner: 'alice', userid: 1000, spec, executor: 'local', t: 1 }), state, result: state === 'INACTIVE' ? 'COMPLETED' : null, returncode: state === 'INACTIVE' ? 0 : null };
}

interface Scene {
  store: OutputStore;
  output: LiveOutput;
  listeners: Set<FollowListener>;
  change(state: JobState, name: string, id?: bigint): void;
  stopping(): void;
  options(extra?: Partial<FollowSessionOptions>): FollowSessionOptions;
}

function scene(t: ExecutionContext): Scene {
  const dataDir = makeTempDir();
  // A quick poll: the safety net that notices files removed under a follower.
  const store = new OutputStore({ dataDir, pollMs: 20 });
  t.teardown(() => {
    store.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const listeners = new Set<FollowListener>();
  let final: JobRecord | undefined;
  return {
    store,
    output: store.create(ID),
    listeners,
    change: (state, name, id = ID) => {
      const record = job(state, id);
      if (id === ID) {
        final = record;
      }
      for (const listener of [...listeners]) {
        listener.change({ job: record, event: { name, t: 5 } });
      }
    },
    stopping: () => {
      for (const listener of [...listeners]) {
        listener.stopping();
      }
    },
    options: (extra = {}) => ({
      view: 'all',
      cursor: 0,
      signal: new AbortController().signal,
      wholeCharacters: true,
      watch: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      job: { current: job('RUN'), final: () => final },
      now: () => 3,
      ...extra,
    }),
  };
}

/** What a test compares: the kind and the telling part of each event. */
function brief(event: FollowEvent | undefined): string {
  switch (event?.kind) {
    case 'state':
      return `state ${event.event} ${event.job.state} t=${event.t}`;
    case 'output':
      return `output ${event.chunk.stream} ${JSON.stringify(event.chunk.data.toString())} @${event.cursor}`;
    case 'end':
      return `end ${event.reason}${event.job === undefined ? '' : ` ${event.job.state}`}`;
    case 'error':
      return `error ${event.message}`;
    case undefined:
      return 'done';
  }
}

async function pull(session: AsyncGenerator<FollowEvent>): Promise<string> {
  return brief((await session.next()).value ?? undefined);
}

/** Lets the session run what it was woken for (reads are synchronous once it is woken). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('the current state first, each chunk with the cursor after it, then the end with the final job', async (t) => {
  const { store, output, change, options } = scene(t);
  output.append('stdout', Buffer.from('one\n'));
  output.append('stderr', Buffer.from('two\n'));
  change('INACTIVE', 'clean');
  store.close(ID);
  const events: string[] = [];
  for await (const event of followJob(store, ID, options())) {
    events.push(brief(event));
  }
  t.deepEqual(events, ['state current RUN t=3', 'output stdout "one\\n" @4', 'output stderr "two\\n" @8', 'end job ended INACTIVE']);
});

test('a state change while the follower waits for output goes out at once; other jobs and the submit are not told', async (t) => {
  const { store, output, change, options } = scene(t);
  const session = followJob(store, ID, options());
  t.is(await pull(session), 'state current RUN t=3');
  const waiting = pull(session);
  await settle();
  change('RUN', 'submit');
  change('CLEANUP', 'finish', ID + 1n);
  change('CLEANUP', 'finish');
  t.is(await waiting, 'state finish CLEANUP t=5');
  output.append('stdout', Buffer.from('late\n'));
  t.is(await pull(session), 'output stdout "late\\n" @5');
  store.close(ID);
  t.is(await pull(session), 'end output ended CLEANUP');
  t.is(await pull(session), 'done');
});

test('changes that happen while the consumer is busy go out in order, before the next output', async (t) => {
  const { store, output, change, options } = scene(t);
  const session = followJob(store, ID, options());
  t.is(await pull(session), 'state current RUN t=3');
  output.append('stdout', Buffer.from('a'));
  t.is(await pull(session), 'output stdout "a" @1');
  // The consumer is away (sending "a"): output and changes pile up.
  output.append('stdout', Buffer.from('b'));
  change('CLEANUP', 'finish');
  change('INACTIVE', 'clean');
  store.close(ID);
  t.deepEqual([await pull(session), await pull(session), await pull(session), await pull(session)], ['state finish CLEANUP t=5', 'state clean INACTIVE t=5', 'output stdout "b" @2', 'end job ended INACTIVE']);
});

test('a character cut between two writes is held until it is whole; a job that ends inside one still gets its bytes', async (t) => {
  const { store, output, options } = scene(t);
  const pancake = Buffer.from('🥞');
  const session = followJob(store, ID, options());
  t.is(await pull(session), 'state current RUN t=3');
  const next = pull(session);
  output.append('stdout', Buffer.concat([Buffer.from('ab'), pancake.subarray(0, 2)]));
  t.is(await next, 'output stdout "ab" @2');
  const rest = pull(session);
  // The session reads the cut half and waits for the rest before this write.
  await settle();
  output.append('stdout', pancake.subarray(2));
  t.is(await rest, 'output stdout "🥞" @6');
  output.append('stdout', pancake.subarray(0, 1));
  await settle();
  store.close(ID);
  const last = await session.next();
  t.is(last.value?.kind, 'output');
  t.deepEqual(last.value?.kind === 'output' ? [...last.value.chunk.data] : [], [pancake[0]]);
  t.is(await pull(session), 'end output ended RUN');
});

test('without wholeCharacters (raw bytes) a cut character goes out as it is', async (t) => {
  const { store, output, options } = scene(t);
  const session = followJob(store, ID, options({ wholeCharacters: false, job: undefined }));
  output.append('stdout', Buffer.from('🥞').subarray(0, 2));
  const first = await session.next();
  t.is(first.value?.kind === 'output' ? first.value.chunk.data.length : 0, 2);
});

test('the stop ends the session with its final event while output is awaited, and unsubscribes', async (t) => {
  const { store, listeners, stopping, change, options } = scene(t);
  const session = followJob(store, ID, options());
  t.is(await pull(session), 'state current RUN t=3');
  t.is(listeners.size, 1);
  const waiting = pull(session);
  await settle();
  t.is(store.followerCount(), 1);
  stopping();
  change('INACTIVE', 'clean');
  t.is(await waiting, 'end service stopping');
  t.is(await pull(session), 'done');
  t.is(listeners.size, 0);
  t.is(store.followerCount(), 0);
});

test('a stop that comes while the consumer is busy goes out before any more output', async (t) => {
  const { store, output, stopping, options } = scene(t);
  const session = followJob(store, ID, options());
  t.is(await pull(session), 'state current RUN t=3');
  output.append('stdout', Buffer.from('a'));
  output.append('stderr', Buffer.from('b'));
  t.is(await pull(session), 'output stdout "a" @1');
  stopping();
  t.is(await pull(session), 'end service stopping');
  t.is(await pull(session), 'done');
});

test('a consumer that goes away ends the session without a final event', async (t) => {
  const { store, listeners, options } = scene(t);
  const consumer = new AbortController();
  const session = followJob(store, ID, options({ signal: consumer.signal }));
  t.is(await pull(session), 'state current RUN t=3');
  const waiting = pull(session);
  await settle();
  consumer.abort();
  t.is(await waiting, 'done');
  t.is(listeners.size, 0);
  t.is(store.followerCount(), 0);
});

test('without a job: output only, and the end says the output ended', async (t) => {
  const { store, output, change, options } = scene(t);
  output.append('stdout', Buffer.from('x'));
  change('INACTIVE', 'clean');
  store.close(ID);
  const events: string[] = [];
  for await (const event of followJob(store, ID, options({ job: undefined, cursor: 0 }))) {
    events.push(brief(event));
  }
  t.deepEqual(events, ['output stdout "x" @1', 'end output ended']);
});

test('a follower resumes from its cursor: the bytes before it are not sent again', async (t) => {
  const { store, output, options } = scene(t);
  output.append('stdout', Buffer.from('abc'));
  output.append('stderr', Buffer.from('def'));
  store.close(ID);
  const events: string[] = [];
  for await (const event of followJob(store, ID, options({ job: undefined, cursor: 2 }))) {
    events.push(brief(event));
  }
  t.deepEqual(events, ['output stdout "c" @3', 'output stderr "def" @6', 'end output ended']);
});

test('output removed from under a follower: an error event that names no path, then the end of the session', async (t) => {
  const { store, output, options } = scene(t);
  output.append('stdout', Buffer.from('x'));
  const session = followJob(store, ID, options());
  t.is(await pull(session), 'state current RUN t=3');
  t.is(await pull(session), 'output stdout "x" @1');
  fs.rmSync(output.paths.stdout);
  const error = await session.next();
  t.is(error.value?.kind, 'error');
  const message = error.value?.kind === 'error' ? error.value.message : '';
  t.regex(message, /^output unavailable: .*stdout was removed/);
  t.false(message.includes(output.paths.dir));
  t.is(await pull(session), 'done');
  t.is(store.followerCount(), 0);
});
