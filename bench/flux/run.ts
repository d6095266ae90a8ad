/**
 * `npm run bench:flux`: submit throughput and output latency of jobgate's flux executor against
 * a real Flux instance, next to Flux's own pipelined submit rate on the same machine.
 *
 *   flux start --test-size=1 npm run bench:flux     (or just npm run bench:flux: it starts one)
 *
 * Measures, with JOBGATE_BENCH_JOBS jobs (default 1000) submitted held (urgency 0, so the
 * scheduler and the machine's cores do not enter the figure) and then canceled:
 *   1. Flux's own rate: `flux python`, every submit_async issued at once (the pipelined ceiling);
 *   2. jobgate's REST submit rate with 32 concurrent clients (keep-alive HTTP, query-string
 *      submits as the Python client sends them), and each submit's latency;
 *   3. with FLUX_RESTFUL_URL set, flux-restful-api's REST rate under the same clients (it runs
 *      its jobs: it cannot hold them);
 *   4. output latency: a job prints its clock every 100 ms; a follower on the Server-Sent Events
 *      route computes arrival minus print time for each line.
 * Targets (issue 3): jobgate ≥ 10× flux-restful-api, and within 2× of Flux's own rate.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { resolveExecutable } from '../../src/executors/resolve-executable.js';
import { readEvents } from '../../src/client/sse.js';

const JOBS = Number(process.env.JOBGATE_BENCH_JOBS ?? 1000);
const CLIENTS = Number(process.env.JOBGATE_BENCH_CLIENTS ?? 32);

function findFlux(): string | null {
  const explicit = process.env.JOBGATE_BENCH_FLUX;
  if (explicit !== undefined && explicit !== '') {
    return path.resolve(explicit);
  }
  const found = resolveExecutable('flux', process.env.PATH ?? '', process.cwd());
  return found.ok ? found.file : null;
}

function run(file: string, args: string[], stdio: 'inherit' | 'pipe' = 'pipe'): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout }));
    child.once('error', () => resolve({ code: 127, stdout }));
  });
}

const FLUX_OWN_RATE = `
import json, sys, time
import flux, flux.job
from flux.job import JobspecV1
h = flux.Flux()
n = int(sys.argv[1])
spec = JobspecV1.from_command(["true"])
spec.cwd = "/tmp"
spec.environment = {"PATH": "/usr/bin:/bin"}
text = spec.dumps()
ids, futures = [], []
def done(f):
    ids.append(f.get_id())
    if len(ids) == n:
        h.reactor_stop()
t0 = time.time()
for _ in range(n):
    futures.append(flux.job.submit_async(h, text, urgency=0).then(done))
h.reactor_run()
seconds = time.time() - t0
for f in [flux.job.cancel_async(h, j) for j in ids]:
    f.get()
print(json.dumps({"jobs": n, "seconds": seconds}))
`;

async function fluxOwnRate(flux: string): Promise<number> {
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-bench-')), 'own-rate.py');
  fs.writeFileSync(script, FLUX_OWN_RATE);
  const result = await run(flux, ['python', script, String(JOBS)]);
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { jobs?: number; seconds?: number };
  return (parsed.jobs ?? 0) / (parsed.seconds ?? Number.POSITIVE_INFINITY);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** CLIENTS concurrent clients submitting JOBS jobs in all; returns jobs/s, latencies (ms) and ids. */
async function restRate(base: string, query: string): Promise<{ rate: number; latencies: number[]; ids: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const url = new URL(base);
  const latencies: number[] = [];
  const ids: string[] = [];
  let next = 0;
  const submitOne = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.request({ host: url.hostname, port: url.port, path: `/v1/jobs/submit?${query}`, method: 'POST', agent }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => {
          latencies.push(performance.now() - started);
          const id = /"id":\s*"?(\d+)/.exec(body)?.[1];
          if (response.statusCode !== 200 || id === undefined) {
            reject(new Error(`submit answered ${response.statusCode ?? 0}: ${body.slice(0, 200)}`));
            return;
          }
          ids.push(id);
          resolve();
        });
      });
      request.on('error', reject);
      request.end();
    });
  const worker = async (): Promise<void> => {
    while (next < JOBS) {
      next += 1;
      await submitOne();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { rate: JOBS / seconds, latencies, ids };
}

/** Output latency: a job prints its clock every 100 ms; a Server-Sent Events follower reads it. */
async function outputLatency(base: string): Promise<number[]> {
  const command = encodeURIComponent("sh -c 'for i in $(seq 30); do date +%s.%N; sleep 0.1; done'");
  const submitted = await fetch(`${base}/v1/jobs/submit?command=${command}`, { method: 'POST' });
  const id = /"id":\s*(\d+)/.exec(await submitted.text())?.[1] ?? '';
  const response = await fetch(`${base}/v1/jobs/${id}/output/events?stream=stdout`);
  const latencies: number[] = [];
  let pending = '';
  if (response.body === null) {
    return latencies;
  }
  for await (const event of readEvents(response.body)) {
    if (event.event === 'end') {
      return latencies;
    }
    if (event.event !== 'output') {
      continue;
    }
    const arrived = Date.now() / 1000;
    pending += (JSON.parse(event.data) as { data: string }).data;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const printed = Number(line);
      if (Number.isFinite(printed)) {
        latencies.push((arrived - printed) * 1000);
      }
    }
  }
  return latencies;
}

async function startJobgate(): Promise<{ server: RunningServer; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-bench-data-'));
  const env = { ...process.env, JOBGATE_FLUX_ROLE: 'initial-program' };
  const loaded = loadConfig(env, { port: '0', host: '127.0.0.1', executor: 'flux', dataDir, logLevel: 'warn' });
  if (!loaded.ok) {
    throw new Error(loaded.problems.join('; '));
  }
  const server = await startServer({ config: loaded.config, logger: createLogger('warn'), env });
  return { server, dataDir };
}

async function main(): Promise<number> {
  const flux = findFlux();
  if (flux === null) {
    process.stdout.write('bench:flux: needs a real Flux and found no flux on PATH; nothing measured.\n  Run it where Flux is installed: flux start --test-size=1 npm run bench:flux\n');
    return 0;
  }
  if (process.env.JOBGATE_BENCH_FLUX !== undefined) {
    // Another flux (the double, to check this script): it comes first on PATH.
    process.env.PATH = `${path.dirname(flux)}:${process.env.PATH ?? ''}`;
  }
  if (process.env.FLUX_URI === undefined || process.env.FLUX_URI === '') {
    process.stdout.write(`bench:flux: no instance (FLUX_URI unset): running under ${flux} start --test-size=1\n`);
    return (await run(flux, ['start', '--test-size=1', process.execPath, fileURLToPath(import.meta.url)], 'inherit')).code;
  }
  process.stdout.write(`bench:flux: ${JOBS} held jobs, ${CLIENTS} clients, instance ${process.env.FLUX_URI}\n`);
  const own = await fluxOwnRate(flux);
  process.stdout.write(`  Flux's own pipelined submit_async: ${own.toFixed(0)} jobs/s\n`);

  const { server, dataDir } = await startJobgate();
  try {
    await restRate(server.url, 'command=true&urgency=0').catch(() => undefined);
    const ours = await restRate(server.url, 'command=true&urgency=0');
    process.stdout.write(
      `  jobgate REST submit (${CLIENTS} clients): ${ours.rate.toFixed(0)} jobs/s = ${(ours.rate / own).toFixed(2)} × Flux's own rate (target ≥ 0.50); ` +
        `latency p50 ${percentile(ours.latencies, 50).toFixed(1)} ms, p95 ${percentile(ours.latencies, 95).toFixed(1)} ms\n`,
    );
    let original: number | null = null;
    if (process.env.FLUX_RESTFUL_URL !== undefined && process.env.FLUX_RESTFUL_URL !== '') {
      original = (await restRate(process.env.FLUX_RESTFUL_URL, 'command=true')).rate;
      process.stdout.write(`  flux-restful-api REST submit (${CLIENTS} clients): ${original.toFixed(0)} jobs/s; jobgate = ${(ours.rate / original).toFixed(1)} × (target ≥ 10)\n`);
    } else {
      process.stdout.write('  flux-restful-api: not measured (start it beside this instance and set FLUX_RESTFUL_URL=http://host:port)\n');
    }
    const latencies = await outputLatency(server.url);
    process.stdout.write(
      `  output latency (job prints → SSE follower), ${latencies.length} lines: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms\n`,
    );
    process.stdout.write(
      `${JSON.stringify({ jobs: JOBS, clients: CLIENTS, flux_own_rate: own, jobgate_rate: ours.rate, flux_restful_api_rate: original, submit_p50_ms: percentile(ours.latencies, 50), output_p50_ms: percentile(latencies, 50), output_p95_ms: percentile(latencies, 95) })}\n`,
    );
  } finally {
    await server.stop('cancel-jobs', 'bench finished');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main();
