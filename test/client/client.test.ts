/** The client's pure parts: SSE framing across any split, time limits, exit codes, error words, the token store. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { readEvents, type SseEvent } from '../../src/client/sse.js';
import { errorMessage } from '../../src/client/errors.js';
import { CredentialStore, configDir, serverKey } from '../../src/client/credentials.js';
import { parseTimeLimit, shortDuration } from '../../src/cli/format/time.js';
import { exitCodeOf } from '../../src/cli/commands/job-words.js';
import { environment } from '../../src/cli/commands/submit.js';
import { renderTable } from '../../src/cli/format/table.js';
import { makeStyle } from '../../src/cli/format/style.js';
import { makeTempDir } from '../helpers/test-server.js';

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) {
        controller.enqueue(encoder.encode(part));
      }
      controller.close();
    },
  });
}

async function collect(parts: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readEvents(streamOf(parts))) {
    events.push(event);
  }
  return events;
}

const STREAM = ': comment\n\nevent: state\ndata: {"state":"RUN"}\n\nevent: output\r\nid: 6\r\ndata: {"data":"h\\u00e9llo"}\r\n\r\nevent: output\nid: 12\ndata: a\ndata: b\n\nevent: end\ndata: {}\n\nevent: output\nid: 99\ndata: cut';

test('SSE events come out the same however the bytes are split, and a cut event never comes out', async (t) => {
  const whole = await collect([STREAM]);
  t.deepEqual(whole, [
    { event: 'state', data: '{"state":"RUN"}' },
    { event: 'output', id: '6', data: '{"data":"h\\u00e9llo"}' },
    { event: 'output', id: '12', data: 'a\nb' },
    { event: 'end', id: '12', data: '{}' },
  ]);
  for (let at = 1; at < STREAM.length; at += 1) {
    t.deepEqual(await collect([STREAM.slice(0, at), STREAM.slice(at)]), whole, `split at ${at}`);
  }
  // Multi-byte characters split across reads.
  const bytes = new TextEncoder().encode('event: output\ndata: ƒé\n\n');
  const split = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, 21));
      controller.enqueue(bytes.subarray(21));
      controller.close();
    },
  });
  const events: SseEvent[] = [];
  for await (const event of readEvents(split)) {
    events.push(event);
  }
  t.deepEqual(events, [{ event: 'output', data: 'ƒé' }]);
});

test('time limits read like flux and sbatch: units, clock forms, bare minutes', (t) => {
  t.is(parseTimeLimit('1h'), 3600);
  t.is(parseTimeLimit('1h30m'), 5400);
  t.is(parseTimeLimit('90s'), 90);
  t.is(parseTimeLimit('2d'), 172800);
  t.is(parseTimeLimit('10'), 600);
  t.is(parseTimeLimit('1.5'), 90);
  t.is(parseTimeLimit('1:30:00'), 5400);
  t.is(parseTimeLimit('05:00'), 300);
  t.is(parseTimeLimit('1-02:00:00'), 93600);
  t.is(parseTimeLimit('soon'), undefined);
  t.is(parseTimeLimit(''), undefined);
  t.is(shortDuration(0.25), '250ms');
  t.is(shortDuration(4.24), '4.2s');
  t.is(shortDuration(184), '3m04s');
  t.is(shortDuration(7500), '2h05m');
});

test('exit codes follow the job: 0 when completed, its return code, else 1', (t) => {
  t.is(exitCodeOf({ result: 'COMPLETED', returncode: 0 }), 0);
  t.is(exitCodeOf({ result: 'FAILED', returncode: 3 }), 3);
  t.is(exitCodeOf({ result: 'TIMEOUT', returncode: 143 }), 143);
  t.is(exitCodeOf({ result: 'CANCELED', returncode: -128 }), 1);
  t.is(exitCodeOf({ result: 'FAILED', returncode: '' }), 1);
  t.is(exitCodeOf({ result: 'FAILED', returncode: 0 }), 1);
});

test('--env NAME=VALUE sets, NAME alone passes this shell\'s value on', (t) => {
  t.deepEqual(environment(['A=1', 'B=x=y', 'C=', 'HOME'], { HOME: '/home/me' }), { A: '1', B: 'x=y', C: '', HOME: '/home/me' });
  t.throws(() => environment(['MISSING'], {}), { message: /not set here/ });
  t.throws(() => environment(['1A=2'], {}), { message: /not a variable name/ });
});

test('error bodies of jobgate and flux-restful-api read as one line', (t) => {
  t.is(errorMessage(422, { detail: [{ loc: ['query', 'num_tasks'], msg: 'Input should be a valid integer' }] }, 'x'), 'num_tasks: Input should be a valid integer');
  t.is(errorMessage(400, { Message: 'Invalid submit request', Errors: ['too many tasks'] }, 'x'), 'Invalid submit request: too many tasks');
  t.is(errorMessage(401, { detail: 'Not authenticated' }, 'x'), 'Not authenticated');
  t.is(errorMessage(500, 'Internal Server Error', 'x'), 'Internal Server Error');
  t.is(errorMessage(502, undefined, 'Bad Gateway'), 'Bad Gateway');
});

test('the token store: one entry per server however it is spelled, private files, the last login is the default', (t) => {
  const home = makeTempDir();
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  t.is(configDir({ XDG_CONFIG_HOME: home }), path.join(home, 'jobgate'));
  t.is(configDir({ HOME: '/home/me' }), '/home/me/.config/jobgate');
  t.is(serverKey('http://Host:5000/'), 'http://host:5000');
  const store = new CredentialStore(configDir({ XDG_CONFIG_HOME: home }));
  t.is(store.get('http://a:1'), undefined);
  store.save('http://a:1/', { token: 't1', user: 'u' });
  store.save('http://b:2', { token: 't2', user: 'v', expiresAt: 5 });
  t.is(store.get('http://A:1')?.token, 't1');
  t.is(store.defaultServer(), 'http://b:2');
  t.is(fs.statSync(store.file).mode & 0o777, 0o600);
  t.true(store.remove('http://a:1'));
  t.false(store.remove('http://a:1'));
  t.is(store.get('http://b:2')?.expiresAt, 5);
});

test('tables align on visible width, colour codes included', (t) => {
  const style = makeStyle(true);
  t.is(renderTable(['A', 'STATE', 'Z'], [['x', style.red('FAILED'), '1'], ['longer', 'RUN', '22']]).replace(/\u001b\[\d+m/g, ''), 'A       STATE   Z\nx       FAILED  1\nlonger  RUN     22\n');
});
