/** Where a follower starts: Last-Event-ID, then tail, then since, then the beginning. */
import fs from 'node:fs';
import test from 'ava';
import type { OutputView } from '../../src/output/layout.js';
import { OutputStore } from '../../src/output/output-store.js';
import { resumeCursor, startCursor } from '../../src/output/start-cursor.js';
import { makeTempDir } from '../helpers/test-server.js';

/** A reader whose tail of N lines starts at 1000 + N, and that remembers what it was asked. */
function fakeReader(): { asked: [OutputView, number][]; tailCursor(view: OutputView, lines: number): number } {
  const asked: [OutputView, number][] = [];
  return { asked, tailCursor: (view, lines) => { asked.push([view, lines]); return 1000 + lines; } };
}

test('a last event id that is a cursor wins over tail and since, and spares the tail scan', (t) => {
  const reader = fakeReader();
  t.is(startCursor(reader, 'all', { lastEventId: '42', tail: 3, since: 7 }), 42);
  t.is(startCursor(reader, 'all', { lastEventId: '0', since: 7 }), 0);
  t.deepEqual(reader.asked, []);
});

test('without a usable last event id: the tail, else since, else the beginning', (t) => {
  const reader = fakeReader();
  t.is(startCursor(reader, 'stderr', { lastEventId: 'abc', tail: 3, since: 7 }), 1003);
  t.deepEqual(reader.asked, [['stderr', 3]]);
  t.is(startCursor(reader, 'all', { lastEventId: '', since: 7 }), 7);
  t.is(startCursor(reader, 'all', {}), 0);
  t.is(startCursor(reader, 'stdout', { tail: 0 }), 1000);
});

test('only plain decimal cursors below 2^53 resume', (t) => {
  t.is(resumeCursor('123'), 123);
  t.is(resumeCursor('9007199254740991'), Number.MAX_SAFE_INTEGER);
  for (const refused of [undefined, '', '-1', '1.5', '1e3', ' 12', '0x10', '12345678901234567']) {
    t.is(resumeCursor(refused), undefined, String(refused));
  }
});

test('a tail counts lines back from the end of the real output', (t) => {
  const dataDir = makeTempDir();
  const store = new OutputStore({ dataDir });
  t.teardown(() => {
    store.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const output = store.create(7n);
  output.append('stdout', Buffer.from('a\nb\n'));
  output.append('stderr', Buffer.from('c\nd'));
  const reader = store.reader(7n);
  t.is(startCursor(reader, 'all', { tail: 2 }), 4);
  t.is(startCursor(reader, 'stdout', { tail: 1 }), 2);
  t.is(startCursor(reader, 'all', { tail: 9, since: 3 }), 0);
});
