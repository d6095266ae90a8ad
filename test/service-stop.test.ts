/** service/stop and signals: answer first, drain, final events for followers, a clean store, exit 0. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { openDatabase, closeDatabase } from '../src/db/database.js';
import { JobsRepository } from '../src/db/jobs-repository.js';
import { AppError } from '../src/errors.js';
import { makeTempDir, startTestServer, submitJob, waitFor } from './helpers/test-server.js';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { openSse } from './helpers/sse.js';

async function running(server: Pick<ChildServer, 'request'>, id: string): Promise<void> {
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${id}`)).body.state === 'RUN' ? true : undefined));
}

test.serial('POST /v1/service/stop answers, cancels jobs, ends streams with a final event, closes the store, exits 0', async (t) => {
  const dataDir = makeTempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const child = await startChildServer(dataDir);
  const id = await submitJob(child, { command: 'sleep 60' });
  await running(child, id);
  const follower = await openSse(`${child.url}/v1/jobs/${id}/output/events`);
  const stop = await child.request.post('/v1/service/stop');
  t.is(stop.status, 200);
  t.regex(stop.body.Message, /stopping/i);
  const end = await follower.waitFor((event) => event.event === 'end');
  t.true(follower.events.some((event) => event.event === 'state' && JSON.parse(event.data).state === 'INACTIVE'));
  t.truthy(JSON.parse(end.data).reason);
  t.is((await child.process).exitCode, 0);

  t.false(fs.existsSync(path.join(dataDir, 'jobgate.lock')));
  const wal = path.join(dataDir, 'jobgate.db-wal');
  t.true(!fs.existsSync(wal) || fs.statSync(wal).size === 0);
  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db') });
  t.teardown(() => closeDatabase(db));
  t.is(db.pragma('integrity_check', { simple: true }), 'ok');
  const job = new JobsRepository(db).get(BigInt(id));
  t.like(job, { state: 'INACTIVE', result: 'CANCELED' });
  t.is(job?.exception.note, 'jobgate service stopped');
});

test.serial('SIGTERM stops jobgate (exit 0) with a final event for followers and leaves the job running for the next start', async (t) => {
  const dataDir = makeTempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const child = await startChildServer(dataDir);
  const id = await submitJob(child, { command: 'sleep 2' });
  await running(child, id);
  const follower = await openSse(`${child.url}/v1/jobs/${id}/output/events`);
  await follower.waitFor((event) => event.event === 'state');
  child.process.kill('SIGTERM');
  const end = await follower.waitFor((event) => event.event === 'end');
  t.is(JSON.parse(end.data).reason, 'service stopping');
  t.is((await child.process).exitCode, 0);

  const again = await startChildServer(dataDir);
  t.teardown(async () => {
    await again.request.post('/v1/service/stop');
    await again.process;
  });
  const job = await waitFor(async () => {
    const body = (await again.request.get(`/v1/jobs/${id}`)).body;
    return body.state === 'INACTIVE' ? body : undefined;
  });
  t.like(job, { result: 'COMPLETED', returncode: 0 });
});

test('a stopping service refuses new jobs with 503 and Retry-After', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  await server.jobs.stop('cancel-jobs');
  const error = await t.throwsAsync(server.jobs.submit({ command: 'true' }, { name: 'u', superuser: true }));
  t.true(error instanceof AppError);
  t.is((error as AppError).status, 503);
  t.truthy((error as AppError).headers['Retry-After']);
});

test('two jobgates never share a data directory', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  await t.throwsAsync(startTestServer({ dataDir: server.dataDir }), { message: /in use by another jobgate/ });
});
