/** Small helpers for the benchmarks: a keep-alive HTTP client, percentiles, a child jobgate, RSS. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Response {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function request(url: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body === undefined ? headers : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export function serverTiming(headers: http.IncomingHttpHeaders): number {
  const match = /dur=([\d.]+)/.exec(String(headers['server-timing'] ?? ''));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

export interface Jobgate {
  url: string;
  pid: number;
  process: ResultPromise;
  stop(): Promise<void>;
}

export async function startJobgate(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Jobgate> {
  const child = execa('node', [path.join(root, 'bin', 'jobgate'), 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'error', ...args], {
    reject: false,
    buffer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { JOBGATE_KILL_GRACE: '1', JOBGATE_MAX_PAGE_LENGTH: '1000', ...env },
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (part: Buffer) => {
      stderr += part.toString();
      const match = /jobgate (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    void child.then(() => reject(new Error(`jobgate exited: ${stderr}`)));
  });
  return {
    url,
    pid: child.pid ?? 0,
    process: child,
    stop: async () => {
      await request(`${url}/v1/service/stop`, 'POST').catch(() => undefined);
      await child;
    },
  };
}

/** Resident set size of a process in MB (VmRSS). */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
}

export function idOf(body: string): string {
  const match = /"id":\s*(\d+)/.exec(body);
  if (match?.[1] === undefined) throw new Error(`no id in ${body}`);
  return match[1];
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

export function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** GETs `url` `rounds` times in a row: each round's time seen by the client and by the server (Server-Timing), and the last body. */
export async function timedGets(url: string, rounds: number): Promise<{ client: number[]; server: number[]; body: string }> {
  const client: number[] = [];
  const server: number[] = [];
  let body = '';
  for (let index = 0; index < rounds; index += 1) {
    const started = performance.now();
    const response = await request(url);
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${response.body}`);
    client.push(performance.now() - started);
    server.push(serverTiming(response.headers));
    body = response.body;
  }
  return { client, server, body };
}

/** One line of a benchmark's report. */
export interface Figure {
  name: string;
  value: string;
  target?: string;
}

/**
 * Times each listing query (5 warm-up GETs, then `rounds`): a figure per query with its
 * percentiles and how many jobs it matched, and every round's times for the overall figure.
 */
export async function timeQueries(label: string, queries: readonly (readonly [string, string])[], rounds: number, matches: (body: string) => number): Promise<{ figures: Figure[]; client: number[]; server: number[] }> {
  const figures: Figure[] = [];
  const client: number[] = [];
  const server: number[] = [];
  for (const [name, url] of queries) {
    await timedGets(url, 5);
    const result = await timedGets(url, rounds);
    client.push(...result.client);
    server.push(...result.server);
    figures.push({ name: `${label}: ${name}`, value: `p50 ${fmt(percentile(result.client, 50), 1)} ms, p99 ${fmt(percentile(result.client, 99), 1)} ms (server p50 ${fmt(percentile(result.server, 50), 1)} ms; ${matches(result.body).toLocaleString('en')} matches)` });
  }
  return { figures, client, server };
}
