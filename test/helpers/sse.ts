/** A Server-Sent Events connection for tests: the client's own framing over Node's http, with waits and pauses. */
import http from 'node:http';
import { SseParser, type SseEvent } from '../../src/client/sse.js';

export type { SseEvent };

export interface SseConnection {
  events: SseEvent[];
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Resolves when an event matching `predicate` has arrived (or rejects on timeout). */
  waitFor(predicate: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
  /** Stops reading from the socket (a stalled client); resume() reads again. */
  pause(): void;
  resume(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      const events: SseEvent[] = [];
      const waiters: { predicate: (event: SseEvent) => boolean; resolve: (event: SseEvent) => void }[] = [];
      const parser = new SseParser();
      let endResolve: () => void = () => undefined;
      const ended = new Promise<void>((done) => {
        endResolve = done;
      });
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        for (const event of parser.push(text)) {
          events.push(event);
          for (const waiter of [...waiters]) {
            if (waiter.predicate(event)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(event);
            }
          }
        }
      });
      response.on('end', () => endResolve());
      response.on('close', () => endResolve());
      resolve({
        events,
        status: response.statusCode ?? 0,
        headers: response.headers,
        ended,
        waitFor: (predicate, timeoutMs = 15000) => {
          const found = events.find(predicate);
          if (found !== undefined) return Promise.resolve(found);
          return new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.event))}`)), timeoutMs);
            waiters.push({ predicate, resolve: (event) => { clearTimeout(timer); done(event); } });
          });
        },
        close: () => request.destroy(),
        pause: () => response.pause(),
        resume: () => response.resume(),
      });
    });
    request.on('error', reject);
  });
}
