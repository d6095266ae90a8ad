/** Job ids past 2^53 travel exactly, and every route accepts every id encoding. */
import test from 'ava';
import { openDatabase, closeDatabase } from '../src/db/database.js';
import { JobsRepository } from '../src/db/jobs-repository.js';
import { makeTempDir, parseExact, startTestServer, waitForJobEnd } from './helpers/test-server.js';
import path from 'node:path';
import fs from 'node:fs';
import { toDothex, toF58, toHex } from '../src/model/job-id.js';

test('ids above 2^53 are exact in every answer and accepted in every form', async (t) => {
  // An instance that started 30 days ago hands out ids far past 2^53, as a long-lived Flux does.
  const dataDir = makeTempDir();
  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db') });
  new JobsRepository(db).setMeta('id_epoch_ms', String(Date.now() - 30 * 86400 * 1000));
  closeDatabase(db);
  const server = await startTestServer({ dataDir });
  t.teardown(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const submitted = await server.request.post('/v1/jobs/submit').query({ command: 'echo big' });
  const id = (parseExact(submitted.text) as { id: bigint }).id;
  t.is(typeof id, 'bigint');
  t.true(id > BigInt(Number.MAX_SAFE_INTEGER));
  t.true(submitted.text.includes(`"id":${id.toString()}`));
  await waitForJobEnd(server, id.toString());

  for (const form of [id.toString(), toF58(id), toF58(id, true), toHex(id), toDothex(id), `job.${toDothex(id)}`]) {
    const detail = await server.request.get(`/v1/jobs/${encodeURIComponent(form)}`);
    t.is(detail.status, 200, form);
    t.true(detail.text.includes(`"id":${id.toString()}`), form);
    t.is((await server.request.get(`/v1/jobs/${encodeURIComponent(form)}/output`)).body.Output[0], 'big\n');
  }
  const listing = await server.request.get('/v1/jobs');
  t.true(listing.text.includes(`"id":${id.toString()}`));
  const details = await server.request.get('/v1/jobs').query({ details: true });
  t.true(details.text.includes(`"${id.toString()}":{"id":${id.toString()}`));
  const search = await server.request.get('/v1/jobs/search');
  t.true(search.text.includes(`"id":${id.toString()}`));
  const cancel = await server.request.post(`/v1/jobs/${toF58(id)}/cancel`);
  t.is(cancel.status, 400);
  t.is(cancel.body.id, toF58(id));
});
