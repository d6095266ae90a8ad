/**
 * What sampling usage costs: 200 running jobs (each a `sh` leading its own session with a
 * `sleep` under it, as the local executor's wrapper runs a task), sampled as the usage service
 * samples them — one /proc pass, readings turned into samples, the pass stored in one SQLite
 * transaction — with the CPU time of this process measured around each pass. Also one job
 * alone. Figures only; no thresholds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SessionSampler } from '../src/executors/usage/session-sampler.js';
import { UsageAccumulator } from '../src/domain/usage/usage-accumulator.js';
import { UsageRepository, type SampleRow } from '../src/db/usage-repository.js';
import { closeDatabase, openDatabase } from '../src/db/database.js';
import type { UsageSummary } from '../src/model/usage.js';
import { fmt, sleep, type Figure } from './lib.js';

const JOBS = 200;
const PASSES = 20;
const INTERVAL_SECONDS = 5;

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function passCost(sampler: SessionSampler, repo: UsageRepository, jobs: { id: bigint; sessions: number[] }[], accumulators: Map<bigint, UsageAccumulator>): Promise<number[]> {
  const costs: number[] = [];
  for (let pass = 0; pass < PASSES; pass += 1) {
    await sleep(50);
    const before = cpuMs();
    const readings = await sampler.sample(jobs, Date.now() / 1000);
    const rows: SampleRow[] = [];
    const summaries = new Map<bigint, UsageSummary>();
    for (const reading of readings) {
      const accumulator = accumulators.get(reading.id);
      const sample = accumulator?.add(reading);
      if (accumulator !== undefined && sample !== undefined && sample !== null) {
        rows.push({ id: reading.id, sample });
        summaries.set(reading.id, accumulator.summary);
      }
    }
    repo.record(rows, summaries);
    costs.push(cpuMs() - before);
  }
  return costs;
}

export async function benchUsage(write: (line: string) => void): Promise<Figure[]> {
  write(`usage sampling: ${JOBS} running jobs, ${PASSES} passes`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-bench-usage-'));
  const db = openDatabase({ file: path.join(dir, 'jobgate.db') });
  const children: ChildProcess[] = [];
  try {
    for (let index = 0; index < JOBS; index += 1) {
      children.push(spawn('sh', ['-c', 'sleep 120; true'], { detached: true, stdio: 'ignore' }));
    }
    await sleep(500);
    const jobs = children.flatMap((child, index) => (child.pid === undefined ? [] : [{ id: BigInt(index + 1), sessions: [child.pid] }]));
    const now = Date.now() / 1000;
    const accumulators = new Map(jobs.map((job) => [job.id, new UsageAccumulator(job.id, 1, now)]));
    const sampler = new SessionSampler(null);
    const repo = new UsageRepository(db);
    const all = (await passCost(sampler, repo, jobs, accumulators)).sort((a, b) => a - b);
    const one = (await passCost(sampler, repo, jobs.slice(0, 1), accumulators)).sort((a, b) => a - b);
    const median = (values: number[]): number => values[Math.floor(values.length / 2)] ?? 0;
    const readings = await sampler.sample(jobs, Date.now() / 1000);
    const processes = readings.reduce((sum, reading) => sum + reading.processes, 0);
    const percent = (median(all) / (INTERVAL_SECONDS * 1000)) * 100;
    return [
      { name: `usage: CPU per pass, ${JOBS} jobs (${processes} processes; median)`, value: `${fmt(median(all), 2)} ms` },
      { name: `usage: CPU per pass, ${JOBS} jobs, per job`, value: `${fmt(median(all) / JOBS, 3)} ms` },
      { name: 'usage: CPU per pass, 1 job (median)', value: `${fmt(median(one), 2)} ms` },
      { name: `usage: sampler CPU at a ${INTERVAL_SECONDS} s interval, ${JOBS} jobs`, value: `${fmt(percent, 2)} % of one core`, target: '< 5 %' },
    ];
  } finally {
    for (const child of children) {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
