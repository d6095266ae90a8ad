/** What a restarted jobgate makes of the jobs it left, and the job-completion record it falls back on. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { makeTempDir, submitJob, waitFor, waitForJobEnd } from '../helpers/test-server.js';
import { SlurmCli } from '../../src/executors/slurm/slurm-cli.js';
import { detail, mode, outputOf, slurm, slurmEnv, startSlurmServer, waitForState } from './helpers.js';

test(`${mode}: a restart after a stop that leaves jobs`, async (t) => {
  const dataDir = makeTempDir('jobgate-slurm-restart-');
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const go = path.join(dataDir, 'go');
  const first = await startSlurmServer({ dataDir });
  const id = await submitJob(first, { command: 'sh -c \'echo before; while [ ! -e "$GO" ]; do sleep 0.1; done; echo after\'' }, { GO: go });
  await waitFor(async () => ((await outputOf(first, id)).includes('before') ? true : undefined), 30_000, 'first output');
  const slurmId = String((await detail(first, id)).slurm_id);
  await first.stop('leave-jobs', 'restart test');

  if (mode === 'batch') {
    // The batch job runs on without jobgate and finishes while it is away.
    fs.writeFileSync(go, '');
    await waitFor(async () => ((await slurm('squeue', ['-h', '-t', 'all', '-j', slurmId, '-o', '%T'])) === 'COMPLETED' ? true : undefined), 30_000, 'the job to finish in Slurm');
    const second = await startSlurmServer({ dataDir });
    t.teardown(() => second.close());
    const job = await waitForJobEnd(second, id, 30_000);
    t.is(job.result, 'COMPLETED');
    t.is(await outputOf(second, id), 'before\nafter\n', 'output written while jobgate was away is indexed');
  } else {
    // A step's output flows through srun, jobgate's child: stopping ends the step and records it.
    const second = await startSlurmServer({ dataDir });
    t.teardown(() => second.close());
    const job = await waitForState(second, id, 'INACTIVE');
    t.is(job.result, 'CANCELED');
    t.like(job.exception as object, { type: 'cancel', note: 'jobgate service stopped' });
  }
});

test(`${mode}: the job-completion record (sacct -c) tells how a finished job ended`, async (t) => {
  const slurmId = Number.parseInt(await slurm('sbatch', ['--parsable', '-o', '/dev/null', '-J', 'jobcomp-check', '--wrap', 'exit 5']), 10);
  await waitFor(async () => ((await slurm('squeue', ['-h', '-t', 'all', '-j', String(slurmId), '-o', '%T'])) === 'FAILED' ? true : undefined), 30_000, 'the job to fail');
  const cli = new SlurmCli(slurmEnv());
  const records = await waitFor(async () => {
    const found = await cli.completed([slurmId]);
    return found.has(slurmId) ? found : undefined;
  }, 10_000, 'the completion record');
  t.like(records.get(slurmId), { state: 'FAILED', exitStatus: 5 << 8, nodes: 'localhost' });
});
