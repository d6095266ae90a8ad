/**
 * One page of a job's output, as it is now (never waits): from the start the request names, at
 * most `maxBytes`, never ending inside a character while more bytes follow.
 */
import type { JobId } from '../model/job-id.js';
import type { OutputView } from './layout.js';
import type { OutputStore } from './output-store.js';
import type { OutputChunk } from './reader.js';
import { startCursor, type StartRequest } from './start-cursor.js';
import { endPageOnWholeCharacter } from './whole-characters.js';

export interface PageRequest extends StartRequest {
  view: OutputView;
  maxBytes: number;
}

export interface OutputPage {
  chunks: OutputChunk[];
  /** Where the page starts. */
  start: number;
  /** Where the next page starts. */
  cursor: number;
  /** Bytes of the view so far. */
  size: number;
  /** The job has ended and this page holds everything up to its end. */
  complete: boolean;
  /** More bytes exist after the cursor (max_bytes cut the page). */
  truncated: boolean;
}

export function readOutputPage(store: OutputStore, id: JobId, request: PageRequest): OutputPage {
  const reader = store.reader(id);
  const start = startCursor(reader, request.view, request);
  const result = reader.read(request.view, start, request.maxBytes);
  const live = store.isLive(id);
  if (live || result.next < result.size) {
    endPageOnWholeCharacter(result);
  }
  return {
    chunks: result.chunks,
    start,
    cursor: result.next,
    size: result.size,
    complete: !live && result.next >= result.size,
    truncated: result.next < result.size,
  };
}
