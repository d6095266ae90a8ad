/** Output: cursors, tails, streams kept apart, byte-exactness, SSE with exact resume, the legacy stream, many followers. */
import http from 'node:http';
import test from 'ava';
import { startTestServer, submitJob, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { openSse } from '../helpers/sse.js';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(async () => {
  await server.close();
});

test('since and cursor page through the output without loss or overlap', async (t) => {
  const id = await submitJob(server, { command: 'seq 1 5000' });
  await waitForJobEnd(server, id);
  let cursor = 0;
  let text = '';
  let pages = 0;
  for (let complete = false; !complete; pages += 1) {
    const body = (await server.request.get(`/v1/jobs/${id}/output`).query({ since: cursor, max_bytes: 1000 })).body;
    t.is(body.start, cursor);
    text += (body.Output as string[]).join('');
    cursor = body.cursor;
    complete = body.complete;
  }
  t.true(pages > 20);
  t.is(text, Array.from({ length: 5000 }, (_, i) => `${i + 1}\n`).join(''));
});

test('tail starts at the last N lines, also for a final line without newline', async (t) => {
  const id = await submitJob(server, { command: 'printf "a\\nb\\nc\\nd"' });
  await waitForJobEnd(server, id);
  t.deepEqual((await server.request.get(`/v1/jobs/${id}/output`).query({ tail: 2 })).body.Output, ['c\n', 'd']);
  t.deepEqual((await server.request.get(`/v1/jobs/${id}/output`).query({ tail: 10 })).body.Output, ['a\n', 'b\n', 'c\n', 'd']);
});

test('invalid UTF-8 and escape sequences survive byte-exact (chunks and raw formats)', async (t) => {
  const id = await submitJob(server, { command: "printf 'ok\\377\\376\\000\\001end\\n\\033[31mred\\033[0m\\n'" });
  await waitForJobEnd(server, id);
  const expected = Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x00, 0x01, 0x65, 0x6e, 0x64, 0x0a, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x72, 0x65, 0x64, 0x1b, 0x5b, 0x30, 0x6d, 0x0a]);
  const raw = await server.request.get(`/v1/jobs/${id}/output`).query({ format: 'raw' }).buffer(true).parse((response, done) => {
    const parts: Buffer[] = [];
    response.on('data', (part: Buffer) => parts.push(part));
    response.on('end', () => done(null, Buffer.concat(parts)));
  });
  t.deepEqual(raw.body, expected);
  const chunks = (await server.request.get(`/v1/jobs/${id}/output`).query({ format: 'chunks' })).body.chunks as { data: string; encoding?: string }[];
  const rebuilt = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.data, chunk.encoding === 'base64' ? 'base64' : 'utf8')));
  t.deepEqual(rebuilt, expected);
  t.true(chunks.some((chunk) => chunk.encoding === 'base64'));
});

test('a page never ends inside a UTF-8 character', async (t) => {
  const id = await submitJob(server, { command: 'printf "🥞🥞🥞"' });
  await waitForJobEnd(server, id);
  const first = (await server.request.get(`/v1/jobs/${id}/output`).query({ max_bytes: 6 })).body;
  t.deepEqual(first.Output, ['🥞']);
  t.is(first.cursor, 4);
  const rest = (await server.request.get(`/v1/jobs/${id}/output`).query({ since: first.cursor })).body;
  t.deepEqual(rest.Output, ['🥞🥞']);
});

test('an unknown or invalid job: 404 and 400', async (t) => {
  t.is((await server.request.get('/v1/jobs/123/output')).status, 404);
  t.is((await server.request.get('/v1/jobs/xyz/output')).status, 400);
  t.is((await server.request.get('/v1/jobs/123/output/events')).status, 404);
  t.is((await server.request.get('/v1/jobs/123/output/stream')).status, 404);
});

test('SSE: output and state arrive live, event ids are cursors, and Last-Event-ID resumes exactly', async (t) => {
  const id = await submitJob(server, { command: 'sh -c "for i in 1 2 3 4 5 6; do echo line$i; sleep 0.15; done"' });
  const first = await openSse(`${server.url}/v1/jobs/${id}/output/events`);
  t.is(first.status, 200);
  t.regex(String(first.headers['content-type']), /text\/event-stream/);
  const third = await first.waitFor((event) => event.event === 'output' && event.data.includes('line3'));
  first.close();
  // Under load two lines can share an event: the id is the cursor after everything delivered so far.
  const delivered = first.events.slice(0, first.events.indexOf(third) + 1).filter((event) => event.event === 'output').map((event) => JSON.parse(event.data).data as string).join('');
  t.true(delivered.startsWith('line1\nline2\nline3\n'));
  t.is(third.id, String(Buffer.byteLength(delivered)));
  const resumed = await openSse(`${server.url}/v1/jobs/${id}/output/events`, { 'Last-Event-ID': third.id ?? '' });
  const end = await resumed.waitFor((event) => event.event === 'end');
  const text = resumed.events.filter((event) => event.event === 'output').map((event) => JSON.parse(event.data).data as string).join('');
  t.is(delivered + text, 'line1\nline2\nline3\nline4\nline5\nline6\n');
  t.is(JSON.parse(end.data).job.result, 'COMPLETED');
  t.true(resumed.events.some((event) => event.event === 'state' && JSON.parse(event.data).state === 'INACTIVE'));
});

test('SSE for a finished job replays everything and ends', async (t) => {
  const id = await submitJob(server, { command: 'sh -c "echo a; echo b >&2"' });
  await waitForJobEnd(server, id);
  const stream = await openSse(`${server.url}/v1/jobs/${id}/output/events`);
  await stream.ended;
  const outputs = stream.events.filter((event) => event.event === 'output').map((event) => JSON.parse(event.data) as { stream: string; data: string });
  t.deepEqual(outputs.map((o) => o.stream).sort(), ['stderr', 'stdout']);
  t.is(stream.events[stream.events.length - 1]?.event, 'end');
});

test('the legacy stream sends the raw output until the job ends', async (t) => {
  const id = await submitJob(server, { command: 'sh -c "echo one; sleep 0.3; echo two"' });
  const body = await new Promise<string>((resolve, reject) => {
    http.get(`${server.url}/v1/jobs/${id}/output/stream`, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (part: string) => { text += part; });
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
  t.is(body, 'one\ntwo\n');
});

test('many followers of one job all get everything; a stalled one holds nobody back', async (t) => {
  // ~6 MB: far more than socket buffers hold, so the stalled follower really stalls.
  const id = await submitJob(server, { command: 'sh -c "sleep 0.3; seq 1 800000; sleep 0.2"' });
  const expectedBytes = Array.from({ length: 800000 }, (_, i) => `${i + 1}\n`).join('').length;
  const stalled = await openSse(`${server.url}/v1/jobs/${id}/output/events`);
  stalled.pause();
  const followers = await Promise.all(Array.from({ length: 8 }, () => openSse(`${server.url}/v1/jobs/${id}/output/events`)));
  await Promise.all(followers.map((follower) => follower.waitFor((event) => event.event === 'end', 60000)));
  for (const follower of followers) {
    const bytes = follower.events.filter((event) => event.event === 'output').reduce((sum, event) => sum + (JSON.parse(event.data).data as string).length, 0);
    t.is(bytes, expectedBytes);
    follower.close();
  }
  t.is((await waitForJobEnd(server, id)).result, 'COMPLETED');
  t.false(stalled.events.some((event) => event.event === 'end'));
  stalled.resume();
  await stalled.waitFor((event) => event.event === 'end', 60000);
  const stalledBytes = stalled.events.filter((event) => event.event === 'output').reduce((sum, event) => sum + (JSON.parse(event.data).data as string).length, 0);
  t.is(stalledBytes, expectedBytes);
  stalled.close();
});

test('a large output is paged, never returned whole', async (t) => {
  const id = await submitJob(server, { command: 'head -c 20000000 /dev/zero' });
  await waitForJobEnd(server, id, 30000);
  const page = await server.request.get(`/v1/jobs/${id}/output`).query({ format: 'raw', max_bytes: 1048576 }).buffer(true).parse((response, done) => {
    let size = 0;
    response.on('data', (part: Buffer) => { size += part.length; });
    response.on('end', () => done(null, size));
  });
  t.is(page.body, 1048576);
  t.is(page.headers['x-output-size'], '20000000');
  t.is(page.headers['x-output-complete'], 'false');
  const tail = (await server.request.get(`/v1/jobs/${id}/output`).query({ since: 19999990, format: 'chunks' })).body;
  t.is(tail.cursor, 20000000);
  t.true(tail.complete);
});
