/**
 * `npm run bench:slurm`: what jobgate costs on top of Slurm, as ratios measured in one run
 * against a running Slurm (SLURM_CONF in the environment, e.g. test/slurm/cluster/).
 *
 * - Batch jobs (outside an allocation): submit throughput, jobgate's `POST /v1/jobs/submit`
 *   (which runs sbatch) vs `sbatch` run directly, both N submits, 8 at a time; and output
 *   latency, a line printed by the job until a follower of jobgate's output stream has it vs
 *   until an inotify reader of the output file Slurm writes has it.
 * - Job steps (inside an allocation the bench makes with `salloc --no-shell`): job throughput,
 *   N short jobs from the first submit until all have ended through jobgate vs `srun` run
 *   directly as many at a time as the allocation has CPUs; and output latency, jobgate's
 *   stream vs srun's own stdout pipe.
 *
 * Throughputs are the median of ROUNDS rounds, direct and through jobgate alternating, so that
 * Slurm's growing list of finished jobs weighs on both alike. Ratios are jobgate / direct:
 * below 1 is slower through jobgate for throughput, above 1 is slower for latency; a direct
 * latency under 1 ms counts as 1 ms there (the resolution of the measurement). For reference,
 * the same submits go to a jobgate with the local executor (no Slurm at all). BENCH_JOBS sets
 * N (default 60).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { startServer, type RunningServer } from '../src/server.js';
import { runCommand } from '../src/executors/process.js';
import {
  allInactive,
  clockCommand,
  clockScript,
  followFile,
  followSrun,
  followStream,
  LatencyReader,
  median,
  percentile,
  sbatch,
  srun,
  submit,
  timed,
  type Env,
} from './slurm-measure.js';

const JOBS = Number.parseInt(process.env.BENCH_JOBS ?? '60', 10);
const ROUNDS = 3;
const LINES = 20;
const GAP = 0.1;

function baseEnv(): Env {
  const env: Env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', LANG: 'C.UTF-8' };
  if (process.env.SLURM_CONF !== undefined) {
    env.SLURM_CONF = process.env.SLURM_CONF;
  }
  return env;
}

async function jobgate(dataDir: string, env: Env): Promise<RunningServer> {
  const loaded = loadConfig(env, { port: '0', host: '127.0.0.1', executor: 'slurm', dataDir, logLevel: 'silent' });
  if (!loaded.ok) {
    throw new Error(loaded.problems.join('; '));
  }
  return startServer({ config: loaded.config, logger: createLogger('silent'), env });
}

interface Row {
  what: string;
  direct: number;
  jobgate: number;
  unit: string;
  /** Throughput: more is better; latency: less is better. */
  better: 'more' | 'less';
}

async function batchMode(dir: string, env: Env): Promise<Row[]> {
  const server = await jobgate(path.join(dir, 'batch'), env);
  try {
    const out = path.join(dir, 'direct-out');
    fs.mkdirSync(out);
    const direct: number[] = [];
    const through: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      direct.push(JOBS / (await timed(JOBS, 8, async () => {
        await sbatch(env, [`--output=${out}/%j.out`, '--job-name=bench', '--wrap', 'true']);
      })));
      through.push(JOBS / (await timed(JOBS, 8, async () => {
        await submit(server.url, 'true');
      })));
      await allInactive(server.url, JOBS * round);
    }

    const fileReader = new LatencyReader();
    const file = path.join(out, 'clock.out');
    fs.writeFileSync(file, '');
    await sbatch(env, [`--output=${file}`, '--open-mode=append', '--job-name=bench-clock'], `#!/bin/sh\nexec ${clockCommand(LINES, GAP)}\n`);
    await followFile(file, LINES, fileReader);
    const streamReader = new LatencyReader();
    await followStream(server.url, await submit(server.url, clockCommand(LINES, GAP)), streamReader);
    return [
      { what: 'batch: submits/s (sbatch vs POST submit)', direct: median(direct), jobgate: median(through), unit: '/s', better: 'more' },
      { what: 'batch: output latency, median', direct: median(fileReader.latencies), jobgate: median(streamReader.latencies), unit: 'ms', better: 'less' },
      { what: 'batch: output latency, p90', direct: percentile(fileReader.latencies, 0.9), jobgate: percentile(streamReader.latencies, 0.9), unit: 'ms', better: 'less' },
    ];
  } finally {
    await server.stop('cancel-jobs', 'bench done');
  }
}

async function stepMode(dir: string, env: Env): Promise<Row[]> {
  const cpus = 4;
  const granted = await runCommand('salloc', ['--no-shell', `--ntasks=${cpus}`, '--time=30', '--job-name=bench-allocation'], { env });
  const allocation = /Granted job allocation (\d+)/.exec(granted.stderr)?.[1];
  if (allocation === undefined) {
    throw new Error(`salloc: ${granted.stderr}`);
  }
  const nodes = await runCommand('squeue', ['-h', '-j', allocation, '-o', '%N'], { env });
  const inside: Env = { ...env, SLURM_JOB_ID: allocation, SLURM_JOB_NODELIST: nodes.stdout.trim(), SLURM_JOB_CPUS_PER_NODE: String(cpus) };
  const server = await jobgate(path.join(dir, 'step'), inside);
  try {
    const step = ['--jobid', allocation, '--exact', '--ntasks=1', '--cpus-per-task=1'];
    const direct: number[] = [];
    const through: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      direct.push(JOBS / (await timed(JOBS, cpus, async () => {
        await srun(env, [...step, 'true']);
      })));
      const started = performance.now();
      await timed(JOBS, 8, async () => {
        await submit(server.url, 'true');
      });
      await allInactive(server.url, JOBS * round);
      through.push(JOBS / ((performance.now() - started) / 1000));
    }

    const pipeReader = new LatencyReader();
    await followSrun(env, [...step, 'sh', '-c', clockScript(LINES, GAP)], pipeReader);
    const streamReader = new LatencyReader();
    await followStream(server.url, await submit(server.url, clockCommand(LINES, GAP)), streamReader);
    return [
      { what: 'steps: jobs/s, submit to end (srun vs POST submit)', direct: median(direct), jobgate: median(through), unit: '/s', better: 'more' },
      { what: 'steps: output latency, median', direct: median(pipeReader.latencies), jobgate: median(streamReader.latencies), unit: 'ms', better: 'less' },
      { what: 'steps: output latency, p90', direct: percentile(pipeReader.latencies, 0.9), jobgate: percentile(streamReader.latencies, 0.9), unit: 'ms', better: 'less' },
    ];
  } finally {
    await server.stop('cancel-jobs', 'bench done');
    await runCommand('scancel', [allocation], { env });
  }
}

function report(rows: Row[]): string {
  const lines = ['| measure | direct | through jobgate | ratio (jobgate / direct) |', '| --- | ---: | ---: | ---: |'];
  for (const row of rows) {
    const fmt = (value: number): string => `${value.toFixed(1)} ${row.unit}`;
    const base = row.unit === 'ms' ? Math.max(1, row.direct) : row.direct;
    lines.push(`| ${row.what} | ${fmt(row.direct)} | ${fmt(row.jobgate)} | ${(row.jobgate / base).toFixed(2)} (${row.better} is better) |`);
  }
  return lines.join('\n');
}

/** The same submits to a jobgate that runs them itself: what jobgate's own submit path costs here. */
async function localReference(dir: string, env: Env): Promise<number> {
  const loaded = loadConfig(env, { port: '0', host: '127.0.0.1', executor: 'local', dataDir: path.join(dir, 'local'), logLevel: 'silent' });
  if (!loaded.ok) {
    throw new Error(loaded.problems.join('; '));
  }
  const server = await startServer({ config: loaded.config, logger: createLogger('silent'), env });
  try {
    const rates: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      rates.push(JOBS / (await timed(JOBS, 8, async () => {
        await submit(server.url, 'true');
      })));
      await allInactive(server.url, JOBS * round);
    }
    return median(rates);
  } finally {
    await server.stop('cancel-jobs', 'bench done');
  }
}

async function main(): Promise<void> {
  const env = baseEnv();
  const ping = await runCommand('scontrol', ['ping'], { env });
  if (ping.exitCode !== 0 || !/UP/.test(ping.stdout)) {
    throw new Error('no Slurm controller answers: start one (test/slurm/cluster/start-slurm.sh) and set SLURM_CONF');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-bench-slurm-'));
  try {
    const rows = [...(await batchMode(dir, env)), ...(await stepMode(dir, env))];
    const local = await localReference(dir, env);
    process.stdout.write(`jobgate vs Slurm directly: ${JOBS} jobs x ${ROUNDS} rounds, ${LINES} output lines ${GAP * 1000} ms apart, ${os.availableParallelism()} CPUs\n\n${report(rows)}\n\n`);
    process.stdout.write(`reference: the same submits to jobgate's local executor: ${local.toFixed(1)} /s\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
