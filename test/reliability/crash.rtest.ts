/**
 * SIGKILL of the service in the middle of a submit storm, three times over: after each restart
 * every job that got a 2xx is there, ends as it should (completed, exit 0) and printed its
 * output exactly once. Submits whose answer was cut by the kill may or may not have been
 * stored; those that were must be just as whole. Nothing is stored twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { idOf, loops } from './lib/http-client.js';
import { countJobs, exportJobs, until } from './lib/jobs.js';
import { startService, type Service } from './lib/service.js';
import { counts, recordFigure, reportTally } from './lib/tally.js';

reportTally(test, import.meta.url);

const CYCLES = Number(process.env.JOBGATE_RELIABILITY_KILLS ?? '3');
const CLIENTS = 16;

interface Storm {
  accepted: Map<string, string>;
  /** Names whose submit got no answer (cut by the kill): stored or not, never half. */
  unanswered: Set<string>;
}

/**
 * Submits from CLIENTS loops and SIGKILLs the service once `killAt` submits of this cycle were
 * accepted: the other loops have requests in flight, some jobs queue, some start, some end.
 */
async function stormAndKill(service: Service, cycle: number, killAt: number, storm: Storm): Promise<void> {
  let dead = false;
  let acceptedHere = 0;
  await loops(CLIENTS, () => dead, async (client, iteration) => {
    const name = `c${cycle}-${client}-${iteration}`;
    // A few jobs run a while, so the kill finds jobs queued, starting, running and ending.
    const command = iteration % 16 === 0 ? `sh -c 'sleep 0.5; echo ${name}'` : `echo ${name}`;
    try {
      const answer = await service.client.post('/v1/jobs/submit', { query: { command, job_name: name } });
      if (answer.status !== 200) {
        throw new Error(`submit answered ${answer.status}: ${answer.text().slice(0, 200)}`);
      }
      storm.accepted.set(idOf(answer), name);
      acceptedHere += 1;
      if (acceptedHere === killAt) {
        dead = true;
        process.kill(service.pid, 'SIGKILL');
        counts.faults += 1;
      }
    } catch (error: unknown) {
      if (!dead) {
        throw error;
      }
      storm.unanswered.add(name);
    }
  });
  await service.exit();
  service.client.close();
}

test('SIGKILL during submit storms: every accepted job is there, ends right, ran once', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-rel-crash-'));
  t.teardown(() => {
    if (process.env.JOBGATE_RELIABILITY_KEEP === undefined) {
      fs.rmSync(dir, { recursive: true, force: true });
    } else {
      t.log(`data kept in ${dir}`);
    }
  });
  const dataDir = path.join(dir, 'data');
  const storm: Storm = { accepted: new Map(), unanswered: new Set() };
  const kills: number[] = [];
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    const service = await startService(dataDir, ['--cores', '4']);
    const before = storm.accepted.size;
    await stormAndKill(service, cycle, 150 + (cycle % 3) * 100, storm);
    kills.push(storm.accepted.size - before);
  }

  const service = await startService(dataDir, ['--cores', '4']);
  t.teardown(() => service.close());
  const acceptedCount = storm.accepted.size;
  try {
    await until('every job to end after the restarts', async () => ((await countJobs(service.client, { state: 'active' })) === 0 ? true : undefined), 60000, 250);
  } catch (error: unknown) {
    const stuck = (await exportJobs(service.client, { state: 'active' })).slice(0, 5);
    for (const job of stuck) {
      t.log((await service.client.get(`/v1/jobs/${job.id}`)).text().slice(0, 2000));
    }
    throw error;
  }
  const jobs = await exportJobs(service.client);
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const problems: string[] = [];
  let lost = 0;
  for (const [id, name] of storm.accepted) {
    const job = byId.get(id);
    counts.jobsChecked += 1;
    if (job === undefined || job.name !== name || job.result !== 'COMPLETED' || job.returncode !== 0) {
      lost += 1;
      problems.push(`${name} (${id}): ${job === undefined ? 'missing' : `${job.state} ${job.result} ${job.returncode}`}`);
    }
  }
  // Every stored job (accepted or cut off) printed its name exactly once: no job ran twice.
  let twice = 0;
  let extra = 0;
  const outputs = new Map<string, string>();
  let next = 0;
  await loops(8, () => next >= jobs.length, async () => {
    const job = jobs[next++];
    if (job === undefined) {
      return;
    }
    outputs.set(job.id, (await service.client.get(`/v1/jobs/${job.id}/output`, { query: { format: 'raw' } })).body.toString('utf8'));
  });
  for (const job of jobs) {
    if (!storm.accepted.has(job.id)) {
      if (!storm.unanswered.has(job.name)) {
        extra += 1;
        problems.push(`${job.name} (${job.id}): stored but never submitted`);
        continue;
      }
      counts.jobsChecked += 1;
      if (job.result !== 'COMPLETED') {
        problems.push(`${job.name} (${job.id}, answer cut by the kill): ${job.state} ${job.result}`);
      }
    }
    const output = outputs.get(job.id);
    if (output !== `${job.name}\n`) {
      twice += 1;
      problems.push(`${job.name} (${job.id}): output ${JSON.stringify(output)}`);
    }
  }
  const names = new Set(jobs.map((job) => job.name));
  counts.lost += lost;
  counts.duplicated += twice + (jobs.length - names.size);
  t.deepEqual(problems, []);
  t.is(lost, 0);
  t.is(extra, 0);
  t.is(names.size, jobs.length, 'no job stored twice');
  t.true(acceptedCount > 0);
  recordFigure('SIGKILL during submit storms', {
    'kills': CYCLES,
    'jobs accepted (2xx) before the kills': kills.join(' + '),
    'jobs accepted in all': acceptedCount,
    'answers cut by a kill (stored / not stored)': `${[...storm.unanswered].filter((name) => names.has(name)).length} / ${[...storm.unanswered].filter((name) => !names.has(name)).length}`,
  });
});
