import test from 'ava';
import { parseJsonLossless, stringifyJson } from '../../src/lib/json.js';

test('bigints are written as exact JSON integers', (t) => {
  const id = (1n << 63n) + 12345n;
  t.is(stringifyJson({ id, list: [id, 1], name: 'x' }), `{"id":${id},"list":[${id},1],"name":"x"}`);
});

test('a string that looks like the bigint marker stays a string', (t) => {
  const text = stringifyJson({ a: '\u0000big123:5', b: 1n });
  t.deepEqual(JSON.parse(text), { a: '\u0000big123:5', b: 1 });
});

test('lossless parsing keeps integers past 2^53', (t) => {
  const parsed = parseJsonLossless('{"id": 36028797018963969, "small": 3, "f": 1.5}') as Record<string, unknown>;
  t.is(parsed.id, 36028797018963969n);
  t.is(parsed.small, 3);
  t.is(parsed.f, 1.5);
});
