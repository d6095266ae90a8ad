/**
 * Job events over `GET /v1/events`: the backlog from a position, then (when following) live
 * events. Every event's id is its position in jobgate's event log; a dropped connection or a
 * restart is resumed with Last-Event-ID from the last event handled, so nothing is missed or
 * repeated.
 */
import { parseJsonLossless } from '../lib/json.js';
import type { JobgateClient } from './client.js';
import { ConnectionError } from './errors.js';
import { withReconnects, type Attempt, type ReconnectOptions } from './reconnect.js';
import { selectionQuery, type JobSelection } from './selection.js';
import { readEvents } from './sse.js';
import type { FeedEvent } from './types.js';

export interface EventsRequest extends ReconnectOptions {
  selection?: Pick<JobSelection, 'states' | 'owners' | 'tags'>;
  /** Only these jobs (decimal ids). */
  jobs?: string[];
  /** Where to start: `now`, `all`, or a position. */
  since: string;
  /** Keep following after the backlog (otherwise stop once it is sent). */
  follow: boolean;
}

/** `raw` is the event's data as sent (exact ids, for printing as JSON lines). */
export type EventHandler = (event: FeedEvent, raw: string) => void | Promise<void>;

export async function followEvents(client: JobgateClient, request: EventsRequest, handle: EventHandler): Promise<void> {
  let lastEventId: string | undefined;
  const { states, owners, tags } = request.selection ?? {};
  const query = { ...selectionQuery({ states, owners, tags }), job: request.jobs?.join(','), since: request.since };
  const attempt: Attempt<undefined> = async (connected) => {
    const headers: Record<string, string> = { Accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId }) };
    const response = (await client.request('GET', '/v1/events', { query, headers, signal: request.signal, raw: true })).response;
    if (response.body === null) {
      throw new ConnectionError(client.baseUrl, 'the event stream has no body');
    }
    let caughtUp = false;
    for await (const event of readEvents(response.body)) {
      connected();
      if (event.event === 'job') {
        await handle(parseJsonLossless(event.data) as FeedEvent, event.data);
      } else if (event.event === 'stopping') {
        return { lost: 'jobgate is stopping' };
      }
      // Positions of checkpoints and `ready` count too: a resumed stream skips what they passed.
      lastEventId = event.id ?? lastEventId;
      if (event.event === 'ready' && !request.follow) {
        caughtUp = true;
        break;
      }
    }
    if (caughtUp) {
      // The stream would go on with live events: close it (the reader has let go of it).
      await response.body.cancel();
      return { done: undefined };
    }
    return { lost: 'the stream ended early' };
  };
  await withReconnects(client.baseUrl, attempt, request);
}
