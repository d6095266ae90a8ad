import test from 'ava';
import { cpusFor, StepQueue, type Queued } from '../../../src/executors/slurm/step-queue.js';
import type { JobSpec } from '../../../src/model/job.js';

const spec = { numTasks: 2, coresPerTask: 3, numNodes: null, exclusive: false } as JobSpec;
const nodes = [{ name: 'n1', cpus: 8 }, { name: 'n2', cpus: 8 }];

test('a step takes its tasks’ CPUs; an exclusive one whole nodes; unknown allocations count nothing', (t) => {
  t.is(cpusFor(spec, nodes), 6);
  t.is(cpusFor({ ...spec, exclusive: true }, nodes), 8);
  t.is(cpusFor({ ...spec, exclusive: true, numNodes: 2 }, nodes), 16);
  t.is(cpusFor({ ...spec, numTasks: 100 }, nodes), 16);
  t.is(cpusFor(spec, []), 0);
});

test('urgency first, then submit order; the head goes first or nobody does; 0 holds', (t) => {
  const queue = new StepQueue<Queued>();
  queue.add({ id: 1n, urgency: 16, cpus: 4 });
  queue.add({ id: 2n, urgency: 16, cpus: 1 });
  queue.add({ id: 3n, urgency: 31, cpus: 2 });
  t.is(queue.take(8)?.id, 3n);
  t.is(queue.take(3), undefined, 'job 1 needs 4: job 2 behind it waits too');
  t.is(queue.take(4)?.id, 1n);
  queue.setUrgency(2n, 0);
  t.is(queue.take(8), undefined, 'held');
  queue.setUrgency(2n, 16);
  t.is(queue.peek(8)?.id, 2n);
  t.is(queue.remove(2n)?.id, 2n);
  t.is(queue.size, 0);
});
