/** A read that ends inside a UTF-8 character: followers wait for the rest, pages still advance. */
import test from 'ava';
import type { ReadResult } from '../../src/output/reader.js';
import { endPageOnWholeCharacter, holdBackPartialCharacter } from '../../src/output/whole-characters.js';

const pancake = Buffer.from('🥞');

function read(...parts: [ 'stdout' | 'stderr', Buffer ][]): ReadResult {
  const chunks = parts.map(([stream, data]) => ({ stream, data }));
  const next = chunks.reduce((sum, chunk) => sum + chunk.data.length, 0);
  return { chunks, next, size: next + 10 };
}

test('a follower gives back a cut character with its cursor', (t) => {
  const result = read(['stderr', Buffer.from('x')], ['stdout', Buffer.concat([Buffer.from('ab'), pancake.subarray(0, 3)])]);
  holdBackPartialCharacter(result);
  t.is(result.next, 3);
  t.deepEqual(result.chunks.map((chunk) => chunk.data.toString()), ['x', 'ab']);
});

test('a follower drops a read that is nothing but a cut character (it reads it again later)', (t) => {
  const result = read(['stderr', Buffer.from('x')], ['stdout', pancake.subarray(0, 1)]);
  holdBackPartialCharacter(result);
  t.is(result.next, 1);
  t.deepEqual(result.chunks.map((chunk) => chunk.stream), ['stderr']);
});

test('whole characters and invalid bytes are left alone', (t) => {
  for (const data of [Buffer.concat([Buffer.from('ab'), pancake]), Buffer.from([0x61, 0xff, 0xfe]), Buffer.from('plain')]) {
    const follower = read(['stdout', data]);
    holdBackPartialCharacter(follower);
    t.deepEqual(follower.chunks[0]?.data, data);
    const page = read(['stdout', data]);
    endPageOnWholeCharacter(page);
    t.deepEqual(page.chunks[0]?.data, data);
    t.is(page.next, data.length);
  }
});

test('a page ends before a cut character, unless that is all it holds', (t) => {
  const page = read(['stdout', Buffer.concat([pancake, pancake.subarray(0, 2)])]);
  endPageOnWholeCharacter(page);
  t.is(page.next, 4);
  t.deepEqual(page.chunks[0]?.data, pancake);
  const tiny = read(['stdout', pancake.subarray(0, 2)]);
  endPageOnWholeCharacter(tiny);
  t.is(tiny.next, 2);
  t.is(tiny.chunks[0]?.data.length, 2);
});

test('an empty read stays empty', (t) => {
  const result = read();
  holdBackPartialCharacter(result);
  endPageOnWholeCharacter(result);
  t.deepEqual(result.chunks, []);
  t.is(result.next, 0);
});
