/** Flux's idsets and hostlists. */
import test from 'ava';
import { expandHostlist, formatIdset, parseIdset } from '../../../src/executors/flux/idset.js';

test('idsets: parse and format, brackets as job-list writes ranks', (t) => {
  t.deepEqual(parseIdset('0-2,5'), [0, 1, 2, 5]);
  t.deepEqual(parseIdset('[0-1]'), [0, 1]);
  t.deepEqual(parseIdset(''), []);
  t.is(formatIdset([5, 0, 1, 2]), '0-2,5');
  t.is(formatIdset([0, 1], true), '[0-1]');
  t.is(formatIdset([3], true), '3');
  t.throws(() => parseIdset('a-b'));
});

test('hostlists: duplicates, ranges, zero padding', (t) => {
  t.deepEqual(expandHostlist('vm,vm'), ['vm', 'vm']);
  t.deepEqual(expandHostlist('node[1-3,7],login'), ['node1', 'node2', 'node3', 'node7', 'login']);
  t.deepEqual(expandHostlist('n[08-10]'), ['n08', 'n09', 'n10']);
});
