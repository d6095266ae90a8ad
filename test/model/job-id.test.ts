import test from 'ava';
import { FluidGenerator, parseJobId, toDothex, toF58, toHex } from '../../src/model/job-id.js';

// Every form of one id, as `flux job id` printed them (recorded transcript 02).
const RECORDED = { dec: 80597745664n, f58: 'ƒ37o9WoZ', hex: '0x12c4000000', dothex: '0000.0012.c400.0000', kvs: 'job.0000.0012.c400.0000' };

test('encodes ids exactly as flux job id does', (t) => {
  t.is(toF58(RECORDED.dec), RECORDED.f58);
  t.is(toF58(RECORDED.dec, true), 'f37o9WoZ');
  t.is(toHex(RECORDED.dec), RECORDED.hex);
  t.is(toDothex(RECORDED.dec), RECORDED.dothex);
  t.is(toF58(0n), 'ƒ1');
  t.is(toF58(1n), 'ƒ2');
  t.is(toF58((1n << 64n) - 1n), 'ƒjpXCZedGfVQ');
});

test('parses every accepted form back to the same id', (t) => {
  for (const form of [String(RECORDED.dec), RECORDED.f58, 'f37o9WoZ', RECORDED.hex, RECORDED.dothex, RECORDED.kvs]) {
    t.is(parseJobId(form), RECORDED.dec, form);
  }
  t.is(parseJobId('ƒjpXCZedGfVQ'), (1n << 64n) - 1n);
  t.is(parseJobId('18446744073709551615'), (1n << 64n) - 1n);
});

test('rejects what is not an id, as Flux does', (t) => {
  for (const bad of ['', 'not-an-id', '37o9WoZ', '18446744073709551616', 'ƒ0OIl', '-1', '1.5', '0x', 'ƒ', 'job.1', '12 34', '0x10000000000000000']) {
    t.is(parseJobId(bad), null, bad);
  }
});

test('FLUIDs grow with time and never repeat, even when the clock stands still or goes back', (t) => {
  let now = 1_000_000;
  const generator = new FluidGenerator(0, () => now);
  const seen = new Set<bigint>();
  let previous = -1n;
  for (let index = 0; index < 2000; index += 1) {
    if (index === 1000) {
      now -= 500;
    }
    if (index % 7 === 0) {
      now += 1;
    }
    const id = generator.next();
    t.true(id > previous);
    t.false(seen.has(id));
    seen.add(id);
    previous = id;
  }
});

test('an id issued before a restart is never issued again', (t) => {
  const generator = new FluidGenerator(0, () => 5);
  generator.observe((5n << 24n) | 9n);
  t.is(generator.next(), (5n << 24n) | 10n);
});

test('ids beyond 2^53 after six days of uptime', (t) => {
  const generator = new FluidGenerator(0, () => 7 * 86400 * 1000);
  t.true(generator.next() > BigInt(Number.MAX_SAFE_INTEGER));
});
