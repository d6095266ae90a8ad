/** Fills a data directory with N finished jobs straight through the store (as if they had run). */
import path from 'node:path';
import { openDatabase, closeDatabase } from '../src/db/database.js';
import { JobsRepository } from '../src/db/jobs-repository.js';
import type { JobRecord, JobResult } from '../src/model/job.js';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'lammps', 'gromacs', 'hpl', 'stream', 'ior', 'osu', 'nekbone', 'amg', 'kripke', 'quicksilver'];
const OWNERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const RESULTS: JobResult[] = ['COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED', 'CANCELED', 'TIMEOUT'];

export function seedJobs(dataDir: string, count: number): void {
  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db') });
  const repo = new JobsRepository(db);
  const start = Date.now() / 1000 - count * 2;
  repo.setMeta('id_epoch_ms', String(Math.floor(start * 1000) - 60_000));
  repo.transaction(() => {
    for (let index = 0; index < count; index += 1) {
      const t = start + index * 2;
      const id = BigInt(Math.floor((t * 1000 - (start * 1000 - 60_000)))) << 24n;
      const word = WORDS[index % WORDS.length] ?? 'job';
      const result = RESULTS[(index * 7) % RESULTS.length] ?? 'COMPLETED';
      const returncode = result === 'COMPLETED' ? 0 : result === 'FAILED' ? 1 + (index % 3) : 143;
      const runtime = (index % 97) + 0.5;
      const command = [word, `--case=${index % 1000}`, `--size=${(index * 13) % 4096}`];
      const job: JobRecord = {
        id, owner: OWNERS[index % OWNERS.length] ?? 'alice', userid: 1000, name: `${word}-${index % 500}`, command,
        spec: { command, name: word, numTasks: 1 + (index % 4), coresPerTask: 1, gpusPerTask: 0, numNodes: 1, exclusive: false, workdir: '/scratch/run', runtime: 0, envars: { CASE: String(index) }, optionFlags: {}, tty: false, urgency: 16, queue: null },
        executor: 'local', backendRef: null, state: 'INACTIVE', result, success: result === 'COMPLETED', returncode, waitstatus: returncode << 8,
        exception: result === 'COMPLETED' || result === 'FAILED' ? { occurred: false, type: null, severity: null, note: null } : { occurred: true, type: result === 'CANCELED' ? 'cancel' : 'timeout', severity: 0, note: '' },
        urgency: 16, priority: 16, ntasks: 1 + (index % 4), ncores: 1 + (index % 4), nnodes: 1, ngpus: 0, duration: 0, cwd: '/scratch/run', queue: null, ranks: '0', nodelist: 'node0', expiration: null,
        t_submit: t, t_depend: t, t_priority: t, t_sched: t, t_run: t + 0.5, t_cleanup: t + 0.5 + runtime, t_inactive: t + 0.6 + runtime,
      };
      repo.insert(job);
      repo.appendEvent(id, t, 'submit', { owner: job.owner, urgency: 16 });
      repo.appendEvent(id, t + 0.6 + runtime, 'clean', null);
    }
  });
  closeDatabase(db);
}
