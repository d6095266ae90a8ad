/**
 * Where a reader or follower of a job's output starts: a reconnecting follower's last event id
 * (the cursor after the last bytes it got) wins, so it resumes at the exact byte; otherwise the
 * last `tail` lines, otherwise `since`, otherwise the beginning.
 */
import type { OutputView } from './layout.js';
import type { OutputReader } from './reader.js';

export interface StartRequest {
  since?: number | undefined;
  tail?: number | undefined;
  /** What a reconnecting follower sent as the id of the last event it got (Last-Event-ID). */
  lastEventId?: string | undefined;
}

/** A last event id that is a cursor, or undefined (anything else is ignored, as EventSource's own ids would be). */
export function resumeCursor(lastEventId: string | undefined): number | undefined {
  // At most sixteen digits: enough for any output; a cursor past the end is clamped by the read.
  return lastEventId !== undefined && /^\d{1,16}$/.test(lastEventId) ? Number(lastEventId) : undefined;
}

export function startCursor(reader: Pick<OutputReader, 'tailCursor'>, view: OutputView, request: StartRequest): number {
  const resumed = resumeCursor(request.lastEventId);
  if (resumed !== undefined) {
    return resumed;
  }
  // Only read the files when asked to: a tail means scanning back from the end.
  return request.tail !== undefined ? reader.tailCursor(view, request.tail) : (request.since ?? 0);
}
