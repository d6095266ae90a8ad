/**
 * Keeping an event stream going across dropped connections and jobgate restarts: an attempt
 * reads the stream until it is done or lost; a lost one is tried again after a pause that grows
 * (250 ms doubling to 5 s) for as long as `reconnectMs` allows since the connection was lost.
 * Each attempt resumes where the last one stopped (the caller sends Last-Event-ID), so a
 * follower neither misses nor repeats anything.
 */
import { ApiError, ConnectionError } from './errors.js';

export interface ReconnectOptions {
  /** How long to keep trying to get a lost connection back, in ms (default a minute). */
  reconnectMs?: number;
  signal?: AbortSignal;
  /** The connection was lost; another attempt follows after a pause. */
  reconnecting?(attempt: number, reason: string): void;
}

/** How an attempt ended: done (with its result), or the stream was lost (and why). */
export type AttemptOutcome<R> = { done: R } | { lost: string };

/** One connection: `connected` says the stream works again (the server sent something). */
export type Attempt<R> = (connected: () => void) => Promise<AttemptOutcome<R>>;

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

export async function withReconnects<R>(baseUrl: string, attempt: Attempt<R>, options: ReconnectOptions = {}): Promise<R> {
  const reconnectMs = options.reconnectMs ?? 60_000;
  let failures = 0;
  let lostSince = 0;
  for (;;) {
    let reason: string;
    try {
      const outcome = await attempt(() => {
        failures = 0;
      });
      if ('done' in outcome) {
        return outcome.done;
      }
      reason = outcome.lost;
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
      throw new ConnectionError(baseUrl, `lost the connection to ${baseUrl} and could not get it back (${reason})`);
    }
    options.reconnecting?.(failures, reason);
    await pause(Math.min(250 * 2 ** (failures - 1), 5000), options.signal);
  }
}
