/**
 * The suite's HTTP client: every request is counted, has a time limit (no answer in time is a
 * hang, counted and thrown), and its status is judged: a 5xx is counted as a server error,
 * except a 503 carrying Retry-After while the test has taken the backend down on purpose.
 * Loopback only: the base URL is that of a jobgate the test started.
 */
import http from 'node:http';
import { counts } from './tally.js';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Milliseconds from sending to the last byte. */
  ms: number;
  text(): string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean>;
  body?: string | Buffer;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** The backend is down on purpose: a 503 with Retry-After is the right answer, not an error. */
  outage?: boolean;
}

export class HangError extends Error {}

export function assertLoopback(base: string): void {
  const host = new URL(base).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
    throw new Error(`the reliability suite only talks to loopback addresses, not ${host}`);
  }
}

export class Client {
  private readonly agent: http.Agent;

  constructor(
    readonly base: string,
    maxSockets = 64,
  ) {
    assertLoopback(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  get(path: string, options: RequestOptions = {}): Promise<Answer> {
    return this.request('GET', path, options);
  }

  post(path: string, options: RequestOptions = {}): Promise<Answer> {
    return this.request('POST', path, options);
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const url = new URL(path, this.base);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
      headers['Content-Type'] ??= 'application/json';
    }
    counts.requests += 1;
    const started = performance.now();
    return new Promise<Answer>((resolve, reject) => {
      const request = http.request(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          clearTimeout(timer);
          const status = response.statusCode ?? 0;
          judge(status, response.headers, options.outage === true);
          const body = Buffer.concat(chunks);
          resolve({
            status,
            headers: response.headers,
            body,
            ms: performance.now() - started,
            text: () => body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
      });
      const timer = setTimeout(() => {
        counts.hangs += 1;
        request.destroy(new HangError(`${method} ${url.pathname}: no answer within ${options.timeoutMs ?? 30000} ms`));
      }, options.timeoutMs ?? 30000);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Counts a 5xx unless it is the expected refusal (503 + Retry-After) during an outage. */
export function judge(status: number, headers: http.IncomingHttpHeaders, outage: boolean): void {
  if (status < 500) {
    return;
  }
  if (outage && status === 503 && headers['retry-after'] !== undefined) {
    counts.refusedWhileDown += 1;
    return;
  }
  counts.serverErrors += 1;
}

/** The exact id text of a submit answer (64-bit ids pass 2^53: never through a JS number). */
export function idOf(answer: Answer): string {
  const match = /"id":\s*(\d+)/.exec(answer.text());
  if (match?.[1] === undefined) {
    throw new Error(`no id in ${answer.status} ${answer.text().slice(0, 200)}`);
  }
  return match[1];
}

/** Runs `work` on `clients` concurrent loops until `stop()` says so; each loop awaits its call. */
export async function loops(clients: number, stop: () => boolean, work: (client: number, iteration: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_unused, client) => {
      for (let iteration = 0; !stop(); iteration += 1) {
        await work(client, iteration);
      }
    }),
  );
}
