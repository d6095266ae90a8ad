/** Nodes from the recorded `flux resource list` / `flux resource status` outputs. */
import test from 'ava';
import { parseNodes, parseRlist, RESOURCE_LIST_ARGS, RESOURCE_STATUS_ARGS } from '../../../src/executors/flux/node-list.js';
import { recorded } from './recordings.js';

const LIST = `flux ${RESOURCE_LIST_ARGS.slice(0, 4).join(' ')} '${RESOURCE_LIST_ARGS[4] ?? ''}'`;
const STATUS = `flux ${RESOURCE_STATUS_ARGS.slice(0, 4).join(' ')} '${RESOURCE_STATUS_ARGS[4] ?? ''}'`;

test('nodes: one node, two cores, idle', (t) => {
  const nodes = parseNodes(recorded('14-resources-size1.json', LIST).stdout, recorded('14-resources-size1.json', STATUS).stdout, () => [7n]);
  t.deepEqual(nodes, [{ name: 'vm', state: 'idle', cores: 2, coresBusy: 0, gpus: 0, gpusBusy: 0, jobs: [7n] }]);
});

test('nodes: two ranks with the same host name stay two nodes', (t) => {
  const nodes = parseNodes(recorded('15-resources-size2.json', LIST).stdout, recorded('15-resources-size2.json', STATUS).stdout);
  t.deepEqual(nodes.map((node) => [node.name, node.state, node.cores]), [['vm', 'idle', 2], ['vm', 'idle', 2]]);
});

test('nodes: allocated cores, a drained rank, GPUs', (t) => {
  const busy = parseNodes('free 0 0 0  \nallocated 2 4 0 vm,vm rank[0-1]/core[0-1]\ndown 0 0 0  \n', 'avail 2 0-1 vm,vm\n');
  t.deepEqual(busy.map((node) => [node.state, node.coresBusy]), [['allocated', 2], ['allocated', 2]]);
  const drained = parseNodes('free 1 2 0 vm rank0/core[0-1]\nallocated 0 0 0  \ndown 1 2 0 vm rank1/core[0-1]\n', 'avail 1 0 vm\ndrained 1 1 vm\n');
  t.deepEqual(drained.map((node) => [node.state, node.cores, node.coresBusy]), [['idle', 2, 0], ['drained', 2, 0]]);
  const mixed = parseNodes('free 1 3 1 gpu1 rank0/core[1-3],gpu1\nallocated 1 1 1 gpu1 rank0/core0,gpu0\ndown 0 0 0  \n', 'avail 1 0 gpu1\n');
  t.deepEqual(mixed, [{ name: 'gpu1', state: 'mixed', cores: 4, coresBusy: 1, gpus: 2, gpusBusy: 1, jobs: [] }]);
  t.deepEqual([...parseRlist('rank[0-1]/core[0-1] rank3/core0').entries()], [[0, { cores: 2, gpus: 0 }], [1, { cores: 2, gpus: 0 }], [3, { cores: 1, gpus: 0 }]]);
});
