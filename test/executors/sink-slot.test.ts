import test from 'ava';
import { SinkSlot } from '../../src/executors/sink-slot.js';
import type { ExecutorSink } from '../../src/executors/types.js';
import type { ExecutorEvent } from '../../src/model/executor-events.js';
import type { LiveOutput } from '../../src/output/live-output.js';

function recordingSlot(): { slot: SinkSlot; events: ExecutorEvent[] } {
  const events: ExecutorEvent[] = [];
  const sink: ExecutorSink = {
    event: (event) => events.push(event),
    backendRef: () => undefined,
    output: () => ({}) as LiveOutput,
    log: () => undefined,
  };
  const slot = new SinkSlot('test');
  slot.set(sink);
  return { slot, events };
}

test('a job that ran ends with finish, release, free and clean, all at one time', (t) => {
  const { slot, events } = recordingSlot();
  slot.reportEnd(7n, 12.5, 256);
  t.deepEqual(events, [
    { id: 7n, t: 12.5, name: 'finish', status: 256 },
    { id: 7n, t: 12.5, name: 'release' },
    { id: 7n, t: 12.5, name: 'free' },
    { id: 7n, t: 12.5, name: 'clean' },
  ]);
});

test('an unknown status leaves finish out; the job still releases its resources and is clean', (t) => {
  const { slot, events } = recordingSlot();
  slot.reportEnd(8n, 3, null);
  t.deepEqual(events.map((event) => event.name), ['release', 'free', 'clean']);
});

test('a report before start() is a programming error, said loudly', (t) => {
  const slot = new SinkSlot('test');
  t.throws(() => slot.reportEnd(1n, 0, 0), { message: 'test executor used before start()' });
});
