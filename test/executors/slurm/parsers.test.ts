import test from 'ava';
import { expandCounts, expandHostlist } from '../../../src/executors/slurm/hostlist.js';
import { parseSacct, parseSqueueJson, waitStatusOf } from '../../../src/executors/slurm/slurm-record.js';
import { gpusOf, parseSinfoJson } from '../../../src/executors/slurm/slurm-nodes.js';
import { SlurmAnswerError } from '../../../src/executors/slurm/json-errors.js';
import { allocationFromEnv } from '../../../src/executors/slurm/allocation.js';
import { SACCT_LINES, SINFO_JSON, SQUEUE_JSON } from './samples.js';

test('hostlists expand in order, keeping zero padding', (t) => {
  t.deepEqual(expandHostlist('localhost'), ['localhost']);
  t.deepEqual(expandHostlist('node[01-03,07],gpu1'), ['node01', 'node02', 'node03', 'node07', 'gpu1']);
  t.deepEqual(expandHostlist('rack[1-2]-n[1-2]'), ['rack1-n1', 'rack1-n2', 'rack2-n1', 'rack2-n2']);
  t.deepEqual(expandHostlist(''), []);
  t.deepEqual(expandHostlist('(null)'), []);
});

test('per-node CPU counts expand their repeat marks', (t) => {
  t.deepEqual(expandCounts('4'), [4]);
  t.deepEqual(expandCounts('4(x2),2'), [4, 4, 2]);
});

test('squeue --json: every job with its state, wait status, times and nodes', (t) => {
  const jobs = parseSqueueJson(SQUEUE_JSON);
  t.deepEqual([...jobs.keys()], [1, 3, 4, 8, 9, 10, 12]);
  t.like(jobs.get(3), { state: 'PENDING', reason: 'PartitionNodeLimit', nodes: '', startTime: 0 });
  t.like(jobs.get(8), { state: 'FAILED', exitStatus: 768, nodes: 'localhost', timeLimit: 1 });
  t.like(jobs.get(9), { state: 'RUNNING', nodes: 'node[01-02]', nodeCount: 2, cpus: 4, reason: '' });
  t.like(jobs.get(10), { state: 'TIMEOUT', exitStatus: 15 });
  t.is(jobs.get(1)?.timeLimit, null);
});

test('squeue --json without a jobs array is an error, not an empty cluster', (t) => {
  t.throws(() => parseSqueueJson('{"meta": {"plugin": {"type": "openapi/v0.0.38"}}}'), { message: /no "jobs" array/ });
});

test('squeue and sinfo --json with slurmctld down (exit 0, an errors array, no jobs) are errors, not an empty cluster', (t) => {
  // Their answers, verbatim, with slurmctld stopped (Slurm 22.05).
  const squeue = '{"errors": [{"description": "Failed while looking for jobs", "error_number": -1, "error": "Unspecified error", "source": "slurm_load_jobs"}], "jobs": []}';
  const sinfo = '{"errors": [{"error": "Unspecified error", "errno": -1}], "nodes": []}';
  t.throws(() => parseSqueueJson(squeue), { instanceOf: SlurmAnswerError, message: 'squeue --json could not read from slurmctld: Failed while looking for jobs: Unspecified error' });
  t.throws(() => parseSinfoJson(sinfo), { instanceOf: SlurmAnswerError, message: 'sinfo --json could not read from slurmctld: Unspecified error' });
  t.is(parseSqueueJson('{"errors": [], "jobs": []}').size, 0, 'an empty errors array is a real empty queue');
});

test('ExitCode code:signal becomes a wait status', (t) => {
  t.is(waitStatusOf('0:0'), 0);
  t.is(waitStatusOf('3:0'), 3 << 8);
  t.is(waitStatusOf('0:15'), 15);
  t.is(waitStatusOf('junk'), null);
});

test('sacct -c: whole jobs only, states, exit codes, never-ran jobs without nodes', (t) => {
  const jobs = parseSacct(SACCT_LINES);
  t.deepEqual([...jobs.keys()], [2, 3, 8, 10, 11]);
  t.like(jobs.get(3), { state: 'CANCELLED', nodes: '', cpus: 0 });
  t.like(jobs.get(8), { state: 'FAILED', exitStatus: 768, timeLimit: 1, nodes: 'localhost' });
  t.like(jobs.get(10), { state: 'TIMEOUT', timeLimit: 1 });
  t.like(jobs.get(11), { exitStatus: 9 });
  t.is(jobs.get(2)?.timeLimit, null);
  t.is(jobs.get(8)?.startTime, new Date('2026-11-22T16:40:26').getTime() / 1000);
});

test('sinfo --json: CPUs, busy CPUs, GPUs from gres, drained and down nodes', (t) => {
  const nodes = parseSinfoJson(SINFO_JSON);
  t.like(nodes[0], { name: 'localhost', state: 'mixed', cpus: 8, cpusBusy: 5, gpus: 0 });
  t.like(nodes[1], { name: 'gpu1', state: 'drained', gpus: 4, gpusBusy: 1 });
  t.like(nodes[2], { name: 'dead', state: 'down' });
  t.is(gpusOf('gpu:2,shard:8'), 2);
});

test('the allocation comes from the variables Slurm sets in it', (t) => {
  t.is(allocationFromEnv({ PATH: '/bin' }), null);
  const allocation = allocationFromEnv({ SLURM_JOB_ID: '42', SLURM_JOB_NODELIST: 'n[1-3]', SLURM_JOB_CPUS_PER_NODE: '4(x2),2', SLURM_JOB_PARTITION: 'debug' });
  t.deepEqual(allocation, {
    jobId: '42',
    nodes: [{ name: 'n1', cpus: 4 }, { name: 'n2', cpus: 4 }, { name: 'n3', cpus: 2 }],
    partition: 'debug',
    endTime: null,
    memPerCpu: null,
  });
  t.is(allocationFromEnv({ SLURM_JOB_ID: '42', SLURM_JOB_NODELIST: 'n1', SLURM_JOB_CPUS_PER_NODE: '4', SLURM_MEM_PER_NODE: '4000' })?.memPerCpu, 1000);
  t.is(allocationFromEnv({ SLURM_JOB_ID: '42', SLURM_JOB_NODELIST: 'n1', SLURM_JOB_CPUS_PER_NODE: '4', SLURM_MEM_PER_CPU: '250' })?.memPerCpu, 250);
});
