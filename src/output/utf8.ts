/** Text boundaries in byte streams: never cut a UTF-8 character in two between reads. */
import { isUtf8 } from 'node:buffer';

/**
 * Length of `data` without a trailing, incomplete UTF-8 sequence (at most 3 bytes): those
 * bytes belong with the next read. Invalid bytes are left alone (they are binary output).
 */
export function completeUtf8Length(data: Buffer): number {
  const end = data.length;
  for (let back = 1; back <= Math.min(3, end); back += 1) {
    const byte = data[end - back] ?? 0;
    if ((byte & 0xc0) === 0x80) {
      continue;
    }
    const expected = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 1;
    return expected > back ? end - back : end;
  }
  return end;
}

export function isValidUtf8(data: Buffer): boolean {
  return isUtf8(data);
}

/** Splits text into lines that keep their `\n` (the last one may have none), as flux-restful-api returned output. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', start)) {
    lines.push(text.slice(start, index + 1));
    start = index + 1;
  }
  if (start < text.length) {
    lines.push(text.slice(start));
  }
  return lines;
}
