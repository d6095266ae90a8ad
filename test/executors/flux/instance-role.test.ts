/** Initial program or beside: what service/stop ends with. */
import test from 'ava';
import { ancestors, detectRole } from '../../../src/executors/flux/instance-role.js';

const chain = [
  { pid: 40, ppid: 30, comm: 'node' },
  { pid: 30, ppid: 1, comm: 'flux-broker-0' },
  { pid: 1, ppid: 0, comm: 'init' },
];

test('role: a broker ancestor with the instance broker pid means initial program', (t) => {
  t.is(detectRole({}, 30, chain), 'initial-program');
  t.is(detectRole({}, null, chain), 'initial-program');
});

test('role: another broker, no broker, or a job of the instance means beside', (t) => {
  t.is(detectRole({}, 99, chain), 'beside');
  t.is(detectRole({}, 30, [{ pid: 40, ppid: 1, comm: 'node' }]), 'beside');
  t.is(detectRole({ FLUX_JOB_ID: 'ƒ2' }, 30, chain), 'beside');
});

test('role: the process tree is read from /proc', (t) => {
  const mine = ancestors();
  t.true(mine.length > 0);
  t.is(mine[0]?.pid, process.ppid);
});
