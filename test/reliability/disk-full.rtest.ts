/**
 * The data directory's disk fills up (a small tmpfs, filled to the last byte) while jobs run
 * and clients submit: submits get a clear 503 with Retry-After (nothing half-stored), reads go
 * on, the service never crashes; once space returns, it takes jobs again, the events it could
 * not store meanwhile are stored, every accepted job ends as it should, and the database
 * passes its integrity check. Mounting a tmpfs needs root (CI runs as root).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { closeDatabase, openDatabase } from '../../src/db/database.js';
import { idOf } from './lib/http-client.js';
import { exportJobs, Pipes, until } from './lib/jobs.js';
import { startService, type Service } from './lib/service.js';
import { counts, recordFigure, reportTally } from './lib/tally.js';

reportTally(test, import.meta.url);

const isRoot = process.getuid?.() === 0;

/** Writes zeros into `file` until the disk refuses: the file system is then full. */
function fill(file: string): number {
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024);
  let total = 0;
  try {
    for (;;) {
      try {
        const written = fs.writeSync(fd, block, 0, block.length);
        total += written;
        if (written < block.length) {
          // The last few bytes, one at a time.
          for (;;) {
            total += fs.writeSync(fd, block, 0, 1);
          }
        }
      } catch (error: unknown) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
          return total;
        }
        throw error;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function submit(service: Service, name: string, command = `echo ${name}`): Promise<{ status: number; id?: string; retryAfter?: string; message: string }> {
  const answer = await service.client.post('/v1/jobs/submit', { query: { command, job_name: name }, outage: true });
  const message = answer.text();
  return answer.status === 200 ? { status: 200, id: idOf(answer), message } : { status: answer.status, retryAfter: answer.headers['retry-after'] as string | undefined, message };
}

test('a full disk under the data directory: clear 503s, no crash, no corruption, recovery when space returns', async (t) => {
  // A real full disk needs a small file system of its own; mounting one needs root, as CI has.
  if (!isRoot) {
    t.fail('this test mounts a small tmpfs to fill it: run the reliability suite as root (as CI does)');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-rel-full-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const mount = path.join(dir, 'disk');
  fs.mkdirSync(mount);
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount]);
  t.teardown(async () => {
    await execa('umount', ['-l', mount], { reject: false });
  });
  const dataDir = path.join(mount, 'data');
  const service = await startService(dataDir, ['--cores', '4']);
  t.teardown(() => service.close());
  const pipes = await Pipes.create(dir, 1);
  t.teardown(() => pipes.close());

  const accepted = new Map<string, string>();
  const before = await submit(service, 'before');
  t.is(before.status, 200);
  accepted.set(before.id ?? '', 'before');
  const running = await submit(service, 'running', `cat ${pipes.paths[0] ?? ''}`);
  t.is(running.status, 200);
  accepted.set(running.id ?? '', 'running');
  await until('the job to run', async () => ((await service.client.get(`/v1/jobs/${running.id ?? ''}`)).json().state === 'RUN' ? true : undefined));
  pipes.write(0, 'before the disk filled\n');

  const filler = path.join(mount, 'filler');
  const filled = fill(filler);
  counts.faults += 1;
  // The running job writes and ends while the disk is full: its end cannot be stored yet.
  pipes.write(0, 'while full\n');
  pipes.close();
  let refused = 0;
  let acceptedWhileFull = 0;
  for (let n = 0; n < 20; n += 1) {
    const answer = await submit(service, `full-${n}`);
    if (answer.status === 200) {
      // There was room for this one after all (a page freed elsewhere): it must be whole.
      accepted.set(answer.id ?? '', `full-${n}`);
      acceptedWhileFull += 1;
      continue;
    }
    refused += 1;
    t.is(answer.status, 503, answer.message);
    t.truthy(answer.retryAfter, 'Retry-After');
    t.regex(answer.message, /full|space/i, 'the error says why');
  }
  t.true(refused > 0, 'a full disk refuses new jobs');
  t.is((await service.client.get('/health')).status, 200);
  const listing = await service.client.get('/v1/jobs');
  t.is(listing.status, 200, 'reads go on');
  t.is((await service.client.get(`/v1/jobs/${before.id ?? ''}`)).status, 200);

  // Space returns.
  fs.rmSync(filler);
  let afterName = '';
  const after = await until('submits to be taken again', async () => {
    afterName = `after-${Date.now()}`;
    const answer = await submit(service, afterName);
    return answer.status === 200 ? answer : undefined;
  }, 15000, 200);
  accepted.set(after.id ?? '', afterName);
  const ends = await until('every accepted job to end', async () => {
    const jobs = await exportJobs(service.client);
    return jobs.every((job) => job.state === 'INACTIVE') ? jobs : undefined;
  }, 30000, 250);
  const byId = new Map(ends.map((job) => [job.id, job]));
  let lost = 0;
  for (const [id, name] of accepted) {
    const job = byId.get(id);
    counts.jobsChecked += 1;
    // The job that wrote while the disk was full may have failed to write (cat exits 1): that is its true end.
    const ok = job?.result === 'COMPLETED' || (name === 'running' && job?.result === 'FAILED' && job.returncode === 1);
    if (job?.name !== name || !ok) {
      lost += 1;
    }
  }
  counts.lost += lost;
  t.is(lost, 0, 'every accepted job ended as it should');
  t.is(ends.length, accepted.size, 'nothing half-stored from the refused submits');
  const output = await service.client.get(`/v1/jobs/${running.id ?? ''}/output`, { query: { format: 'raw' } });
  t.true(output.text().startsWith('before the disk filled\n'), output.text());

  await service.close();
  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db'), readonly: true });
  t.teardown(() => closeDatabase(db));
  t.is(db.pragma('integrity_check', { simple: true }), 'ok');
  recordFigure('disk full', { 'bytes to fill': filled, 'submits refused (503) / taken while full': `${refused} / ${acceptedWhileFull}` });
});
