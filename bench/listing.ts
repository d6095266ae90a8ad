/**
 * Figures for the listing that scales and the export, over 100,000 stored jobs (5,000 of them
 * tagged, 2,000 with metadata): latency of typical /v1/jobs/query requests (client and server
 * time), and the time, throughput and memory of exporting all of them as CSV and JSON —
 * memory sampled while the export streams, while a client reads one slowly, and with the heap
 * capped at 40 MB.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, closeDatabase } from '../src/db/database.js';
import { JobLabelsRepository } from '../src/db/job-labels-repository.js';
import { fmt, percentile, rssMb, sleep, startJobgate, timedGets, timeQueries, type Figure, type Jobgate } from './lib.js';
import { seedJobs } from './seed.js';

const JOBS = 100_000;

/** Tags every 20th job `project:climate` and gives every 50th a `campaign` key (as people would). */
function seedLabels(dataDir: string): void {
  const db = openDatabase({ file: path.join(dataDir, 'jobgate.db') });
  const labels = new JobLabelsRepository(db);
  const ids = db.prepare('SELECT id FROM jobs ORDER BY id').safeIntegers(true).pluck().all() as bigint[];
  labels.transaction(() => {
    ids.forEach((id, index) => {
      if (index % 20 === 0) labels.addTags(id, [{ type: 'project', name: 'climate' }], 0);
      if (index % 50 === 0) labels.setMetadata(id, { campaign: `c${index % 7}` }, 0);
    });
  });
  closeDatabase(db);
}

interface ExportRun {
  seconds: number;
  bytes: number;
  rows: number;
  peakRss: number;
}

/** Downloads an export, sampling the server's RSS; `pauseMs` > 0 reads it slowly (a pause per chunk). */
function timedExport(server: Jobgate, query: string, pauseMs = 0): Promise<ExportRun> {
  return new Promise((resolve, reject) => {
    let peakRss = rssMb(server.pid);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMb(server.pid));
    }, 20);
    const started = performance.now();
    let bytes = 0;
    let newlines = 0;
    http.get(`${server.url}/v1/jobs/export?${query}`, (res) => {
      res.on('data', (part: Buffer) => {
        bytes += part.length;
        for (const byte of part) if (byte === 10) newlines += 1;
        if (pauseMs > 0) {
          res.pause();
          setTimeout(() => res.resume(), pauseMs);
        }
      });
      res.on('end', () => {
        clearInterval(sampler);
        resolve({ seconds: (performance.now() - started) / 1000, bytes, rows: newlines, peakRss });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

export async function benchListing(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-bench-listing-'));
  let server: Jobgate | null = null;
  try {
    const started = performance.now();
    seedJobs(scratch, JOBS);
    seedLabels(scratch);
    log(`seeded ${JOBS.toLocaleString('en')} jobs with tags and metadata in ${fmt((performance.now() - started) / 1000, 1)} s`);
    server = await startJobgate(scratch, ['--cores', '256']);
    const t0 = Date.now() / 1000 - JOBS * 2;
    const queries: [string, string][] = [
      ['no filter, newest first, 100 per page', 'limit=100'],
      ['state+result+owner, sort runtime desc', 'state=INACTIVE&result=FAILED,TIMEOUT&owner=alice,bob&sort=-runtime'],
      ['tag project:climate, sort name, page 10 of 100', 'tag=project:climate&sort=name&page=10&items_per_page=100'],
      ['metadata campaign=c3 + text "lammps"', 'meta%5Bcampaign%5D=c3&q=lammps'],
      ['submitted window (ISO) + ended window (epoch)', `submitted%5Bfrom%5D=${new Date((t0 + JOBS) * 1000).toISOString()}&submitted%5Bto%5D=${new Date((t0 + JOBS + 40_000) * 1000).toISOString()}&ended%5Bfrom%5D=${Math.floor(t0 + JOBS + 10_000)}`],
      ['no filter, sort name desc, deep page (offset 90,000)', 'sort=-name&offset=90000&limit=100'],
      ['1,000 per page, sort owner then newest', 'sort=owner,-t_submit&limit=1000'],
    ];
    const url = server.url;
    const queried = await timeQueries('query', queries.map(([name, query]) => [name, `${url}/v1/jobs/query?${query}`] as const), 40, (body) => (JSON.parse(body) as { total: number }).total);
    figures.push(...queried.figures);
    const [allClient, allServer] = [queried.client, queried.server];
    figures.push({ name: 'query latency, all of the above, 100,000 jobs: p50 / p99', value: `${fmt(percentile(allClient, 50), 1)} / ${fmt(percentile(allClient, 99), 1)} ms (server ${fmt(percentile(allServer, 50), 1)} / ${fmt(percentile(allServer, 99), 1)} ms)` });

    const idle = rssMb(server.pid);
    // A tenth of the jobs first: memory must not grow with the number of rows.
    const tenth = await timedExport(server, `format=csv&submitted%5Bfrom%5D=${Math.floor(t0 + JOBS * 1.8)}`);
    figures.push({ name: 'export CSV, 10,000 of the jobs (a submit window)', value: `${fmt(tenth.seconds, 2)} s, ${fmt(tenth.rows / tenth.seconds, 0)} rows/s; RSS ${fmt(idle, 0)} → peak ${fmt(tenth.peakRss, 0)} MB` });
    const csv = await timedExport(server, 'format=csv');
    const json = await timedExport(server, 'format=json&fields=id,jobid,name,owner,state,result,returncode,runtime,t_submit,t_inactive,tags,metadata&times=iso');
    figures.push({ name: 'export CSV, all 100,000 jobs (default fields)', value: `${fmt(csv.seconds, 2)} s, ${fmt(csv.rows / csv.seconds, 0)} rows/s, ${fmt(csv.bytes / 1e6, 1)} MB; RSS peak ${fmt(csv.peakRss, 0)} MB` });
    figures.push({ name: 'export JSON with tags and metadata, 100,000 jobs', value: `${fmt(json.seconds, 2)} s, ${fmt(JOBS / json.seconds, 0)} rows/s, ${fmt(json.bytes / 1e6, 1)} MB; RSS peak ${fmt(json.peakRss, 0)} MB` });
    // A slow client: the export waits for it, memory stays flat, other requests are answered.
    const slow = timedExport(server, 'format=csv&fields=id,name,state', 2);
    await sleep(1000);
    const during = await timedGets(`${server.url}/v1/jobs/query?limit=100`, 20);
    const slowRun = await slow;
    figures.push({ name: 'export read slowly by its client', value: `${fmt(slowRun.seconds, 1)} s for ${fmt(slowRun.bytes / 1e6, 1)} MB; RSS peak ${fmt(slowRun.peakRss, 0)} MB; meanwhile query p50 ${fmt(percentile(during.client, 50), 1)} ms` });
    await server.stop();
    // The proof that memory does not grow with rows: the whole export, three times, in a jobgate
    // whose JavaScript heap may not pass 40 MB.
    server = await startJobgate(scratch, [], { NODE_OPTIONS: '--max-old-space-size=40' });
    const runs: ExportRun[] = [];
    for (let index = 0; index < 3; index += 1) {
      runs.push(await timedExport(server, 'format=json&fields=id,jobid,name,owner,state,result,command,tags,metadata'));
    }
    figures.push({ name: 'export JSON of 100,000 jobs ×3 with a 40 MB heap limit', value: `${runs.map((run) => `${fmt(run.bytes / 1e6, 1)} MB`).join(', ')}; RSS peaks ${runs.map((run) => fmt(run.peakRss, 0)).join(' / ')} MB` });
    await server.stop();
    server = null;
  } finally {
    if (server !== null) await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}
