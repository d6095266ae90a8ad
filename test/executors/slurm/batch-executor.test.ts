/**
 * The batch executor's bookkeeping against a stand-in for Slurm's commands: one squeue per
 * poll for all jobs, the completion record for jobs squeue no longer holds, and "lost" for a
 * job neither knows. (The real cluster is exercised by the slurm suite.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { SlurmBatchExecutor } from '../../../src/executors/slurm/batch-executor.js';
import type { SlurmCommands } from '../../../src/executors/slurm/slurm-cli.js';
import type { SlurmJobRecord } from '../../../src/executors/slurm/slurm-record.js';
import type { ExecutorSink } from '../../../src/executors/types.js';
import type { ExecutorEvent } from '../../../src/model/executor-events.js';
import { LiveOutput } from '../../../src/output/live-output.js';
import { jobOutputPaths } from '../../../src/output/layout.js';
import type { JobSpec } from '../../../src/model/job.js';

const spec: JobSpec = {
  command: ['true'], name: 'true', numTasks: 1, coresPerTask: 1, gpusPerTask: 0, numNodes: null, exclusive: false,
  workdir: null, runtime: 0, envars: {}, optionFlags: {}, tty: false, urgency: 16, queue: null,
};

function finished(jobId: number, state: string, exitStatus: number): SlurmJobRecord {
  return { jobId, state, reason: '', exitStatus, startTime: 1000, endTime: 1001, nodes: 'n1', nodeCount: 1, cpus: 1, timeLimit: null, partition: 'debug' };
}

class FakeSlurm implements SlurmCommands {
  queue = new Map<number, SlurmJobRecord>();
  done = new Map<number, SlurmJobRecord>();
  calls: string[] = [];
  private next = 100;
  async squeue(): Promise<Map<number, SlurmJobRecord>> {
    this.calls.push('squeue');
    return new Map(this.queue);
  }
  async completed(ids: number[]): Promise<Map<number, SlurmJobRecord>> {
    this.calls.push(`sacct ${ids.join(',')}`);
    return new Map(ids.flatMap((id) => { const r = this.done.get(id); return r ? [[id, r] as const] : []; }));
  }
  async nodes(): Promise<never[]> { return []; }
  async sbatch(): Promise<number> {
    this.calls.push('sbatch');
    return this.next++;
  }
  async scancel(target: string, signal?: string): Promise<void> { this.calls.push(`scancel ${signal ?? ''}${target}`); }
  async scontrol(args: string[]): Promise<void> { this.calls.push(`scontrol ${args.join(' ')}`); }
  async version(): Promise<string> { return 'slurm 0'; }
  async ping(): Promise<boolean> { return true; }
}

function harness(t: { teardown(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-batch-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const events: ExecutorEvent[] = [];
  const refs = new Map<bigint, string>();
  const outputs = new Map<bigint, LiveOutput>();
  const sink: ExecutorSink = {
    event: (event) => events.push(event),
    backendRef: (id, ref) => refs.set(id, ref),
    output: (id) => {
      let output = outputs.get(id);
      if (output === undefined) {
        output = LiveOutput.create(jobOutputPaths(dir, id), () => undefined, () => undefined);
        outputs.set(id, output);
      }
      return output;
    },
    log: () => undefined,
  };
  const slurm = new FakeSlurm();
  const executor = new SlurmBatchExecutor({ cli: slurm, slurmSettings: {}, srunPath: 'srun', pollMs: 60_000 });
  t.teardown(() => {
    void executor.stop('leave-jobs');
    for (const output of outputs.values()) {
      output.close();
    }
  });
  const names = (id: bigint): string[] => events.filter((event) => event.id === id).map((event) => event.name);
  return { slurm, executor, sink, events, refs, names };
}

test('one squeue call per poll serves every job', async (t) => {
  const { slurm, executor, sink, names } = harness(t);
  await executor.start(sink, []);
  await executor.submit({ id: 1n, owner: 'u', spec, env: {} });
  await executor.submit({ id: 2n, owner: 'u', spec, env: {} });
  slurm.queue.set(100, finished(100, 'COMPLETED', 0));
  slurm.queue.set(101, finished(101, 'FAILED', 2 << 8));
  slurm.calls = [];
  await executor.poll();
  t.deepEqual(slurm.calls, ['squeue']);
  t.deepEqual(names(1n), ['depend', 'priority', 'alloc', 'start', 'finish', 'release', 'free', 'clean']);
  t.deepEqual(names(2n).slice(-4), ['finish', 'release', 'free', 'clean']);
});

test('a job squeue has forgotten is read from the job-completion record', async (t) => {
  const { slurm, executor, sink, events } = harness(t);
  await executor.start(sink, []);
  t.deepEqual(await executor.submit({ id: 7n, owner: 'u', spec, env: {} }), { backendRef: '100' });
  slurm.done.set(100, finished(100, 'FAILED', 5 << 8));
  await new Promise((resolve) => setTimeout(resolve, 5));
  slurm.calls = [];
  await executor.poll();
  t.deepEqual(slurm.calls, ['squeue', 'sacct 100']);
  t.like(events.find((event) => event.name === 'finish'), { id: 7n, status: 5 << 8 });
});

test('a job neither squeue nor the completion record knows is lost after a few polls', async (t) => {
  const { executor, sink, events } = harness(t);
  await executor.start(sink, []);
  await executor.submit({ id: 9n, owner: 'u', spec, env: {} });
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (let poll = 0; poll < 3; poll += 1) {
    await executor.poll();
  }
  t.like(events.find((event) => event.name === 'exception'), { id: 9n, type: 'lost', severity: 0 });
  t.is(events[events.length - 1]?.name, 'clean');
});

test('a runtime that is not whole minutes is enforced by jobgate: timeout, then scancel', async (t) => {
  const { slurm, executor, sink, events } = harness(t);
  await executor.start(sink, []);
  await executor.submit({ id: 3n, owner: 'u', spec: { ...spec, runtime: 1.5 }, env: {} });
  slurm.queue.set(100, { ...finished(100, 'RUNNING', 0), startTime: Date.now() / 1000, endTime: 0 });
  await executor.poll();
  const deadline = Date.now() + 10_000;
  while (!slurm.calls.includes('scancel 100') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.true(slurm.calls.includes('scancel 100'));
  t.like(events.find((event) => event.name === 'exception'), { id: 3n, type: 'timeout', severity: 0, note: 'runtime limit of 1.5s reached' });
});

test('restart: jobs with a Slurm id are picked up again; one without is lost', async (t) => {
  const { slurm, executor, sink, events, names } = harness(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-batch-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const output = (id: bigint) => LiveOutput.create(jobOutputPaths(dir, id), () => undefined, () => undefined);
  slurm.queue.set(55, finished(55, 'COMPLETED', 0));
  await executor.start(sink, [
    { id: 1n, owner: 'u', spec, state: 'RUN', backendRef: '55', tRun: 999, env: {}, output: output(1n) },
    { id: 2n, owner: 'u', spec, state: 'SCHED', backendRef: null, tRun: null, env: {}, output: output(2n) },
  ]);
  t.like(events.find((event) => event.id === 2n && event.name === 'exception'), { type: 'lost' });
  await executor.poll();
  t.deepEqual(names(1n), ['finish', 'release', 'free', 'clean']);
});

test('holding and releasing a pending job', async (t) => {
  const { slurm, executor, sink, names } = harness(t);
  await executor.start(sink, []);
  await executor.submit({ id: 4n, owner: 'u', spec: { ...spec, urgency: 0 }, env: {} });
  await executor.setUrgency(4n, 16);
  await executor.setUrgency(4n, 0);
  t.deepEqual(slurm.calls.filter((call) => call.startsWith('scontrol')), ['scontrol release 100', 'scontrol hold 100']);
  t.deepEqual(names(4n), ['depend', 'priority', 'urgency', 'priority', 'urgency', 'priority']);
});
