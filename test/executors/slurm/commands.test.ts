import test from 'ava';
import {
  batchScript,
  jobgateEnforcesRuntime,
  sbatchArgs,
  shQuote,
  splitEnvironment,
  srunArgs,
  taskArgv,
  timeLimitMinutes,
} from '../../../src/executors/slurm/commands.js';
import type { JobSpec } from '../../../src/model/job.js';

const spec: JobSpec = {
  command: ['sh', '-c', "echo it's $X"],
  name: 'sh',
  numTasks: 1,
  coresPerTask: 1,
  gpusPerTask: 0,
  numNodes: null,
  exclusive: false,
  workdir: '/scratch/run',
  runtime: 0,
  envars: {},
  optionFlags: {},
  tty: false,
  urgency: 16,
  queue: null,
};

test('variables srun/sbatch would read as options go on the command line; Slurm settings are added', (t) => {
  const split = splitEnvironment({ PATH: '/bin', X: '1', SLURM_NTASKS: '9', SBATCH_PARTITION: 'p' }, { SLURM_CONF: '/etc/slurm.conf' });
  t.deepEqual(split.process, { PATH: '/bin', X: '1', SLURM_CONF: '/etc/slurm.conf' });
  t.deepEqual(split.onCommandLine, { SLURM_NTASKS: '9', SBATCH_PARTITION: 'p' });
  t.deepEqual(taskArgv(['prog', 'a'], split.onCommandLine, ['SRUN_DEBUG']), ['/usr/bin/env', '-u', 'SRUN_DEBUG', 'SLURM_NTASKS=9', 'SBATCH_PARTITION=p', 'prog', 'a']);
});

test('Slurm keeps whole-minute runtimes; jobgate enforces the others, Slurm getting the minute above', (t) => {
  t.is(timeLimitMinutes(0), null);
  t.is(timeLimitMinutes(60), 1);
  t.is(timeLimitMinutes(61), 2);
  t.is(timeLimitMinutes(3), 1);
  t.false(jobgateEnforcesRuntime(0));
  t.false(jobgateEnforcesRuntime(120));
  t.true(jobgateEnforcesRuntime(90));
});

test('srun: a verbose step in the allocation with every option, --exact unless exclusive', (t) => {
  const args = srunArgs({ ...spec, numTasks: 4, coresPerTask: 2, numNodes: 2, runtime: 90, gpusPerTask: 1 }, { jobId: '42', memPerCpu: null }, {});
  t.deepEqual(args, [
    '--jobid=42', '--verbose', '--export=ALL', '--input=none',
    '--job-name=sh', '--ntasks=4', '--cpus-per-task=2', '--nodes=2', '--gpus-per-task=1', '--time=2', '--chdir=/scratch/run',
    '--exact',
    '/usr/bin/env', '-u', 'SRUN_DEBUG', 'sh', '-c', "echo it's $X",
  ]);
  const exclusive = srunArgs({ ...spec, exclusive: true, coresPerTask: 2 }, { jobId: '42', memPerCpu: null }, {});
  t.false(exclusive.includes('--exact'));
  t.false(exclusive.some((arg) => arg.startsWith('--cpus-per-task')), 'it would imply --exact');
});

test('srun: steps share the memory of an allocation that has some, by CPU', (t) => {
  t.true(srunArgs(spec, { jobId: '42', memPerCpu: 500 }, {}).includes('--mem-per-cpu=500'));
  t.false(srunArgs({ ...spec, exclusive: true }, { jobId: '42', memPerCpu: 500 }, {}).some((arg) => arg.startsWith('--mem')));
});

test('sbatch: parsable, every option, output files appended, % kept literal', (t) => {
  const args = sbatchArgs({ ...spec, queue: 'short', exclusive: true, urgency: 0, runtime: 120 }, { stdout: '/data/100%/out', stderr: '/data/100%/err' });
  t.deepEqual(args, [
    '--parsable', '--export=ALL',
    '--job-name=sh', '--ntasks=1', '--cpus-per-task=1', '--time=2', '--chdir=/scratch/run',
    '--exclusive', '--partition=short', '--hold',
    '--output=/data/100%%/out', '--error=/data/100%%/err', '--open-mode=append',
  ]);
});

test('the batch script execs the command, quoted; several tasks are one srun step', (t) => {
  t.is(batchScript(spec, {}, 'jobgate job 1', '/usr/bin/srun'), `#!/bin/sh\n# jobgate job 1\nexec '/usr/bin/env' 'sh' '-c' 'echo it'\\''s $X'\n`);
  const many = batchScript({ ...spec, numTasks: 3, coresPerTask: 2 }, { SLURM_X: 'y' }, 'label\nwith newline', '/opt/slurm/bin/srun');
  t.is(many, `#!/bin/sh\n# label with newline\nexec '/opt/slurm/bin/srun' '--export=ALL' '--input=none' '--cpus-per-task=2' '/usr/bin/env' 'SLURM_X=y' 'sh' '-c' 'echo it'\\''s $X'\n`);
  t.is(shQuote(`a'b`), `'a'\\''b'`);
});
