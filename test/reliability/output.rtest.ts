/**
 * Output under faults and hostile bytes: a job's output files removed under its followers
 * (they get an error event and their stream ends; every other follower, and the service, goes
 * on), and output full of escape sequences, invalid UTF-8, NUL and markup that must come back
 * byte-exact through every API (raw, chunks, Server-Sent Events, the legacy stream, the
 * download) and escaped in pages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { jobOutputPaths } from '../../src/output/layout.js';
import { idOf } from './lib/http-client.js';
import { follow, type Follower } from './lib/follower.js';
import { Pipes, until } from './lib/jobs.js';
import { startService, type Service } from './lib/service.js';
import { counts, reportTally } from './lib/tally.js';

reportTally(test, import.meta.url);

function tempDir(t: { teardown(fn: () => void): void }, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function submit(service: Service, command: string, name = 'job'): Promise<string> {
  const answer = await service.client.post('/v1/jobs/submit', { query: { command, job_name: name } });
  if (answer.status !== 200) {
    throw new Error(`submit: ${answer.status} ${answer.text()}`);
  }
  return idOf(answer);
}

async function detail(service: Service, id: string): Promise<Record<string, unknown>> {
  return (await service.client.get(`/v1/jobs/${id}`)).json();
}

async function ended(service: Service, id: string): Promise<Record<string, unknown>> {
  return until(`job ${id} to end`, async () => {
    const job = await detail(service, id);
    return job.state === 'INACTIVE' ? job : undefined;
  });
}

const received = (follower: Follower, text: string): Promise<true> => until(`a follower to receive ${JSON.stringify(text)}`, async () => (follower.bytes().toString('utf8').includes(text) ? true : undefined));
const errorEvent = (follower: Follower): Promise<true> => until('an error event', async () => (follower.events.some((event) => event.event === 'error') ? true : undefined), 15000);

test('output files removed under followers: they get an error event, the service and other followers go on', async (t) => {
  const dir = tempDir(t, 'jobgate-rel-output-');
  const dataDir = path.join(dir, 'data');
  const service = await startService(dataDir, ['--cores', '4']);
  t.teardown(() => service.close());
  const pipes = await Pipes.create(dir, 3);
  t.teardown(() => pipes.close());
  const victim = await submit(service, `cat ${pipes.paths[0] ?? ''}`, 'victim');
  const whole = await submit(service, `cat ${pipes.paths[1] ?? ''}`, 'whole-dir');
  const bystander = await submit(service, `cat ${pipes.paths[2] ?? ''}`, 'bystander');
  for (const id of [victim, whole, bystander]) {
    await until(`${id} running`, async () => ((await detail(service, id)).state === 'RUN' ? true : undefined));
  }
  const onAll = await follow(service.url, `/v1/jobs/${victim}/output/events`);
  const onStdout = await follow(service.url, `/v1/jobs/${victim}/output/events?stream=stdout`);
  const onWhole = await follow(service.url, `/v1/jobs/${whole}/output/events`);
  const onBystander = await follow(service.url, `/v1/jobs/${bystander}/output/events`);
  for (let index = 0; index < 3; index += 1) {
    pipes.write(index, 'first\n');
  }
  await Promise.all([received(onAll, 'first\n'), received(onStdout, 'first\n'), received(onWhole, 'first\n'), received(onBystander, 'first\n')]);

  // One stream file of one job, and the whole folder of another, disappear while they run.
  fs.rmSync(jobOutputPaths(dataDir, BigInt(victim)).stdout);
  fs.rmSync(jobOutputPaths(dataDir, BigInt(whole)).dir, { recursive: true });
  counts.faults += 2;
  pipes.write(0, 'second\n');
  pipes.write(1, 'second\n');
  for (const follower of [onAll, onStdout, onWhole]) {
    await errorEvent(follower);
    await follower.ended;
    const error = follower.events.find((event) => event.event === 'error');
    t.regex(JSON.parse(error?.data ?? '{}').message as string, /output/i);
    t.notRegex(error?.data ?? '', new RegExp(dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the error does not show the data directory');
  }

  // The output routes answer with a clear client error, never a 5xx.
  for (const id of [victim, whole]) {
    for (const query of ['', '?stream=stdout', '?format=chunks', '?tail=5']) {
      const answer = await service.client.get(`/v1/jobs/${id}/output${query}`);
      t.true(answer.status < 500, `${query}: ${answer.status} ${answer.text().slice(0, 200)}`);
      t.regex(answer.text(), /output/i);
    }
  }
  const late = await follow(service.url, `/v1/jobs/${victim}/output/events`);
  await errorEvent(late);

  // Everything else goes on: the bystander's follower, new jobs, cancel of the victims.
  pipes.write(2, 'still here\n');
  await received(onBystander, 'still here\n');
  t.is((await service.client.get('/health')).status, 200);
  const fresh = await submit(service, 'echo fresh');
  t.like(await ended(service, fresh), { result: 'COMPLETED' });
  t.is((await service.client.get(`/v1/jobs/${fresh}/output`, { query: { format: 'raw' } })).text(), 'fresh\n');
  for (const id of [victim, whole]) {
    t.is((await service.client.post(`/v1/jobs/${id}/cancel`)).status, 200);
    t.like(await ended(service, id), { result: 'CANCELED' });
  }
  pipes.close();
  t.like(await ended(service, bystander), { result: 'COMPLETED' });
  await onBystander.ended;
  t.is(onBystander.bytes().toString('utf8'), 'first\nstill here\n');
  t.true(onBystander.events.some((event) => event.event === 'end'));
  counts.jobsChecked += 4;

  // A job that ended, whose output is removed afterwards.
  const done = await submit(service, 'echo done');
  await ended(service, done);
  fs.rmSync(jobOutputPaths(dataDir, BigInt(done)).stdout);
  counts.faults += 1;
  const afterEnd = await follow(service.url, `/v1/jobs/${done}/output/events`);
  await errorEvent(afterEnd);
  const answer = await service.client.get(`/v1/jobs/${done}/output`);
  t.true(answer.status < 500, `${answer.status} ${answer.text()}`);
  t.is((await service.client.get('/ready')).status, 200);
  counts.jobsChecked += 1;
});

/** Escape sequences, invalid UTF-8, a lone CR, NUL and markup, as the job prints them. */
const HOSTILE = Buffer.concat([
  Buffer.from('\u001b[31mred\u001b[0m '),
  Buffer.from([0xff, 0xfe]),
  Buffer.from(' bad '),
  Buffer.from([0xc3, 0x28]),
  Buffer.from(' <script>alert(1)</script>\r\n'),
  Buffer.from([0x00]),
  Buffer.from('nul \u00e9\u4e2d\ud83d\ude00\n'),
]);
const HOSTILE_PRINTF = "printf '\\033[31mred\\033[0m \\377\\376 bad \\303( <script>alert(1)</script>\\r\\n\\000nul \\303\\251\\344\\270\\255\\360\\237\\230\\200\\n'";

test('output with escape sequences and invalid UTF-8 comes back byte-exact everywhere, and pages escape it', async (t) => {
  const dir = tempDir(t, 'jobgate-rel-bytes-');
  const service = await startService(path.join(dir, 'data'));
  t.teardown(() => service.close());
  const id = await submit(service, `sh -c "${HOSTILE_PRINTF}; ${HOSTILE_PRINTF} >&2"`, 'name <script>alert(2)</script> \u001b[1mbold');
  const live = await follow(service.url, `/v1/jobs/${id}/output/events?stream=stdout`);
  t.like(await ended(service, id), { result: 'COMPLETED' });
  await live.ended;
  t.deepEqual(live.bytes(), HOSTILE, 'Server-Sent Events while it ran');

  const raw = await service.client.get(`/v1/jobs/${id}/output`, { query: { format: 'raw', stream: 'stdout' } });
  t.deepEqual(raw.body, HOSTILE, 'raw');
  const all = await service.client.get(`/v1/jobs/${id}/output`, { query: { format: 'raw' } });
  t.deepEqual(all.body, Buffer.concat([HOSTILE, HOSTILE]), 'raw, both streams');
  const chunks = (await service.client.get(`/v1/jobs/${id}/output`, { query: { format: 'chunks', stream: 'stderr' } })).json<{ chunks: { data: string; encoding?: string }[] }>();
  t.deepEqual(Buffer.concat(chunks.chunks.map((chunk) => Buffer.from(chunk.data, chunk.encoding === 'base64' ? 'base64' : 'utf8'))), HOSTILE, 'chunks');
  const replay = await follow(service.url, `/v1/jobs/${id}/output/events`);
  await replay.ended;
  t.deepEqual(replay.bytes(), Buffer.concat([HOSTILE, HOSTILE]), 'Server-Sent Events after the end');
  const legacy = await service.client.get(`/v1/jobs/${id}/output/stream`);
  t.deepEqual(legacy.body, Buffer.concat([HOSTILE, HOSTILE]), 'the legacy stream');
  const download = await service.client.get(`/job/${id}/output.txt`, { query: { stream: 'stderr' } });
  t.deepEqual(download.body, HOSTILE, 'the download');
  t.is(download.headers['x-content-type-options'], 'nosniff');

  const page = await service.client.get(`/job/${id}`);
  t.is(page.status, 200);
  const html = page.text();
  t.false(html.includes('<script>alert'), 'markup in the name and command is escaped');
  t.true(html.includes('&lt;script&gt;alert(2)'));
  t.false(html.includes('\u001b'), 'no raw escape character reaches the page');
  t.true(html.includes('^[[1mbold'), 'control characters shown in caret notation');
  t.regex(String(page.headers['content-security-policy']), /script-src 'self'/);
  counts.jobsChecked += 1;
});
