/**
 * The measurements of `npm run bench:slurm`, each done twice: through jobgate's HTTP API and by
 * calling Slurm's commands directly, the way a script would.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { runCommand, startStreaming } from '../src/executors/process.js';

export interface Env {
  [name: string]: string;
}

/** Runs `count` tasks, at most `concurrency` at a time; resolves with the elapsed seconds. */
export async function timed(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return (performance.now() - started) / 1000;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP request to jobgate; resolves with the body text. */
export function request(base: string, method: 'GET' | 'POST', pathAndQuery: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathAndQuery}`, { method, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        if ((response.statusCode ?? 500) >= 400) {
          reject(new Error(`${method} ${pathAndQuery}: ${response.statusCode ?? '?'} ${body}`));
        } else {
          resolve(body);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function submit(base: string, command: string): Promise<string> {
  const body = await request(base, 'POST', `/v1/jobs/submit?command=${encodeURIComponent(command)}`);
  const id = /"id":\s*(\d+)/.exec(body)?.[1];
  if (id === undefined) {
    throw new Error(`no id in ${body}`);
  }
  return id;
}

/** Waits until every job of this jobgate is inactive. */
export async function allInactive(base: string, expected: number): Promise<void> {
  for (;;) {
    const list = (JSON.parse(await request(base, 'GET', `/v1/jobs?limit=${expected + 10}`)) as { jobs: { state: string }[] }).jobs;
    if (list.length >= expected && list.every((job) => job.state === 'INACTIVE')) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function sbatch(env: Env, args: string[], script?: string): Promise<string> {
  const result = await runCommand('sbatch', ['--parsable', ...args], { env, input: script });
  if (result.exitCode !== 0) {
    throw new Error(`sbatch: ${result.stderr}`);
  }
  return result.stdout.trim().split(';')[0] ?? '';
}

export async function srun(env: Env, args: string[]): Promise<void> {
  const result = await runCommand('srun', args, { env });
  if (result.exitCode !== 0) {
    throw new Error(`srun: ${result.stderr}`);
  }
}

/** A shell script that prints the time (epoch seconds) on each of `lines` lines, `gap` seconds apart. */
export function clockScript(lines: number, gap: number): string {
  return `i=0; while [ $i -lt ${lines} ]; do date +%s.%N; i=$((i+1)); sleep ${gap}; done`;
}

export function clockCommand(lines: number, gap: number): string {
  return `sh -c '${clockScript(lines, gap)}'`;
}

/** Collects, for each complete line holding a time, how long it took to arrive (ms). */
export class LatencyReader {
  readonly latencies: number[] = [];
  private partial = '';

  push(text: string): void {
    // Sub-millisecond wall clock, comparable with the job's `date +%s.%N`.
    const now = (performance.timeOrigin + performance.now()) / 1000;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const printed = Number.parseFloat(line);
      if (Number.isFinite(printed)) {
        this.latencies.push((now - printed) * 1000);
      }
    }
  }
}

/** Follows jobgate's raw output stream of a job until it ends. */
export function followStream(base: string, id: string, reader: LatencyReader): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(`${base}/v1/jobs/${id}/output/stream`, { agent: false }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => reader.push(chunk));
      response.on('end', resolve);
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** Follows a file Slurm writes (inotify, as `tail -f` does) until `lines` lines have come. */
export function followFile(file: string, lines: number, reader: LatencyReader): Promise<void> {
  return new Promise((resolve) => {
    let offset = 0;
    const dir = path.dirname(file);
    const readMore = (): void => {
      let fd: number;
      try {
        fd = fs.openSync(file, 'r');
      } catch {
        return;
      }
      try {
        const size = fs.fstatSync(fd).size;
        if (size > offset) {
          const buffer = Buffer.alloc(size - offset);
          fs.readSync(fd, buffer, 0, buffer.length, offset);
          offset = size;
          reader.push(buffer.toString('utf8'));
        }
      } finally {
        fs.closeSync(fd);
      }
      if (reader.latencies.length >= lines) {
        watcher.close();
        resolve();
      }
    };
    const watcher = fs.watch(dir, () => readMore());
    readMore();
  });
}

/** Runs srun and reads its stdout pipe as it comes. */
export async function followSrun(env: Env, args: string[], reader: LatencyReader): Promise<void> {
  const process = startStreaming('srun', args, { env, onStdout: (chunk) => reader.push(chunk.toString('utf8')), onStderr: () => undefined });
  await process.exited;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}
