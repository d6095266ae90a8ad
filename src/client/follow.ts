/**
 * Following a job's output live over `GET /v1/jobs/{id}/output/events`, surviving dropped
 * connections and jobgate restarts: each output event's id is the byte cursor after it, so
 * after a drop the client reconnects with `Last-Event-ID` set to the last event it handled and
 * the server resumes at that exact byte — nothing is lost and nothing is repeated.
 */
import { parseJsonLossless } from '../lib/json.js';
import type { JobgateClient } from './client.js';
import { ApiError, ConnectionError } from './errors.js';
import { readEvents } from './sse.js';
import type { JobDetail, OutputChunk, WireId } from './types.js';

export interface StateChange {
  event: string;
  state: string;
  result: string;
  returncode: number | '';
}

export interface FollowHandlers {
  /** May return a promise (a full pipe): the next event waits for it. */
  output(chunk: OutputChunk): void | Promise<void>;
  state?(change: StateChange): void;
  /** The connection was lost; another attempt follows after a pause. */
  reconnecting?(attempt: number, reason: string): void;
}

export interface FollowOptions {
  stream?: string;
  tail?: number;
  /** How long to keep trying to get a lost connection back, in ms (default a minute; pauses grow to 5 s). */
  reconnectMs?: number;
  signal?: AbortSignal;
}

export interface FollowEnd {
  reason: string;
  /** The job as it ended (absent when only the output ended). */
  job?: JobDetail;
}

/** The server said the output cannot be read (an `error` event); reconnecting would not help. */
export class FollowError extends Error {}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Transient: worth another attempt (no answer, a dropped stream, a gateway or a stopping server). */
function isTransient(error: unknown): boolean {
  return error instanceof ConnectionError || (error instanceof ApiError && (error.status === 502 || error.status === 503 || error.status === 504)) || error instanceof TypeError;
}

export async function followOutput(client: JobgateClient, id: WireId, handlers: FollowHandlers, options: FollowOptions = {}): Promise<FollowEnd> {
  const reconnectMs = options.reconnectMs ?? 60_000;
  let lastEventId: string | undefined;
  let failures = 0;
  let lostSince = 0;
  for (;;) {
    let reason: string;
    try {
      const response = await client.events(id, { stream: options.stream, tail: lastEventId === undefined ? options.tail : undefined, lastEventId, signal: options.signal });
      if (response.body === null) {
        throw new ConnectionError(client.baseUrl, 'the event stream has no body');
      }
      reason = 'the stream ended early';
      for await (const event of readEvents(response.body)) {
        // The server opens every stream with the job's state: the connection works again.
        failures = 0;
        if (event.event === 'output') {
          await handlers.output(JSON.parse(event.data) as OutputChunk);
          // Only after the chunk was handled: a drop now resumes right after it.
          lastEventId = event.id;
        } else if (event.event === 'state') {
          handlers.state?.(parseJsonLossless(event.data) as StateChange);
        } else if (event.event === 'end') {
          const end = parseJsonLossless(event.data) as FollowEnd;
          if (end.reason !== 'service stopping') {
            return end;
          }
          // A restart (or a stop): jobs keep running across restarts, so try to come back.
          reason = 'jobgate is stopping';
        } else if (event.event === 'error') {
          throw new FollowError((JSON.parse(event.data) as { message: string }).message);
        }
      }
    } catch (error: unknown) {
      if (options.signal?.aborted === true || !isTransient(error)) {
        throw error;
      }
      reason = error instanceof Error ? error.message : String(error);
    }
    failures += 1;
    if (failures === 1) {
      lostSince = Date.now();
    }
    if (Date.now() - lostSince > reconnectMs) {
      throw new ConnectionError(client.baseUrl, `lost the connection to ${client.baseUrl} and could not get it back (${reason})`);
    }
    handlers.reconnecting?.(failures, reason);
    await pause(Math.min(250 * 2 ** (failures - 1), 5000), options.signal);
  }
}
