/**
 * Load: 1,000 Server-Sent Events followers across 100 running jobs, 5,000 jobs queued at once,
 * and submits sustained for a minute. Every answer must be a success, every byte must reach
 * every follower, every accepted job must end as it should; memory must stay bounded. RSS and
 * latency percentiles are reported (never asserted: this machine is shared).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { idOf, loops, type Answer } from './lib/http-client.js';
import { follow, type Follower } from './lib/follower.js';
import { countJobs, exportJobs, Pipes, until } from './lib/jobs.js';
import { sampleMemory, startService, type Service } from './lib/service.js';
import { counts, latencyLine, recordFigure, reportTally } from './lib/tally.js';

reportTally(test, import.meta.url);

/** A generous ceiling for the service's resident memory under these loads (typical: 100-250 MiB). */
const RSS_CEILING_MIB = 1024;
const SUSTAIN_SECONDS = Number(process.env.JOBGATE_RELIABILITY_SUSTAIN_SECONDS ?? '60');

function tempDir(t: { teardown(fn: () => void): void }, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function submitOrThrow(service: Service, query: Record<string, string | number>): Promise<{ id: string; answer: Answer }> {
  const answer = await service.client.post('/v1/jobs/submit', { query });
  if (answer.status !== 200) {
    throw new Error(`submit: ${answer.status} ${answer.text().slice(0, 300)}`);
  }
  return { id: idOf(answer), answer };
}

test.serial('1,000 followers across 100 running jobs: every byte to every follower, then the end', async (t) => {
  const JOBS = 100;
  const PER_JOB = 10;
  const ROUNDS = 30;
  const dir = tempDir(t, 'jobgate-rel-follow-');
  const service = await startService(path.join(dir, 'data'), ['--cores', String(JOBS)]);
  t.teardown(() => service.close());
  const pipes = await Pipes.create(dir, JOBS);
  t.teardown(() => pipes.close());
  const ids: string[] = [];
  for (let index = 0; index < JOBS; index += 1) {
    ids.push((await submitOrThrow(service, { command: `cat ${pipes.paths[index] ?? ''}`, job_name: `follow-${index}` })).id);
  }
  await until('100 jobs running', async () => ((await countJobs(service.client, { state: 'RUN' })) === JOBS ? true : undefined));

  const memory = sampleMemory(service);
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  const opened = performance.now();
  const followers: { job: number; follower: Follower }[] = await Promise.all(
    Array.from({ length: JOBS * PER_JOB }, async (_unused, n) => {
      const job = n % JOBS;
      let partial = '';
      const follower = await follow(service.url, `/v1/jobs/${ids[job] ?? ''}/output/events`, {
        timeoutMs: 60000,
        onOutput: (data, at) => {
          const lines = (partial + data.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            const sent = sentAt.get(line);
            if (sent !== undefined) {
              latencies.push(at - sent);
            }
          }
        },
      });
      return { job, follower };
    }),
  );
  const openMs = performance.now() - opened;
  t.true(followers.every(({ follower }) => follower.status === 200), 'every follower is accepted');

  const written: string[][] = Array.from({ length: JOBS }, () => []);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (let job = 0; job < JOBS; job += 1) {
      const line = `job ${job} line ${round} ${'x'.repeat(round % 7)}`;
      sentAt.set(line, performance.now());
      pipes.write(job, `${line}\n`);
      written[job]?.push(`${line}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  pipes.close();
  const expected = written.map((lines) => lines.join(''));
  await Promise.all(followers.map(({ follower }) => Promise.race([follower.ended, new Promise((resolve) => setTimeout(resolve, 60000))])));
  const { peakMiB, lastMiB } = memory.stop();

  let whole = 0;
  let ended = 0;
  for (const { job, follower } of followers) {
    if (follower.bytes().toString('utf8') === expected[job]) {
      whole += 1;
    }
    const end = follower.events.find((event) => event.event === 'end');
    if (end !== undefined && (JSON.parse(end.data) as { job?: { result?: string } }).job?.result === 'COMPLETED') {
      ended += 1;
    }
  }
  t.is(whole, JOBS * PER_JOB, 'every follower got every byte, in order');
  t.is(ended, JOBS * PER_JOB, 'every follower got the final event with the completed job');
  for (let job = 0; job < JOBS; job += 1) {
    const stored = await service.client.get(`/v1/jobs/${ids[job] ?? ''}/output`, { query: { format: 'raw' } });
    t.is(stored.body.toString('utf8'), expected[job] ?? 'no expected output');
    counts.jobsChecked += 1;
  }
  t.true(peakMiB < RSS_CEILING_MIB, `RSS peak ${peakMiB} MiB`);
  recordFigure('1,000 SSE followers / 100 running jobs', {
    followers: followers.length,
    'output events delivered': latencies.length,
    'open all (ms)': Math.round(openMs),
    'write→follower latency': latencyLine(latencies),
    'RSS peak / end (MiB)': `${peakMiB} / ${lastMiB}`,
  });
});

test.serial('5,000 jobs queued at once: all accepted, listed, counted and ended', async (t) => {
  const QUEUED = 5000;
  const CLIENTS = 32;
  const dir = tempDir(t, 'jobgate-rel-queue-');
  const service = await startService(path.join(dir, 'data'), ['--cores', '1']);
  t.teardown(() => service.close());
  const pipes = await Pipes.create(dir, 1);
  t.teardown(() => pipes.close());
  // One running job holds the only core: everything after it waits in the queue.
  const blocker = (await submitOrThrow(service, { command: `cat ${pipes.paths[0] ?? ''}`, job_name: 'blocker' })).id;
  await until('the blocker to run', async () => ((await countJobs(service.client, { state: 'RUN' })) === 1 ? true : undefined));

  const memory = sampleMemory(service);
  const submitLatency: number[] = [];
  const accepted = new Map<string, string>();
  let next = 0;
  const started = performance.now();
  await loops(CLIENTS, () => next >= QUEUED, async () => {
    const n = next++;
    const answer = await service.client.post('/v1/jobs/submit', { query: { command: `echo ${n}`, job_name: `queued-${n}` } });
    submitLatency.push(answer.ms);
    if (answer.status === 200) {
      accepted.set(idOf(answer), `queued-${n}`);
    }
  });
  const submitSeconds = (performance.now() - started) / 1000;
  t.is(accepted.size, QUEUED, 'every submit accepted');
  t.is(await countJobs(service.client, { state: 'SCHED' }), QUEUED);

  const readLatency: number[] = [];
  for (let round = 0; round < 20; round += 1) {
    for (const [route, query] of [
      ['/v1/jobs/query', { state: 'SCHED', limit: 50, offset: round * 50, sort: '-t_submit' }],
      ['/v1/jobs/search', { start: round * 50, length: 50, 'search[value]': `queued-${round}` }],
      ['/v1/jobs', { details: 'true', limit: 50 }],
    ] as const) {
      const answer = await service.client.get(route, { query });
      t.is(answer.status, 200, `${route} ${answer.text().slice(0, 200)}`);
      readLatency.push(answer.ms);
    }
  }

  const bulk = await service.client.post('/v1/jobs/bulk', { body: JSON.stringify({ action: 'cancel', filter: { state: ['SCHED'] }, reason: 'queue drained' }), timeoutMs: 120000 });
  t.is(bulk.status, 200, bulk.text().slice(0, 300));
  pipes.close();
  await until('every job to end', async () => ((await countJobs(service.client, { state: 'INACTIVE' })) === QUEUED + 1 ? true : undefined), 120000, 250);
  const { peakMiB, lastMiB } = memory.stop();

  const jobs = new Map((await exportJobs(service.client)).map((job) => [job.id, job]));
  let lost = 0;
  for (const [id, name] of accepted) {
    const job = jobs.get(id);
    counts.jobsChecked += 1;
    if (job?.name !== name || job.result !== 'CANCELED') {
      lost += 1;
    }
  }
  counts.lost += lost;
  counts.duplicated += Math.max(0, jobs.size - accepted.size - 1);
  t.is(lost, 0, 'every queued job is there and canceled');
  t.is(jobs.size, QUEUED + 1, 'no job twice');
  t.like(jobs.get(blocker), { result: 'COMPLETED', returncode: 0 });
  counts.jobsChecked += 1;
  t.true(peakMiB < RSS_CEILING_MIB, `RSS peak ${peakMiB} MiB`);
  recordFigure('5,000 jobs queued at once', {
    'submit rate (/s)': Math.round(QUEUED / submitSeconds),
    'submit latency': latencyLine(submitLatency),
    'listing/search latency at 5,000 queued': latencyLine(readLatency),
    'bulk cancel of 5,000 (ms)': Math.round(bulk.ms),
    'RSS peak / end (MiB)': `${peakMiB} / ${lastMiB}`,
  });
});

test.serial(`sustained submits for ${SUSTAIN_SECONDS} s: every accepted job runs to completion, memory stays flat`, async (t) => {
  const CLIENTS = 8;
  const dir = tempDir(t, 'jobgate-rel-sustain-');
  const service = await startService(path.join(dir, 'data'), ['--cores', '2']);
  t.teardown(() => service.close());

  const memory = sampleMemory(service, 500);
  const submitLatency: number[] = [];
  const readLatency: number[] = [];
  const accepted = new Map<string, string>();
  let rssWarm = Number.NaN;
  const warmTimer = setTimeout(() => {
    rssWarm = service.memory().rssMiB;
  }, Math.min(10, SUSTAIN_SECONDS / 2) * 1000);
  const deadline = Date.now() + SUSTAIN_SECONDS * 1000;
  const stop = (): boolean => Date.now() >= deadline;
  let failures = 0;
  await Promise.all([
    loops(CLIENTS, stop, async (client, iteration) => {
      const name = `s${client}-${iteration}`;
      const answer = await service.client.post('/v1/jobs/submit', { query: { command: `echo ${name}`, job_name: name } });
      submitLatency.push(answer.ms);
      if (answer.status === 200) {
        accepted.set(idOf(answer), name);
      } else {
        failures += 1;
      }
    }),
    // A reader beside the writers: the job table and the listing while the store is busy.
    loops(1, stop, async (_client, iteration) => {
      const answer = iteration % 2 === 0
        ? await service.client.get('/v1/jobs/search', { query: { start: 0, length: 25 } })
        : await service.client.get('/v1/jobs/query', { query: { state: 'INACTIVE', limit: 25 } });
      readLatency.push(answer.ms);
      if (answer.status !== 200) {
        failures += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }),
  ]);
  clearTimeout(warmTimer);
  const seconds = SUSTAIN_SECONDS;
  const rssAtEnd = service.memory().rssMiB;
  t.is(failures, 0, 'every request answered with success');
  await until('every accepted job to end', async () => ((await countJobs(service.client, { state: 'INACTIVE' })) >= accepted.size ? true : undefined), 120000, 500);
  const { peakMiB } = memory.stop();

  const jobs = await exportJobs(service.client);
  const byId = new Map(jobs.map((job) => [job.id, job]));
  let lost = 0;
  for (const [id, name] of accepted) {
    const job = byId.get(id);
    counts.jobsChecked += 1;
    if (job?.name !== name || job.result !== 'COMPLETED' || job.returncode !== 0) {
      lost += 1;
    }
  }
  counts.lost += lost;
  const names = new Set(jobs.map((job) => job.name));
  counts.duplicated += jobs.length - names.size;
  t.is(lost, 0, 'every accepted job completed');
  t.is(jobs.length, accepted.size, 'nothing stored that was not accepted, nothing twice');
  t.is(names.size, jobs.length);
  // Output of a sample: each job printed its own name.
  const sample = [...accepted].filter((_entry, index) => index % Math.max(1, Math.floor(accepted.size / 200)) === 0);
  let outputsRight = 0;
  for (const [id, name] of sample) {
    const output = await service.client.get(`/v1/jobs/${id}/output`, { query: { format: 'raw' } });
    if (output.body.toString('utf8') === `${name}\n`) {
      outputsRight += 1;
    }
  }
  t.is(outputsRight, sample.length, 'the sampled outputs are exact');
  t.true(peakMiB < RSS_CEILING_MIB, `RSS peak ${peakMiB} MiB`);
  recordFigure(`sustained submits (${CLIENTS} clients, ${seconds} s)`, {
    'jobs accepted and completed': accepted.size,
    'submit rate (/s)': Math.round(accepted.size / seconds),
    'submit latency': latencyLine(submitLatency),
    'read latency meanwhile': latencyLine(readLatency),
    'RSS after 10 s / at the end / peak (MiB)': `${rssWarm} / ${rssAtEnd} / ${peakMiB}`,
  });
});
