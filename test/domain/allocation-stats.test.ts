/** The allocation statistics on hand-made job spans whose answers are worked out by hand. */
import test from 'ava';
import { allocationBuckets, waitPercentiles } from '../../src/domain/usage/allocation-stats.js';
import type { JobSpan } from '../../src/db/stats-repository.js';

const span = (fields: Partial<JobSpan>): JobSpan => ({ t_submit: 0, t_run: null, t_cleanup: null, t_inactive: null, ncores: 1, ngpus: 0, ...fields });

test('cores, pending and running are time-weighted per bucket; ended jobs count per minute', (t) => {
  const spans = [
    // Waited 30 s, ran 4 cores for 90 s (from 30 to 120), ended at 120.
    span({ t_submit: 0, t_run: 30, t_cleanup: 120, t_inactive: 120, ncores: 4, ngpus: 1 }),
    // Still pending at the end of the window.
    span({ t_submit: 60 }),
  ];
  const buckets = allocationBuckets(spans, 0, 180, 60);
  t.deepEqual(buckets.t, [0, 60, 120]);
  t.deepEqual(buckets.cores_allocated, [2, 4, 0]);
  t.deepEqual(buckets.gpus_allocated, [0.5, 1, 0]);
  t.deepEqual(buckets.running, [0.5, 1, 0]);
  t.deepEqual(buckets.pending, [0.5, 1, 1]);
  t.deepEqual(buckets.ended_per_minute, [0, 0, 1]);
});

test('wait percentiles over the jobs that started in the window (nearest rank)', (t) => {
  const spans = [10, 20, 30, 40].map((wait, index) => span({ t_submit: 100 + index, t_run: 100 + index + wait }));
  t.deepEqual(waitPercentiles(spans, 0, 1000), { count: 4, p50: 20, p90: 40, p99: 40 });
  t.deepEqual(waitPercentiles(spans, 2000, 3000), { count: 0, p50: null, p90: null, p99: null });
});
