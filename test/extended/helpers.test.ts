/** Small pieces of the extended API: token buckets, times, sort, selections, stale-if-error, CSV cells. */
import test from 'ava';
import { TokenBuckets } from '../../src/lib/token-bucket.js';
import { parseTime } from '../../src/http/api/extended/filter-values.js';
import { isEmptySelection, parseSort } from '../../src/http/api/extended/job-selection.js';
import { staleIfError } from '../../src/http/middleware/http-cache.js';
import { ExportWriter } from '../../src/http/presenters/job-export.js';
import { jobRecord } from '../helpers/seed-jobs.js';

test('token bucket: a burst of capacity, then the refill rate; full buckets are forgotten', (t) => {
  let now = 0;
  const buckets = new TokenBuckets(3, 2, () => now);
  t.deepEqual([1, 2, 3].map(() => buckets.take('a').allowed), [true, true, true]);
  const refused = buckets.take('a');
  t.like(refused, { allowed: false, remaining: 0, retryAfterSeconds: 1 });
  now = 500; // half a second: one token back
  t.like(buckets.take('a'), { allowed: true, remaining: 0 });
  t.true(buckets.take('b').allowed, 'another key has its own bucket');
  now = 10_000;
  buckets.take('c');
  t.is(buckets.size, 1, 'a and b refilled completely and were dropped');
  t.is(buckets.take('a').remaining, 2);
});

test('times: epoch seconds, ISO dates and date-times (UTC unless an offset is given)', (t) => {
  t.is(parseTime('1700000000'), 1_700_000_000);
  t.is(parseTime('1700000000.25'), 1_700_000_000.25);
  t.is(parseTime(12), 12);
  t.is(parseTime('2023-11-14T22:13:20Z'), 1_700_000_000);
  t.is(parseTime('2023-11-14T22:13:20'), 1_700_000_000);
  t.is(parseTime('2023-11-14 23:13:20+01:00'), 1_700_000_000);
  t.is(parseTime('2023-11-14'), 1_699_920_000);
  t.is(parseTime('yesterday'), undefined);
  t.is(parseTime('2023-13-45T00:00:00Z'), undefined);
});

test('sort: names, - for descending, :asc/:desc, a default direction; unknown columns refused', (t) => {
  t.deepEqual(parseSort(['name', '-t_submit', 'owner:desc', '+urgency'], 'desc'), [
    { column: 'name', direction: 'desc' }, { column: 't_submit', direction: 'desc' }, { column: 'owner', direction: 'desc' }, { column: 'urgency', direction: 'asc' },
  ]);
  t.throws(() => parseSort(['password'], undefined), { message: /not a sortable column/ });
  t.throws(() => parseSort(['name:sideways'], undefined), { message: /not a direction/ });
});

test('an empty selection says nothing, whatever empty values it holds', (t) => {
  t.true(isEmptySelection({}));
  t.true(isEmptySelection({ state: [], metadata: {}, submitted: { from: undefined }, q: '  ' }));
  t.false(isEmptySelection({ metadata: { run: undefined } }));
  t.false(isEmptySelection({ held: false }));
  t.false(isEmptySelection({ ended: { to: 5 } }));
});

test('stale-if-error is read from a request Cache-Control', (t) => {
  t.is(staleIfError('max-age=0, stale-if-error=60'), 60);
  t.is(staleIfError('stale-if-error="5"'), 5);
  t.is(staleIfError('no-cache'), undefined);
  t.is(staleIfError('stale-if-error=abc'), undefined);
});

test('CSV rows: quoting, formula guard on text only, empty for null', (t) => {
  const writer = new ExportWriter('csv', ['id', 'name', 'returncode', 'queue', 'command'], 'epoch', 0);
  t.is(writer.head(), 'id,name,returncode,queue,command\r\n');
  const job = { ...jobRecord({ id: 5n, name: '+cmd,"x"', t_submit: 1, result: 'FAILED' }), returncode: -15, command: ['echo', "it's"] };
  t.is(writer.row({ job, labels: undefined }, true), '5,"\'+cmd,""x""",-15,,echo \'it\'\\\'\'s\'\r\n');
});
