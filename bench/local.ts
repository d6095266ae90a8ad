/**
 * Figures for the local executor on this machine: submit throughput (1 and 32 clients),
 * submit→RUN latency, output latency to an SSE follower, search latency and RSS with 100,000
 * stored jobs (200 of them running). Ratios and percentiles from one run; no thresholds.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fmt, idOf, percentile, request, rssMb, sleep, startJobgate, timeQueries, type Figure, type Jobgate } from './lib.js';
import { seedJobs } from './seed.js';
import { SseParser } from '../src/client/sse.js';
import { benchTableDraws } from './table.js';

export type { Figure };

async function submitThroughput(url: string, clients: number, total: number, query: string): Promise<number> {
  let issued = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (issued < total) {
      issued += 1;
      const response = await request(`${url}/v1/jobs/submit?${query}`, 'POST');
      if (response.status !== 200) throw new Error(`submit: ${response.status} ${response.body}`);
    }
  }));
  return total / ((performance.now() - started) / 1000);
}

async function submitToRun(url: string, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const id = idOf((await request(`${url}/v1/jobs/submit?command=true`, 'POST')).body);
    for (;;) {
      const job = JSON.parse((await request(`${url}/v1/jobs/${id}`)).body) as { t_run?: number; t_submit: number; state: string };
      if (job.t_run !== undefined) {
        latencies.push((job.t_run - job.t_submit) * 1000);
        break;
      }
      await sleep(2);
    }
    if (index % 10 === 9) await sleep(30);
  }
  return latencies;
}

/** A job prints its clock every 20 ms; an SSE follower measures when each line reaches it. */
async function outputLatency(url: string, lines: number): Promise<number[]> {
  const script = `let i=0;const t=setInterval(()=>{process.stdout.write(Date.now()+'\\n');if(++i>=${lines}){clearInterval(t)}},20)`;
  const body = JSON.stringify({ command: [process.execPath, '-e', script] });
  const id = idOf((await request(`${url}/v1/jobs/submit`, 'POST', body)).body);
  const latencies: number[] = [];
  await new Promise<void>((resolve, reject) => {
    http.get(`${url}/v1/jobs/${id}/output/events`, { headers: { Accept: 'text/event-stream' } }, (res) => {
      const parser = new SseParser();
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const now = Date.now();
        for (const event of parser.push(text)) {
          if (event.event === 'output') {
            const data = JSON.parse(event.data) as { data: string };
            for (const line of data.data.split('\n').filter(Boolean)) latencies.push(now - Number(line));
          }
          if (event.event === 'end') {
            res.destroy();
            resolve();
          }
        }
      });
      res.on('error', reject);
    }).on('error', reject);
  });
  return latencies;
}

function dataTablesQuery(search: string, orderColumn: string, dir: 'asc' | 'desc', start = 0, extra = ''): string {
  const columns = ['id', 'name', 'owner', 'state', 'result', 'returncode', 'runtime', 't_submit'];
  const params = new URLSearchParams({ draw: '1', start: String(start), length: '100', 'search[value]': search, 'search[regex]': 'false' });
  columns.forEach((column, index) => params.set(`columns[${index}][data]`, column));
  params.set('order[0][column]', String(columns.indexOf(orderColumn)));
  params.set('order[0][dir]', dir);
  return params.toString() + extra;
}

export async function benchLocal(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-bench-'));
  let server: Jobgate | null = null;
  try {
    log(`machine: ${os.cpus().length} cores, node ${process.version}`);
    server = await startJobgate(path.join(scratch, 'submit'));
    await submitThroughput(server.url, 8, 200, 'command=true&urgency=0');
    const held1 = await submitThroughput(server.url, 1, 500, 'command=true&urgency=0');
    const held32 = await submitThroughput(server.url, 32, 3000, 'command=true&urgency=0');
    figures.push({ name: 'submit throughput, 1 client (held jobs)', value: `${fmt(held1, 0)} /s` });
    figures.push({ name: 'submit throughput, 32 clients (held jobs)', value: `${fmt(held32, 0)} /s`, target: '≥ 300 /s' });
    const run32 = await submitThroughput(server.url, 32, 1000, 'command=true');
    figures.push({ name: 'submit throughput, 32 clients (jobs that run at once)', value: `${fmt(run32, 0)} /s`, target: '≥ 300 /s' });
    await server.stop();

    server = await startJobgate(path.join(scratch, 'latency'));
    const toRun = await submitToRun(server.url, 200);
    figures.push({ name: 'submit→RUN latency p50 / p99', value: `${fmt(percentile(toRun, 50), 2)} / ${fmt(percentile(toRun, 99), 2)} ms`, target: 'p50 < 20 ms' });
    const outLatency = await outputLatency(server.url, 300);
    figures.push({ name: 'output latency (print → SSE follower) p50 / p99', value: `${fmt(percentile(outLatency, 50), 1)} / ${fmt(percentile(outLatency, 99), 1)} ms (${outLatency.length} lines)`, target: 'p50 < 20 ms' });
    await server.stop();

    const seeded = path.join(scratch, 'seeded');
    fs.mkdirSync(seeded, { recursive: true });
    const seedStarted = performance.now();
    seedJobs(seeded, 100_000);
    log(`seeded 100,000 jobs in ${fmt((performance.now() - seedStarted) / 1000, 1)} s`);
    server = await startJobgate(seeded, ['--cores', '256']);
    const queries: [string, string][] = [
      ['text "gromacs", sort name asc', dataTablesQuery('gromacs', 'name', 'asc')],
      ['text "ab" (short), sort runtime desc', dataTablesQuery('ab', 'runtime', 'desc')],
      ['result FAILED, sort returncode desc, page 50', dataTablesQuery('', 'returncode', 'desc', 5000, '&columns[4][search][value]=FAILED')],
      ['owner alice + text "hpl", sort t_submit desc', dataTablesQuery('hpl', 't_submit', 'desc', 0, '&columns[2][search][value]=alice')],
      ['no filter, sort id desc, deep page', dataTablesQuery('', 'id', 'desc', 90000)],
    ];
    const url = server.url;
    const searched = await timeQueries('search', queries.map(([name, query]) => [name, `${url}/v1/jobs/search?${query}`] as const), 60, (body) => (JSON.parse(body) as { recordsFiltered: number }).recordsFiltered);
    figures.push(...searched.figures);
    const [allClient, allServer] = [searched.client, searched.server];
    figures.push({ name: 'search latency, all queries, 100,000 jobs: p50 / p99', value: `${fmt(percentile(allClient, 50), 1)} / ${fmt(percentile(allClient, 99), 1)} ms (server ${fmt(percentile(allServer, 50), 1)} / ${fmt(percentile(allServer, 99), 1)} ms)`, target: 'p50 < 25 ms' });
    figures.push(...(await benchTableDraws(server.url, server.pid)));

    const idle = rssMb(server.pid);
    for (let index = 0; index < 200; index += 1) {
      const response = await request(`${server.url}/v1/jobs/submit?command=sleep+300`, 'POST');
      if (response.status !== 200) throw new Error(response.body);
    }
    for (;;) {
      const running = JSON.parse((await request(`${server.url}/v1/jobs/search?length=1&columns[0][data]=state&columns[0][search][value]=RUN&draw=1`)).body) as { recordsFiltered: number };
      if (running.recordsFiltered >= 200) break;
      await sleep(100);
    }
    await sleep(500);
    const busy = rssMb(server.pid);
    figures.push({ name: 'RSS with 100,000 jobs stored (idle / 200 running)', value: `${fmt(idle, 0)} MB / ${fmt(busy, 0)} MB`, target: '< 200 MB' });
    await server.stop();
    server = null;
  } finally {
    if (server !== null) await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}
