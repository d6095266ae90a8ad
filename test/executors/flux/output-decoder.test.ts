/**
 * Output eventlogs → bytes, from recorded eventlogs: text and base64 data written back
 * byte-exact, stdout and stderr apart, the shell's log and redirect events noted on stderr
 * with the words `flux job attach` prints, completeness from the header's counts, and a
 * replay that skips what is stored already.
 */
import test from 'ava';
import { OutputDecoder, logNote, redirectNote, type OutputTarget } from '../../../src/executors/flux/output-decoder.js';
import type { EventlogEntry } from '../../../src/executors/flux/flux-events.js';
import { recorded } from './recordings.js';

class Collect implements OutputTarget {
  stdout = Buffer.alloc(0);
  stderr = Buffer.alloc(0);
  append(stream: 'stdout' | 'stderr', data: Buffer): void {
    this[stream] = Buffer.concat([this[stream], data]);
  }
}

function events(file: string, cmd: string): EventlogEntry[] {
  return recorded(file, cmd).stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as EventlogEntry);
}

function decode(entries: EventlogEntry[], stored = { stdout: 0, stderr: 0 }): { out: Collect; decoder: OutputDecoder } {
  const out = new Collect();
  const decoder = new OutputDecoder(out, stored);
  for (const entry of entries) {
    decoder.handle(entry);
  }
  return { out, decoder };
}

const FILE = '12-output-unicode-and-binary.json';

test('output: UTF-8 text, emoji and variation selector included, byte for byte', (t) => {
  const { out, decoder } = decode(events(FILE, "flux job eventlog -f json -p output 'ƒZS7wj3u'"));
  t.deepEqual(out.stdout, Buffer.from('pancakes \xf0\x9f\xa5\x9e\xef\xb8\x8f\n', 'latin1'));
  t.is(out.stderr.length, 0);
  t.true(decoder.complete);
});

test('output: base64 data (not UTF-8, with a NUL) written back as the raw bytes', (t) => {
  const { out } = decode(events(FILE, "flux job eventlog -f json -p output 'ƒZdvt1FD'"));
  t.deepEqual(out.stdout, Buffer.from('ok\xff\xfe\x00\x01end\n', 'latin1'));
});

test('output: no final newline, CR/LF and tabs survive', (t) => {
  t.is(decode(events(FILE, "flux job eventlog -f json -p output 'ƒZk1j4KH'")).out.stdout.toString(), 'no newline at end');
  t.is(decode(events(FILE, "flux job eventlog -f json -p output 'ƒZqqkEZu'")).out.stdout.toString(), 'a\tb\r\nc\n');
});

test('output: stdout and stderr apart (the recorded job wrote out, then err)', (t) => {
  const { out } = decode(events('04-lifecycle-failure-exit3.json', "flux job eventlog -f json -p output 'ƒ4NBiSt7'"));
  t.is(out.stdout.toString(), 'out\n');
  t.is(out.stderr.toString(), 'err\n');
});

test('output: a start failure is noted on stderr as flux job attach prints it', (t) => {
  const { out, decoder } = decode(events('05-lifecycle-exec-failure.json', "flux job eventlog -f json -p output 'ƒ4m4bN6j'"));
  const note = 'flux-shell[0]: FATAL: task 0 (host vm): start failed: no-such-command-xyz: No such file or directory\n';
  t.is(out.stderr.toString(), note);
  // attach prints the same words after its time prefix
  t.true(recorded('attach.json', "flux job attach 'ƒ4m4bN6j'").stderr.includes(note.trimEnd()));
  t.false(decoder.complete, 'no eof events: complete only when the watch ends');
});

test('output: log levels, components and redirects in attach words', (t) => {
  t.is(logNote({ rank: 0, level: 3, message: 'host vm: Could not change dir to /nonexistent: No such file or directory. Going to /tmp instead' }),
    'flux-shell[0]: ERROR: host vm: Could not change dir to /nonexistent: No such file or directory. Going to /tmp instead\n');
  t.true(recorded('attach.json', "flux job attach 'ƒoeBiXEo'").stderr.includes('flux-shell[0]: ERROR: host vm: Could not change dir to /nonexistent'));
  t.is(logNote({ level: 5, message: 'x', component: 'rlimit' }), 'flux-shell: rlimit: x\n');
  t.is(redirectNote({ stream: 'stdout', rank: '0-1', path: '/tmp/out.log' }), '0-1: stdout redirected to /tmp/out.log\n');
  const { out } = decode([{ timestamp: 1, name: 'redirect', context: { stream: 'stderr', rank: '0', path: '/tmp/e' } }]);
  t.is(out.stderr.toString(), '0: stderr redirected to /tmp/e\n');
});

test('output: complete once every task ended both streams (header counts, eof rank idsets)', (t) => {
  const header: EventlogEntry = { timestamp: 1, name: 'header', context: { version: 1, count: { stdout: 2, stderr: 2 } } };
  const eof = (stream: string, rank: string): EventlogEntry => ({ timestamp: 2, name: 'data', context: { stream, rank, eof: true } });
  t.false(decode([header, eof('stdout', '0'), eof('stderr', '0'), eof('stdout', '1')]).decoder.complete);
  t.true(decode([header, eof('stdout', '0-1'), eof('stderr', '0'), eof('stderr', '1')]).decoder.complete);
});

test('output: repeat, and a replay skips the bytes already stored', (t) => {
  const data = (text: string, extra: Record<string, unknown> = {}): EventlogEntry => ({ timestamp: 1, name: 'data', context: { stream: 'stdout', rank: '0', data: text, ...extra } });
  t.is(decode([data('ab', { repeat: 3 })]).out.stdout.toString(), 'ababab');
  const { out } = decode([data('line 1\n'), data('line 2\n'), data('line 3\n')], { stdout: 12, stderr: 0 });
  t.is(out.stdout.toString(), '2\nline 3\n');
});
