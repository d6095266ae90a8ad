/**
 * Following a job's output from a cursor until it ends. Each follower reads the files at its
 * own pace: a stalled follower holds one bounded read, never slows the job or other followers,
 * and catches up from disk when its consumer is ready again.
 */
import type { JobId } from '../model/job-id.js';
import type { OutputView } from './layout.js';
import type { OutputStore } from './output-store.js';
import type { ReadResult } from './reader.js';
import { holdBackPartialCharacter } from './whole-characters.js';

export interface FollowOptions {
  view: OutputView;
  cursor: number;
  signal: AbortSignal;
  maxBytes?: number;
  /** Hold back a character cut in two at the end of a read until the rest arrives (text consumers). */
  wholeCharacters?: boolean;
}

export async function* followOutput(store: OutputStore, id: JobId, options: FollowOptions): AsyncGenerator<ReadResult> {
  let cursor = options.cursor;
  let dirty = false;
  let wake: (() => void) | null = null;
  const onChange = (): void => {
    dirty = true;
    wake?.();
  };
  const unsubscribe = store.subscribe(id, onChange);
  options.signal.addEventListener('abort', onChange, { once: true });
  try {
    while (!options.signal.aborted) {
      dirty = false;
      const live = store.isLive(id);
      const result = store.reader(id).read(options.view, cursor, options.maxBytes ?? 64 * 1024);
      if (live && options.wholeCharacters) {
        holdBackPartialCharacter(result);
      }
      if (result.chunks.length > 0) {
        cursor = result.next;
        yield result;
        continue;
      }
      if (!live) {
        return;
      }
      if (!dirty) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    }
  } finally {
    unsubscribe();
    options.signal.removeEventListener('abort', onChange);
  }
}
