/**
 * Flux jobs measured from this node's processes: a real process started with the environment
 * Flux gives a task (FLUX_JOB_ID in F58, as recorded from a real Flux) is found and measured;
 * processes of other jobs and without the variable are not.
 */
import { spawn } from 'node:child_process';
import test from 'ava';
import { EnvironSampler, fluxJobIdOf } from '../../src/executors/usage/environ-sampler.js';
import { toF58 } from '../../src/model/job-id.js';

test('FLUX_JOB_ID is read from a NUL-separated environment block', (t) => {
  t.is(fluxJobIdOf('HOME=/home/u\0FLUX_JOB_ID=ƒLTDaTR\0FLUX_JOB_SIZE=1\0'), 'ƒLTDaTR');
  t.is(fluxJobIdOf('HOME=/home/u\0NOT_FLUX_JOB_ID=x\0'), null);
});

test('a Flux task on this node is measured through its FLUX_JOB_ID; others are not', async (t) => {
  const id = 12767461376n;
  const other = 12767461377n;
  const child = spawn('sh', ['-c', 'sleep 30 & wait'], { env: { PATH: process.env.PATH, FLUX_JOB_ID: toF58(id) }, stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const readings = new EnvironSampler().sample([id, other], 1000);
  t.is(readings.length, 1);
  const reading = readings[0];
  t.is(reading?.id, id);
  // The shell and its sleep both inherited the variable.
  t.is(reading?.processes, 2);
  t.true((reading?.rssBytes ?? 0) > 0);
  t.is(reading?.gpu, null);
  t.is(reading?.source, 'flux-local');
});
