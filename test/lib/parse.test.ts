import test from 'ava';
import { parseBoolean, parseDuration, parseInteger, formatDuration } from '../../src/lib/parse.js';
import { splitCommand } from '../../src/lib/shellwords.js';
import { parsePythonDict } from '../../src/lib/python-literal.js';
import { completeUtf8Length, splitLines } from '../../src/output/utf8.js';

test('booleans as FastAPI read them', (t) => {
  for (const word of ['true', 'True', 'TRUE', '1', 'yes', 'on', 't', 'y']) t.is(parseBoolean(word), true, word);
  for (const word of ['false', 'False', '0', 'no', 'off', 'f', 'n']) t.is(parseBoolean(word), false, word);
  for (const word of ['', 'maybe', '2', 'truee']) t.is(parseBoolean(word), undefined, word);
});

test('integers: decimal within the safe range only', (t) => {
  t.is(parseInteger('42'), 42);
  t.is(parseInteger(' -7 '), -7);
  for (const bad of ['4.2', '1e3', 'NaN', '0x10', '18446744073709551616', '9007199254740993', '']) t.is(parseInteger(bad), undefined, bad);
});

test('human durations', (t) => {
  t.is(parseDuration('90'), 90);
  t.is(parseDuration('90s'), 90);
  t.is(parseDuration('15m'), 900);
  t.is(parseDuration('1h30m'), 5400);
  t.is(parseDuration('2d'), 172800);
  t.is(parseDuration('1.5h'), 5400);
  for (const bad of ['', 'soon', '5x', '1h 30m', 'm']) t.is(parseDuration(bad), undefined, bad);
  t.is(formatDuration(5400), '1h30m');
  t.is(formatDuration(90), '1m30s');
});

test('commands split like Python shlex.split (flux-restful-api), never expanded', (t) => {
  t.deepEqual(splitCommand('echo "a b" c|d $HOME'), { words: ['echo', 'a b', 'c|d', '$HOME'] });
  t.deepEqual(splitCommand("sh -c 'echo $X; exit 3'"), { words: ['sh', '-c', 'echo $X; exit 3'] });
  t.deepEqual(splitCommand('echo pancakes 🥞️🥞️🥞️'), { words: ['echo', 'pancakes', '🥞️🥞️🥞️'] });
  t.true('error' in splitCommand('echo "unterminated'));
});

test('Python dict literals from the Python client', (t) => {
  t.deepEqual(parsePythonDict("{'FOO': 'bar', 'N': 3, 'B': True, 'Q': \"it's\"}"), { FOO: 'bar', N: 3, B: true, Q: "it's" });
  t.deepEqual(parsePythonDict('{}'), {});
  t.deepEqual(parsePythonDict("{'A': 'x\\ny'}"), { A: 'x\ny' });
  for (const bad of ["{'A': [1]}", "{'A' 'b'}", "{'A': 'b'", '__import__("os")', "{'A': 'b'} extra"]) t.is(parsePythonDict(bad), undefined, bad);
});

test('UTF-8 boundaries are never cut', (t) => {
  const pancake = Buffer.from('🥞');
  t.is(completeUtf8Length(Buffer.concat([Buffer.from('ab'), pancake.subarray(0, 2)])), 2);
  t.is(completeUtf8Length(Buffer.concat([Buffer.from('ab'), pancake])), 6);
  t.is(completeUtf8Length(Buffer.from([0x61, 0xff, 0xfe])), 3);
  t.deepEqual(splitLines('a\nb\r\n\nc'), ['a\n', 'b\r\n', '\n', 'c']);
});
