/**
 * Faults on a real Slurm (test/slurm/cluster/start-slurm.sh; this file runs only when
 * SLURM_CONF names its configuration, as in CI):
 * - slurmctld stopped while a batch job runs: /ready fails, submits get 503 with Retry-After
 *   and leave nothing behind, the running job is kept (never marked lost), and once slurmctld
 *   is back the job ends as it should with all its output and submits are taken again;
 * - the srun of a job step SIGKILLed (jobgate inside an allocation): the job ends with a clear
 *   exception, its step is canceled in Slurm, and the service goes on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { idOf } from '../lib/http-client.js';
import { exportJobs, until } from '../lib/jobs.js';
import { startService, type Service } from '../lib/service.js';
import { counts, recordFigure, reportTally } from '../lib/tally.js';

reportTally(test, import.meta.url);

const SLURM_CONF = process.env.SLURM_CONF ?? '';
const SLURM_DIR = path.dirname(SLURM_CONF);
/** Slurm's commands see the test cluster's configuration, and never an allocation of the runner's own. */
const slurmEnv: Record<string, string> = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('SLURM_')));
slurmEnv.SLURM_CONF = SLURM_CONF;

function tempDir(t: { teardown(fn: () => void): void }, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function slurmService(t: { teardown(fn: () => Promise<void> | void): void }, dir: string, env: Record<string, string> = {}): Promise<Service> {
  // jobgate inherits this runner's environment: inside an allocation it would launch steps there.
  if (process.env.SLURM_JOB_ID !== undefined) {
    throw new Error('run the reliability suite outside a Slurm allocation: it makes the allocations it needs');
  }
  const service = await startService(path.join(dir, 'data'), ['--executor', 'slurm'], { SLURM_CONF, ...env });
  t.teardown(() => service.close());
  return service;
}

async function detail(service: Service, id: string): Promise<Record<string, unknown>> {
  return (await service.client.get(`/v1/jobs/${id}`)).json();
}

async function ended(service: Service, id: string, timeoutMs = 60000): Promise<Record<string, unknown>> {
  return until(`job ${id} to end`, async () => {
    const job = await detail(service, id);
    return job.state === 'INACTIVE' ? job : undefined;
  }, timeoutMs, 250);
}

function output(service: Service, id: string): Promise<string> {
  return service.client.get(`/v1/jobs/${id}/output`, { query: { format: 'raw' } }).then((answer) => answer.text());
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startSlurmctld(): Promise<void> {
  await execa('/usr/sbin/slurmctld', [], { env: slurmEnv });
  await until('slurmctld to answer', async () => ((await execa('scontrol', ['ping'], { env: slurmEnv, reject: false })).exitCode === 0 ? true : undefined), 30000, 200);
}

test.serial('slurmctld stopped under a running batch job: /ready fails, 503 with Retry-After, nothing lost, all well once it is back', async (t) => {
  const dir = tempDir(t, 'jobgate-rel-slurmctld-');
  const service = await slurmService(t, dir);
  const accepted = new Map<string, string>();
  const long = idOf(await service.client.post('/v1/jobs/submit', { query: { command: "sh -c 'echo start; sleep 5; echo end'", job_name: 'through-the-outage' } }));
  accepted.set(long, 'start\nend\n');
  await until('the job to run', async () => ((await detail(service, long)).state === 'RUN' ? true : undefined), 30000, 250);

  const pid = Number(fs.readFileSync(path.join(SLURM_DIR, 'slurmctld.pid'), 'utf8').trim());
  let restarted = false;
  t.teardown(async () => {
    if (!restarted && !pidAlive(pid)) {
      await startSlurmctld();
    }
  });
  process.kill(pid, 'SIGTERM');
  counts.faults += 1;
  await until('slurmctld to stop', async () => (pidAlive(pid) ? undefined : true), 20000, 100);
  const downAt = performance.now();

  const ready = await until('/ready to fail', async () => {
    const answer = await service.client.get('/ready', { outage: true });
    return answer.status === 503 ? answer : undefined;
  }, 20000, 250);
  t.truthy(ready.headers['retry-after'], '/ready says when to try again');
  const before = (await exportJobs(service.client)).length;
  const refused = await service.client.post('/v1/jobs/submit', { query: { command: 'echo never', job_name: 'refused' }, outage: true, timeoutMs: 60000 });
  t.is(refused.status, 503, refused.text());
  t.truthy(refused.headers['retry-after'], 'the refusal says when to try again');
  t.regex(refused.text(), /slurm controller/i, 'the refusal says why');
  t.is((await exportJobs(service.client)).length, before, 'a refused submit leaves nothing behind');
  t.is((await service.client.get('/health')).status, 200);

  // Long enough for a few polls (each squeue waits ~9 s for the controller, then answers exit 0
  // with an empty list and an errors array): the job must stay as it was, never taken for gone.
  await until('a few polls while slurmctld is down', async () => (performance.now() - downAt > 25000 ? true : undefined), 60000, 500);
  const during = await detail(service, long);
  t.not(during.state, 'INACTIVE', 'the running job is not given up while slurmctld is away');

  await startSlurmctld();
  restarted = true;
  const downMs = performance.now() - downAt;
  await until('/ready again', async () => ((await service.client.get('/ready', { outage: true })).status === 200 ? true : undefined), 30000, 250);
  const after = idOf(await service.client.post('/v1/jobs/submit', { query: { command: 'echo after the outage', job_name: 'after' } }));
  accepted.set(after, 'after the outage\n');

  let lost = 0;
  for (const [id, text] of accepted) {
    counts.jobsChecked += 1;
    const job = await ended(service, id, 90000);
    const got = await output(service, id);
    if (job.result !== 'COMPLETED' || job.returncode !== 0 || got !== text) {
      lost += 1;
      t.log(`job ${id}: ${String(job.result)} ${String(job.returncode)} ${JSON.stringify(got)}`);
    }
  }
  counts.lost += lost;
  t.is(lost, 0, 'every accepted job ended as it should, with all its output');
  recordFigure('slurmctld stopped (real Slurm, batch jobs)', { 'controller down (s)': Math.round(downMs / 100) / 10, 'submit refused after (s)': Math.round(refused.ms / 100) / 10 });
});

/** The pid of the srun whose command line names this job (jobgate passes the job name to srun). */
function findSrun(jobName: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(args[0] ?? '') === 'srun' && args.some((arg) => arg.includes(jobName))) {
        return Number(entry);
      }
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

test.serial('the srun of a job step SIGKILLed: the job ends with a clear exception, its step is canceled, the service goes on', async (t) => {
  const dir = tempDir(t, 'jobgate-rel-srun-');
  // An allocation of its own, as `salloc` would give jobgate, without a shell in it.
  const granted = await execa('salloc', ['--no-shell', '--ntasks=2', '--time=10', '--job-name=jobgate-rel-srun'], { env: slurmEnv, all: true });
  const allocation = /Granted job allocation (\d+)/.exec(granted.all ?? '')?.[1];
  if (allocation === undefined) {
    t.fail(`salloc gave no allocation: ${granted.all ?? ''}`);
    return;
  }
  t.teardown(async () => {
    await execa('scancel', [allocation], { env: slurmEnv, reject: false });
  });
  const service = await slurmService(t, dir, { SLURM_JOB_ID: allocation, SLURM_JOB_NODELIST: 'localhost', SLURM_JOB_CPUS_PER_NODE: '2', SLURM_NTASKS: '2' });
  t.regex((await service.client.get('/v1/nodes')).text(), /localhost/);

  const name = `srun-victim-${process.pid}`;
  const victim = idOf(await service.client.post('/v1/jobs/submit', { query: { command: "sh -c 'echo up; sleep 120'", job_name: name } }));
  await until('the step to run and print', async () => ((await output(service, victim)) === 'up\n' ? true : undefined), 30000, 200);
  const srun = findSrun(name);
  t.truthy(srun, 'the srun of the job');
  process.kill(srun ?? 0, 'SIGKILL');
  counts.faults += 1;

  const job = await ended(service, victim, 30000);
  counts.jobsChecked += 1;
  t.is(job.result, 'FAILED');
  const exception = job.exception as { occurred?: boolean; type?: string; note?: string } | undefined;
  t.like(exception, { occurred: true, type: 'lost' });
  t.regex(exception?.note ?? '', /srun \(pid \d+\).*killed by signal 9.*step was canceled/);
  // Nothing of it runs on in Slurm: its step is gone from the allocation.
  await until('the step to be gone', async () => {
    const steps = await execa('squeue', ['-h', '-s', '-j', allocation, '-o', '%i %j'], { env: slurmEnv, reject: false });
    return steps.stdout.includes(name) ? undefined : true;
  }, 30000, 250);

  // The service goes on: the next step runs in the same allocation.
  const next = idOf(await service.client.post('/v1/jobs/submit', { query: { command: 'echo still serving', job_name: 'next' } }));
  const nextJob = await ended(service, next, 30000);
  counts.jobsChecked += 1;
  t.is(nextJob.result, 'COMPLETED');
  t.is(await output(service, next), 'still serving\n');
  const jobs = await exportJobs(service.client);
  t.is(jobs.length, 2, 'both jobs, once each');
  recordFigure('srun killed (real Slurm, job steps)', { 'exception note': exception?.note ?? '' });
});
