/**
 * Following a job's output live over `GET /v1/jobs/{id}/output/events`, surviving dropped
 * connections and jobgate restarts: each output event's id is the byte cursor after it, so
 * after a drop the client reconnects with `Last-Event-ID` set to the last event it handled and
 * the server resumes at that exact byte — nothing is lost and nothing is repeated.
 */
import { parseJsonLossless } from '../lib/json.js';
import type { JobgateClient } from './client.js';
import { ConnectionError } from './errors.js';
import { withReconnects, type Attempt } from './reconnect.js';
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

export async function followOutput(client: JobgateClient, id: WireId, handlers: FollowHandlers, options: FollowOptions = {}): Promise<FollowEnd> {
  let lastEventId: string | undefined;
  const attempt: Attempt<FollowEnd> = async (connected) => {
    const response = await client.events(id, { stream: options.stream, tail: lastEventId === undefined ? options.tail : undefined, lastEventId, signal: options.signal });
    if (response.body === null) {
      throw new ConnectionError(client.baseUrl, 'the event stream has no body');
    }
    for await (const event of readEvents(response.body)) {
      // The server opens every stream with the job's state: the connection works again.
      connected();
      if (event.event === 'output') {
        await handlers.output(JSON.parse(event.data) as OutputChunk);
        // Only after the chunk was handled: a drop now resumes right after it.
        lastEventId = event.id;
      } else if (event.event === 'state') {
        handlers.state?.(parseJsonLossless(event.data) as StateChange);
      } else if (event.event === 'end') {
        const end = parseJsonLossless(event.data) as FollowEnd;
        // A restart (or a stop): jobs keep running across restarts, so try to come back.
        return end.reason === 'service stopping' ? { lost: 'jobgate is stopping' } : { done: end };
      } else if (event.event === 'error') {
        throw new FollowError((JSON.parse(event.data) as { message: string }).message);
      }
    }
    return { lost: 'the stream ended early' };
  };
  return withReconnects(client.baseUrl, attempt, { reconnectMs: options.reconnectMs, signal: options.signal, reconnecting: handlers.reconnecting });
}
