/**
 * jobgate as the batch script of an allocation (`sbatch --wrap 'jobgate serve'`): it runs jobs
 * as steps, and `POST /v1/service/stop` drains them and exits, which ends the allocation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import supertest from 'supertest';
import { closeDatabase, openDatabase } from '../../src/db/database.js';
import { JobsRepository } from '../../src/db/jobs-repository.js';
import { makeTempDir, waitFor } from '../helpers/test-server.js';
import { mode, slurm } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test(`${mode}: service/stop inside an allocation drains its steps and ends the allocation`, async (t) => {
  const dir = makeTempDir('jobgate-slurm-service-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'jobgate.log');
  const serve = [process.execPath, path.join(root, 'bin', 'jobgate'), 'serve', '--executor', 'auto', '--port', '0', '--data-dir', path.join(dir, 'data')];
  const allocation = await slurm('sbatch', ['--parsable', '--ntasks=2', '--job-name=jobgate-service', `--output=${log}`, `--chdir=${dir}`, '--wrap', `exec ${serve.join(' ')}`]);
  t.teardown(() => void slurm('scancel', [allocation]).catch(() => undefined));

  const url = await waitFor(() => {
    const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    return /jobgate (http:\/\/\S+) \(executor slurm/.exec(text)?.[1];
  }, 60_000, 'jobgate to listen inside the allocation');
  const api = supertest(url);

  const submitted = await api.post('/v1/jobs/submit').query({ command: 'sleep 300' });
  t.is(submitted.status, 200);
  const id = /"id":\s*(\d+)/.exec(submitted.text)?.[1] ?? '';
  const running = await waitFor(async () => {
    const job = (await api.get(`/v1/jobs/${id}`)).body as Record<string, unknown>;
    return job.state === 'RUN' ? job : undefined;
  }, 30_000, 'the step to run');
  t.regex(String(running.slurm_id), new RegExp(`^${allocation}\\.\\d+$`), 'the job is a step of the allocation');

  const stop = await api.post('/v1/service/stop');
  t.is(stop.status, 200);
  const state = await waitFor(async () => {
    const current = await slurm('squeue', ['-h', '-t', 'all', '-j', allocation, '-o', '%T']);
    return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(current) ? current : undefined;
  }, 60_000, 'the allocation to end');
  t.is(state, 'COMPLETED', 'jobgate exited 0, ending the batch step');

  const db = openDatabase({ file: path.join(dir, 'data', 'jobgate.db') });
  try {
    const job = new JobsRepository(db).get(BigInt(id));
    t.like(job, { state: 'INACTIVE', result: 'CANCELED' });
    t.is(job?.exception.note, 'jobgate service stopped');
  } finally {
    closeDatabase(db);
  }
});
