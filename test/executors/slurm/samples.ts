/**
 * Output captured from Slurm 22.05 (Debian 12) on a single-node test cluster, trimmed to the
 * fields jobgate reads plus a few neighbours, so the parsers are tested against the real shapes.
 */

/** `squeue --json`: a pending, a running, a finished, a failed, a timed-out and two canceled jobs. */
export const SQUEUE_JSON = JSON.stringify({
  meta: { plugin: { type: 'openapi/v0.0.38', name: 'Slurm OpenAPI v0.0.38' }, Slurm: { version: { major: 22, micro: 8, minor: 5 }, release: '22.05.8' } },
  errors: [],
  jobs: [
    { job_id: 1, job_state: 'COMPLETED', state_reason: 'None', exit_code: 0, derived_exit_code: 0, start_time: 1795365580, end_time: 1795365580, nodes: 'localhost', node_count: 1, cpus: 1, time_limit: null, partition: 'debug', batch_host: 'localhost' },
    { job_id: 3, job_state: 'PENDING', state_reason: 'PartitionNodeLimit', exit_code: 0, derived_exit_code: 0, start_time: 0, end_time: 0, nodes: '', node_count: 3, cpus: 3, time_limit: null, partition: 'debug', batch_host: '' },
    { job_id: 4, job_state: 'CANCELLED', state_reason: 'PartitionTimeLimit', exit_code: 0, derived_exit_code: 0, start_time: 1795365644, end_time: 1795365644, nodes: '', node_count: 1, cpus: 1, time_limit: 10, partition: 'short', batch_host: '' },
    { job_id: 8, job_state: 'FAILED', state_reason: 'NonZeroExitCode', exit_code: 768, derived_exit_code: 0, start_time: 1795365626, end_time: 1795365626, nodes: 'localhost', node_count: 1, cpus: 1, time_limit: 1, partition: 'debug', batch_host: 'localhost' },
    { job_id: 9, job_state: 'RUNNING', state_reason: 'None', exit_code: 0, derived_exit_code: 1024, start_time: 1795365644, end_time: 1795366244, nodes: 'node[01-02]', node_count: 2, cpus: 4, time_limit: 10, partition: 'debug', batch_host: 'node01' },
    { job_id: 10, job_state: 'TIMEOUT', state_reason: 'TimeLimit', exit_code: 15, derived_exit_code: 0, start_time: 1795365727, end_time: 1795365787, nodes: 'localhost', node_count: 1, cpus: 1, time_limit: 1, partition: 'debug', batch_host: 'localhost' },
    { job_id: 12, job_state: 'CANCELLED', state_reason: 'None', exit_code: 15, derived_exit_code: 0, start_time: 1795365800, end_time: 1795365803, nodes: 'localhost', node_count: 1, cpus: 1, time_limit: null, partition: 'debug', batch_host: 'localhost' },
  ],
});

/** `sacct -c -P -n -o jobid,state,exitcode,start,end,nodelist,ncpus,nnodes,timelimit,partition`. */
export const SACCT_LINES = [
  '2|CANCELLED|0:0|2026-11-22T16:39:42|2026-11-22T16:40:26|localhost|4|1|UNLIMITED|debug',
  '3|CANCELLED|0:0|2026-11-22T16:40:44|2026-11-22T16:40:44|(null)|0|0|UNLIMITED|debug',
  '8|FAILED|3:0|2026-11-22T16:40:26|2026-11-22T16:40:26|localhost|1|1|1|debug',
  '10|TIMEOUT|0:0|2026-11-22T16:42:07|2026-11-22T16:43:07|localhost|1|1|00:01:00|debug',
  '11|FAILED|0:9|2026-11-22T16:44:00|2026-11-22T16:44:01|localhost|1|1|UNLIMITED|debug',
  '11.batch|FAILED|0:9|2026-11-22T16:44:00|2026-11-22T16:44:01|localhost|1|1||',
  '',
].join('\n');

/** `sinfo --json`, one node, trimmed. */
export const SINFO_JSON = JSON.stringify({
  meta: { plugin: { type: 'openapi/v0.0.38' } },
  errors: [],
  nodes: [
    { name: 'localhost', state: 'mixed', state_flags: [], cpus: 8, alloc_cpus: 5, idle_cpus: 3, gres: '', gres_used: '', partitions: ['debug', 'short'], real_memory: 4000 },
    { name: 'gpu1', state: 'idle', state_flags: ['DRAIN'], cpus: 16, alloc_cpus: 0, gres: 'gpu:a100:4(S:0-1)', gres_used: 'gpu:a100:1(IDX:0)', partitions: ['gpu'] },
    { name: 'dead', state: 'down', state_flags: ['NOT_RESPONDING'], cpus: 4, alloc_cpus: 0, gres: '', gres_used: '', partitions: ['debug'] },
  ],
});

/** stderr of `srun -v --exact -n 2 sh -c '...; exit 3'` in an allocation (job 2), as srun wrote it. */
export const SRUN_STDERR_FAILING = [
  'srun: defined options',
  'srun: -------------------- --------------------',
  'srun: exact               : set',
  'srun: jobid               : 2',
  'srun: job-name            : myname',
  'srun: ntasks              : 2',
  'srun: verbose             : 1',
  'srun: -------------------- --------------------',
  'srun: end of defined options',
  "srun: jobid 2: nodes(1):`localhost', cpu counts: 4(x1)",
  'srun: launch/slurm: launch_p_step_launch: CpuBindType=(null type)',
  'srun: launching StepId=2.0 on host localhost, 2 tasks: [0-1]',
  'srun: route/default: init: route default plugin loaded',
  'srun: launch/slurm: _task_start: Node localhost, 2 tasks started',
  'err',
  'err',
  'srun: launch/slurm: _task_finish: Received task exit notification for 2 tasks of StepId=2.0 (status=0x0300).',
  'srun: error: localhost: tasks 0-1: Exited with exit code 3',
  '',
].join('\n');

/** A step killed at its Slurm time limit (`srun -v -t 1 ...`), after the option table. */
export const SRUN_STDERR_TIME_LIMIT = [
  "srun: jobid 9: nodes(1):`localhost', cpu counts: 4(x1)",
  'srun: launch/slurm: launch_p_step_launch: CpuBindType=(null type)',
  'srun: launching StepId=9.15 on host localhost, 1 tasks: 0',
  'srun: route/default: init: route default plugin loaded',
  'srun: launch/slurm: _task_start: Node localhost, 1 tasks started',
  'slurmstepd-localhost: error: *** STEP 9.15 ON localhost CANCELLED AT 2026-11-22T16:43:07 DUE TO TIME LIMIT ***',
  'srun: launch/slurm: _task_finish: Received task exit notification for 1 task of StepId=9.15 (status=0x000f).',
  '',
].join('\n');

/** A step that has to wait for CPUs, then runs. */
export const SRUN_STDERR_WAITING = [
  "srun: jobid 9: nodes(1):`localhost', cpu counts: 4(x1)",
  'srun: Job 9 step creation temporarily disabled, retrying (Requested nodes are busy)',
  'srun: Job 9 step creation still disabled, retrying (Requested nodes are busy)',
  'srun: Step created for job 9',
  'srun: launch/slurm: launch_p_step_launch: CpuBindType=(null type)',
  'srun: launching StepId=9.7 on host localhost, 1 tasks: 0',
  '',
].join('\n');

/** srun refusing a step (more CPUs than the allocation has). */
export const SRUN_STDERR_REFUSED = [
  "srun: jobid 9: nodes(1):`localhost', cpu counts: 4(x1)",
  'srun: error: Unable to create step for job 9: More processors requested than permitted',
  '',
].join('\n');
