/**
 * Stored jobs for listing, export and bulk tests: written straight into a data directory's
 * store before the server starts (as if they had run), with chosen owners, names, states,
 * times, tags and metadata.
 */
import path from 'node:path';
import { closeDatabase, openDatabase } from '../../src/db/database.js';
import { JobsRepository } from '../../src/db/jobs-repository.js';
import { JobLabelsRepository } from '../../src/db/job-labels-repository.js';
import type { JobRecord, JobResult, JobState } from '../../src/model/job.js';
import type { JobTag } from '../../src/model/job-labels.js';

export interface SeedJob {
  id: bigint;
  owner?: string;
  name?: string;
  state?: JobState;
  result?: JobResult | null;
  queue?: string | null;
  t_submit: number;
  t_run?: number | null;
  t_inactive?: number | null;
  urgency?: number;
  ntasks?: number;
  command?: string[];
  tags?: JobTag[];
  metadata?: Record<string, string>;
}

export function jobRecord(seed: SeedJob): JobRecord {
  const state = seed.state ?? 'INACTIVE';
  const result = seed.result === undefined ? (state === 'INACTIVE' ? 'COMPLETED' : null) : seed.result;
  const command = seed.command ?? [seed.name ?? 'job'];
  const ntasks = seed.ntasks ?? 1;
  const urgency = seed.urgency ?? 16;
  return {
    id: seed.id, owner: seed.owner ?? 'alice', userid: 1000, name: seed.name ?? 'job', command,
    spec: { command, name: seed.name ?? 'job', numTasks: ntasks, coresPerTask: 1, gpusPerTask: 0, numNodes: null, exclusive: false, workdir: '/scratch', runtime: 0, envars: {}, optionFlags: {}, tty: false, urgency, queue: seed.queue ?? null },
    executor: 'local', backendRef: null, state, result, success: result === null ? null : result === 'COMPLETED',
    returncode: result === null ? null : result === 'COMPLETED' ? 0 : 1, waitstatus: result === null ? null : result === 'COMPLETED' ? 0 : 256,
    exception: { occurred: false, type: null, severity: null, note: null },
    urgency, priority: urgency, ntasks, ncores: ntasks, nnodes: 1, ngpus: 0, duration: 0, cwd: '/scratch', queue: seed.queue ?? null,
    ranks: null, nodelist: null, expiration: null,
    t_submit: seed.t_submit, t_depend: seed.t_submit, t_priority: seed.t_submit, t_sched: seed.t_submit,
    t_run: seed.t_run === undefined ? (state === 'RUN' || state === 'CLEANUP' || state === 'INACTIVE' ? seed.t_submit + 1 : null) : seed.t_run,
    t_cleanup: state === 'INACTIVE' ? seed.t_submit + 2 : null,
    t_inactive: seed.t_inactive === undefined ? (state === 'INACTIVE' ? seed.t_submit + 2 : null) : seed.t_inactive,
  };
}

/** Writes the jobs (with a submit event, and a clean event for ended ones) into the data directory's store. */
export function seedJobs(dataDir: string, jobs: readonly SeedJob[]): void {
  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db') });
  try {
    const repo = new JobsRepository(db);
    const labels = new JobLabelsRepository(db);
    repo.transaction(() => {
      for (const seed of jobs) {
        const job = jobRecord(seed);
        repo.insert(job);
        repo.appendEvent(job.id, job.t_submit, 'submit', { owner: job.owner, urgency: job.urgency }, 'DEPEND');
        if (job.state === 'INACTIVE') {
          repo.appendEvent(job.id, job.t_inactive ?? job.t_submit, 'clean', null, 'INACTIVE');
        }
        labels.addTags(job.id, seed.tags ?? [], job.t_submit);
        labels.setMetadata(job.id, seed.metadata ?? {}, job.t_submit);
      }
    });
  } finally {
    closeDatabase(db);
  }
}
