/**
 * Purging ended jobs (`POST /v1/jobs/purge`, `jobgate purge`) and retention (JOBGATE_RETENTION):
 * the jobs go from every route, their output folders from the disk (measured with du), the
 * event feed keeps working, dry runs change nothing, and only superusers may.
 */
import fs from 'node:fs';
import test from 'ava';
import { execa } from 'execa';
import { jobOutputPaths } from '../../src/output/layout.js';
import { addUser, bearer, fetchToken, startAuthServer } from '../helpers/auth.js';
import { cliEnv } from '../helpers/cli.js';
import { makeTempDir, startTestServer, waitFor, type TestServer } from '../helpers/test-server.js';
import { seedJobs } from '../helpers/seed-jobs.js';

/** `du` of the data directory, in bytes (allocated space, as an operator would measure it). */
async function du(dir: string): Promise<number> {
  const { stdout } = await execa('du', ['-s', '-B1', dir]);
  return Number(stdout.split(/\s/)[0]);
}

async function submitAs(server: TestServer, headers: Record<string, string>, params: Record<string, string | number>): Promise<string> {
  const answer = await server.request.post('/v1/jobs/submit').set(headers).query(params);
  const match = /"id":\s*(\d+)/.exec(answer.text);
  if (answer.status !== 200 || match?.[1] === undefined) {
    throw new Error(`submit: ${answer.status} ${answer.text}`);
  }
  return match[1];
}

async function ended(server: TestServer, headers: Record<string, string>, id: string): Promise<void> {
  await waitFor(async () => (((await server.request.get(`/v1/jobs/${id}`).set(headers)).body as { state?: string }).state === 'INACTIVE' ? true : undefined), 20000, `job ${id} to end`);
}

test('purge: dry run changes nothing; then ended jobs go from every route and their disk space comes back', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  await addUser(server.dataDir, 'alice', 'alice-password');
  const su = bearer(await fetchToken(server));
  const alice = bearer(await fetchToken(server, 'alice', 'alice-password'));
  // Three jobs writing 4 MiB of output each, one running job, and one ended job of another tag.
  const big = await Promise.all([1, 2, 3].map(() => submitAs(server, alice, { command: 'head -c 4194304 /dev/urandom' })));
  const running = await submitAs(server, alice, { command: 'sleep 60' });
  const kept = await submitAs(server, alice, { command: 'echo keep' });
  for (const id of [...big, kept]) {
    await ended(server, alice, id);
  }
  for (const id of big) {
    t.is((await server.request.post(`/v1/jobs/${id}/tags`).set(alice).send({ tags: ['batch:old'] })).status, 200);
  }
  await server.request.post(`/v1/jobs/${kept}/tags`).set(alice).send({ tags: ['batch:new'] });

  const refused = await server.request.post('/v1/jobs/purge').set(alice).query({ 'ended[to]': String(Date.now() / 1000), tag: 'batch:old' });
  t.is(refused.status, 403);
  const empty = await server.request.post('/v1/jobs/purge').set(su);
  t.is(empty.status, 400);
  t.regex(empty.text, /ended\[to\]/);
  const bad = await server.request.post('/v1/jobs/purge').set(su).query({ 'ended[to]': 'yesterday-ish' });
  t.is(bad.status, 400);
  t.regex(bad.text, /ended\[to\]/);

  const query = { 'ended[to]': String(Date.now() / 1000 + 1), tag: 'batch:old' };
  const jobsDir = `${server.dataDir}/jobs`;
  const before = await du(server.dataDir);
  const outputBefore = await du(jobsDir);
  const dry = await server.request.post('/v1/jobs/purge').set(su).query({ ...query, dry_run: 'true' });
  t.is(dry.status, 200);
  const dryReport = dry.body as { dry_run: boolean; jobs: number; output_bytes: number; ids: number[] };
  t.true(dryReport.dry_run);
  t.is(dryReport.jobs, 3);
  t.true(dryReport.output_bytes >= 3 * 4194304, String(dryReport.output_bytes));
  t.is(await du(server.dataDir), before);
  for (const id of big) {
    t.is((await server.request.get(`/v1/jobs/${id}`).set(alice)).status, 200);
  }

  const purged = await server.request.post('/v1/jobs/purge').set(su).query(query);
  t.is(purged.status, 200);
  const report = purged.body as { dry_run: boolean; jobs: number; output_bytes: number };
  t.like(report, { dry_run: false, jobs: 3, output_bytes: dryReport.output_bytes });
  const after = await du(server.dataDir);
  const outputAfter = await du(jobsDir);
  t.log(`du of the data dir: ${before} bytes before, ${after} after (${before - after} returned); of its job output: ${outputBefore} → ${outputAfter}; the purge reported ${report.output_bytes}`);
  // The output folders' space comes back exactly as reported; the store itself may grow a little meanwhile (WAL).
  t.is(outputBefore - outputAfter, report.output_bytes);
  t.true(before - after >= 3 * 4194304 - 1024 * 1024, `${before} → ${after}`);

  for (const id of big) {
    for (const path of [`/v1/jobs/${id}`, `/v1/jobs/${id}/output`, `/v1/jobs/${id}/labels`, `/v1/jobs/${id}/output/events`]) {
      t.is((await server.request.get(path).set(su)).status, 404, path);
    }
    t.false(fs.existsSync(jobOutputPaths(server.dataDir, BigInt(id)).dir));
  }
  const listed = (await server.request.get('/v1/jobs/query').set(su).query({ tag: 'batch:old' })).body as { total: number };
  t.is(listed.total, 0);
  const tags = (await server.request.get('/v1/tags').set(su)).text;
  t.notRegex(tags, /"old"/);
  // The running job and the other ended one stay.
  t.is((await server.request.get(`/v1/jobs/${running}`).set(alice)).status, 200);
  t.deepEqual((await server.request.get(`/v1/jobs/${kept}/output`).set(alice)).body.Output, ['keep\n']);
  t.is(((await server.request.post('/v1/jobs/purge').set(su).query(query)).body as { jobs: number }).jobs, 0);
  t.is(((await server.request.post('/v1/jobs/purge').set(su).query({ state: 'run' })).body as { jobs: number }).jobs, 0);
  t.is((await server.request.get(`/v1/jobs/${running}`).set(alice)).status, 200);
});

test('the event feed after a purge: followers from before the purged events step over them; positions never go back', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const su = bearer(await fetchToken(server));
  const first = await submitAs(server, su, { command: 'true' });
  await ended(server, su, first);
  const second = await submitAs(server, su, { command: 'true' });
  await ended(server, su, second);
  // Every job event of the whole log, up to the `ready` that ends the backlog.
  const readAll = async (): Promise<{ id: string; event: string; data: string }[]> => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/events?since=0`, { headers: su, signal: controller.signal });
    const reader = response.body?.getReader();
    let text = '';
    while (reader !== undefined && !text.includes('event: ready')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    controller.abort();
    return [...text.matchAll(/^id: (\d+)\nevent: (\w+)\ndata: (.*)$/gm)].map((match) => ({ id: match[1] ?? '', event: match[2] ?? '', data: match[3] ?? '' }));
  };
  const beforeEvents = (await readAll()).filter((event) => event.event === 'job');
  t.true(beforeEvents.some((event) => event.data.includes(`"id":${first},`)));
  // The newest job goes: the head of the log must not step back.
  t.is(((await server.request.post('/v1/jobs/purge').set(su).query({ q: second, state: 'inactive' })).body as { jobs: number }).jobs, 1);
  const afterEvents = (await readAll()).filter((event) => event.event === 'job');
  t.true(afterEvents.some((event) => event.data.includes(`"id":${first},`)));
  t.false(afterEvents.some((event) => event.data.includes(`"id":${second},`)));
  const third = await submitAs(server, su, { command: 'true' });
  await ended(server, su, third);
  const thirdEvents = (await readAll()).filter((event) => event.data.includes(`"id":${third},`));
  const highestBefore = Math.max(...beforeEvents.map((event) => Number(event.id)));
  t.true(thirdEvents.length > 0 && thirdEvents.every((event) => Number(event.id) > highestBefore));
});

test('retention: ended jobs older than JOBGATE_RETENTION go by themselves, with their output; running ones stay', async (t) => {
  const server = await startAuthServer({ JOBGATE_RETENTION: '2s' });
  t.teardown(() => server.close());
  const su = bearer(await fetchToken(server));
  const done = await submitAs(server, su, { command: 'echo old' });
  const running = await submitAs(server, su, { command: 'sleep 60' });
  await ended(server, su, done);
  t.true(fs.existsSync(jobOutputPaths(server.dataDir, BigInt(done)).dir));
  // Whenever the retention passes, the job must be gone; what is checked is that it went.
  // (The rows go first, the folder right after.)
  const folder = jobOutputPaths(server.dataDir, BigInt(done)).dir;
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${done}`).set(su)).status === 404 && !fs.existsSync(folder) ? true : undefined), 30000, 'retention to purge the job', 200);
  t.is((await server.request.get(`/v1/jobs/${done}/output`).set(su)).status, 404);
  t.is((await server.request.get(`/v1/jobs/${running}`).set(su)).status, 200);
});

test('jobgate purge --state inactive --dry-run, then --ended ..<a later time> for real', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const token = await fetchToken(server);
  const id = await submitAs(server, bearer(token), { command: 'echo bye' });
  await ended(server, bearer(token), id);
  const shell = cliEnv({ JOBGATE_URL: server.url, JOBGATE_TOKEN: token });
  t.teardown(() => shell.cleanup());
  const dry = await shell.run(['purge', '--state', 'inactive', '--owner', 'fluxuser', '--dry-run']);
  t.is(dry.exitCode, 0, dry.stderr);
  t.regex(dry.stdout, /^would purge 1 ended job\(s\), \d+\.\d MiB of output$/);
  t.is((await server.request.get(`/v1/jobs/${id}`).set(bearer(token))).status, 200);
  // `..30d` would mean "ended more than 30 days ago"; a fixed later date takes this job too.
  const real = await shell.run(['purge', '--ended', '..2099-01-01T00:00:00Z', '--json']);
  t.is(real.exitCode, 0, real.stderr);
  t.like(JSON.parse(real.stdout), { dry_run: false, jobs: 1 });
  t.is((await server.request.get(`/v1/jobs/${id}`).set(bearer(token))).status, 404);
  const refused = await shell.run(['purge']);
  t.not(refused.exitCode, 0);
  t.regex(refused.stderr, /say which jobs/);
});

test('a purge of more jobs than one batch takes them all, oldest end first', async (t) => {
  const dataDir = makeTempDir();
  const ended = Array.from({ length: 1234 }, (_, index) => ({ id: BigInt(1_000_000 + index), t_submit: 1000 + index, t_run: 1001 + index, t_inactive: 1002 + index, tags: [{ type: 'batch', name: 'x' }] }));
  const other = { id: 5_000_000n, t_submit: 999, t_run: 1000, t_inactive: 1001, tags: [{ type: 'batch', name: 'y' }] };
  seedJobs(dataDir, [...ended, other]);
  const server = await startTestServer({ dataDir });
  t.teardown(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const dry = (await server.request.post('/v1/jobs/purge').query({ tag: 'batch:x', dry_run: 'true' })).body as { jobs: number; ids: number[] };
  t.is(dry.jobs, 1234);
  t.is(dry.ids.length, 1000);
  t.is(dry.ids[0], 1_000_000);
  const report = (await server.request.post('/v1/jobs/purge').query({ tag: 'batch:x' })).body as { jobs: number; ids: number[] };
  t.is(report.jobs, 1234);
  t.deepEqual(report.ids.slice(0, 3), [1_000_000, 1_000_001, 1_000_002]);
  t.is(((await server.request.get('/v1/jobs/query').query({ tag: 'batch:x' })).body as { total: number }).total, 0);
  t.is((await server.request.get('/v1/jobs/5000000')).status, 200);
});
