import test from 'ava';
import { cpusFor } from '../../../src/executors/slurm/allocation.js';
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
