/**
 * Text consumers must never get a UTF-8 character cut in two: a read that ends inside one
 * gives its last bytes back (the cursor moves back with them), to be read with the rest.
 */
import type { ReadResult } from './reader.js';
import { completeUtf8Length } from './utf8.js';

/**
 * A follower's read of live output: the incomplete tail is dropped, even when that leaves
 * nothing, because the follower reads again once the rest arrives.
 */
export function holdBackPartialCharacter(result: ReadResult): void {
  const last = result.chunks[result.chunks.length - 1];
  if (last === undefined) {
    return;
  }
  const keep = completeUtf8Length(last.data);
  if (keep === last.data.length) {
    return;
  }
  result.next -= last.data.length - keep;
  if (keep === 0) {
    result.chunks.pop();
  } else {
    last.data = last.data.subarray(0, keep);
  }
}

/**
 * A page that more bytes follow: it ends before an incomplete character, unless the page is
 * nothing but that fragment (a tiny max_bytes), which is returned so that paging still advances.
 */
export function endPageOnWholeCharacter(result: ReadResult): void {
  const last = result.chunks[result.chunks.length - 1];
  if (last === undefined) {
    return;
  }
  const keep = completeUtf8Length(last.data);
  if (keep > 0 && keep < last.data.length) {
    result.next -= last.data.length - keep;
    last.data = last.data.subarray(0, keep);
  }
}
