/**
 * A light Server-Sent Events follower of one job's output, built to be opened a thousand times
 * at once: it keeps the output bytes it was sent (decoded, base64 included) and the names of the
 * other events, not every event, and reports each output event as it arrives (for latency).
 */
import http from 'node:http';
import { assertLoopback, judge } from './http-client.js';
import { counts } from './tally.js';
import { SseParser, type SseEvent } from '../../../src/client/sse.js';

export interface Follower {
  status: number;
  /** Output bytes received so far, in order. */
  bytes(): Buffer;
  /** Names of the non-output events, in order (state, end, error). */
  events: SseEvent[];
  /** Resolves when the server ends the stream (or the connection drops). */
  ended: Promise<void>;
  close(): void;
}

export interface FollowOptions {
  headers?: Record<string, string>;
  /** Called for each output chunk with the time it arrived (performance.now()). */
  onOutput?: (data: Buffer, at: number) => void;
  timeoutMs?: number;
}

export function follow(base: string, path: string, options: FollowOptions = {}): Promise<Follower> {
  assertLoopback(base);
  counts.requests += 1;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const events: SseEvent[] = [];
    const timer = setTimeout(() => {
      counts.hangs += 1;
      request.destroy(new Error(`GET ${path}: no answer within ${options.timeoutMs ?? 30000} ms`));
    }, options.timeoutMs ?? 30000);
    const request = http.get(new URL(path, base), { agent: false, headers: { Accept: 'text/event-stream', ...options.headers } }, (response) => {
      clearTimeout(timer);
      const status = response.statusCode ?? 0;
      judge(status, response.headers, false);
      const parser = new SseParser();
      let endResolve: () => void = () => undefined;
      const ended = new Promise<void>((done) => {
        endResolve = done;
      });
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        const at = performance.now();
        for (const event of parser.push(text)) {
          if (event.event === 'output') {
            const chunk = JSON.parse(event.data) as { data: string; encoding?: string };
            const data = chunk.encoding === 'base64' ? Buffer.from(chunk.data, 'base64') : Buffer.from(chunk.data, 'utf8');
            chunks.push(data);
            options.onOutput?.(data, at);
          } else {
            events.push(event);
          }
        }
      });
      response.on('error', () => endResolve());
      response.on('end', () => endResolve());
      response.on('close', () => endResolve());
      resolve({ status, bytes: () => Buffer.concat(chunks), events, ended, close: () => request.destroy() });
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
