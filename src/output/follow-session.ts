/**
 * Following a job: its output from a cursor, merged with its state changes and the service's
 * stop, as one ordered series of typed events that a transport only frames (Server-Sent
 * Events, the legacy chunked stream).
 *
 * Pulling is the backpressure: the next read happens only when the consumer asks for the next
 * event (once its socket took the last one), so a slow consumer holds one bounded read and
 * slows nobody. State changes and the stop never wait for output: they are queued as they
 * come and go out before the next output, in the order they happened.
 */
import type { JobRecord } from '../model/job.js';
import type { JobId } from '../model/job-id.js';
import { followOutput } from './follow.js';
import type { OutputView } from './layout.js';
import type { OutputStore } from './output-store.js';
import type { OutputChunk, ReadResult } from './reader.js';

/** A change of some job's state (the domain's change events have this shape). */
export interface JobStateChange {
  job: JobRecord;
  event: { name: string; t: number };
}

export interface FollowListener {
  change(change: JobStateChange): void;
  /** The service is stopping: the session ends with a final event. */
  stopping(): void;
}

export interface FollowedJob {
  /** The job when following starts: the first event tells its state. */
  current: JobRecord;
  /** The job once its output has ended, for the final event (undefined: as it was). */
  final(): JobRecord | undefined;
}

export interface FollowSessionOptions {
  view: OutputView;
  cursor: number;
  /** Aborted when the consumer has gone: the session ends without a final event. */
  signal: AbortSignal;
  /** Hold back a character cut in two at the end of live output (text consumers). */
  wholeCharacters: boolean;
  /** Subscribes to state changes (of any job) and to the service's stop; returns the unsubscribe. */
  watch(listener: FollowListener): () => void;
  /** Given: state events are part of the session (the current state first, then each change). */
  job?: FollowedJob;
  /** Seconds since the epoch (the time of the first state event). */
  now(): number;
}

export type EndReason = 'job ended' | 'output ended' | 'service stopping';

export type FollowEvent =
  | { kind: 'state'; event: string; job: JobRecord; t: number }
  /** `cursor` is the cursor after this chunk: following again from it resumes at the next byte. */
  | { kind: 'output'; chunk: OutputChunk; cursor: number }
  | { kind: 'end'; reason: EndReason; job?: JobRecord }
  | { kind: 'error'; message: string };

/** Why the output cannot be followed, without the data directory's paths (the caller sees no files). */
export function unavailableMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `output unavailable: ${message.replace(/\/[^\s:]*\/jobs\/[^\s:]*/g, '<output file>')}`;
}

export async function* followJob(store: OutputStore, id: JobId, options: FollowSessionOptions): AsyncGenerator<FollowEvent, void, undefined> {
  const queue: FollowEvent[] = [];
  let stopped = false;
  let wake: (() => void) | null = null;
  // Ends the output read when the consumer goes away or the session ends for another reason.
  const reading = new AbortController();
  const abortReading = (): void => reading.abort();
  options.signal.addEventListener('abort', abortReading, { once: true });
  const unwatch = options.watch({
    change: (change) => {
      // The submit came before the current state, which the first event already tells.
      if (options.job !== undefined && !stopped && change.job.id === id && change.event.name !== 'submit') {
        queue.push({ kind: 'state', event: change.event.name, job: change.job, t: change.event.t });
        wake?.();
      }
    },
    stopping: () => {
      if (!stopped) {
        stopped = true;
        queue.push({ kind: 'end', reason: 'service stopping' });
        wake?.();
      }
    },
  });
  const output = followOutput(store, id, { view: options.view, cursor: options.cursor, signal: reading.signal, wholeCharacters: options.wholeCharacters });
  let pending: Promise<IteratorResult<ReadResult, void>> | null = null;
  /** Yields what is queued; false once the session is over (stopped, or the consumer gone). */
  async function* takeQueued(): AsyncGenerator<FollowEvent, boolean, undefined> {
    for (let event = queue.shift(); event !== undefined && !options.signal.aborted; event = queue.shift()) {
      yield event;
    }
    return !stopped && !options.signal.aborted;
  }
  try {
    if (options.job !== undefined) {
      yield { kind: 'state', event: 'current', job: options.job.current, t: options.now() };
    }
    for (;;) {
      if (!(yield* takeQueued())) {
        return;
      }
      pending ??= output.next();
      const next = await Promise.race([pending, new Promise<null>((resolve) => {
        wake = () => resolve(null);
      })]);
      wake = null;
      if (next === null) {
        // A change or the stop came first; the read goes on and is taken up next time round.
        continue;
      }
      pending = null;
      if (next.done === true) {
        break;
      }
      let cursor = next.value.next - next.value.chunks.reduce((sum, chunk) => sum + chunk.data.length, 0);
      for (const chunk of next.value.chunks) {
        if (!(yield* takeQueued())) {
          return;
        }
        cursor += chunk.data.length;
        yield { kind: 'output', chunk, cursor };
      }
    }
    // The output has ended: what changed meanwhile goes first, then the final event.
    if (!(yield* takeQueued())) {
      return;
    }
    const final = options.job === undefined ? undefined : (options.job.final() ?? options.job.current);
    if (final === undefined) {
      yield { kind: 'end', reason: 'output ended' };
    } else {
      yield { kind: 'end', reason: final.state === 'INACTIVE' ? 'job ended' : 'output ended', job: final };
    }
  } catch (error: unknown) {
    // The output went away under the follower (its files removed): say so, then end.
    yield { kind: 'error', message: unavailableMessage(error) };
  } finally {
    unwatch();
    options.signal.removeEventListener('abort', abortReading);
    reading.abort();
    // A read still in flight ends at the abort; its failure, if any, no longer matters.
    await pending?.catch(() => undefined);
    await output.return(undefined);
  }
}
