/**
 * Reading a job's output by cursor: a byte offset in one stream, or in the combined view.
 * Reads are bounded (`maxBytes`), so outputs of gigabytes are paged, never loaded whole.
 */
import fs from 'node:fs';
import { outputGone } from '../errors.js';
import { IndexReader } from './combined-index.js';
import type { JobOutputPaths, OutputView, StreamName } from './layout.js';
import type { OutputSizes } from './live-output.js';

export interface OutputChunk {
  stream: StreamName;
  data: Buffer;
}

export interface ReadResult {
  chunks: OutputChunk[];
  /** Cursor after the last byte returned. */
  next: number;
  /** Size of the view when read. */
  size: number;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return 0;
    }
    throw error;
  }
}

/** Opens an output file; one removed from under jobgate is a clear error (404), not a crash (500). */
function openOutput(file: string, what: string): number {
  try {
    return fs.openSync(file, 'r');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw outputGone(what);
    }
    throw error;
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = fs.readSync(fd, buffer, done, length - done, position + done);
    if (got === 0) {
      break;
    }
    done += got;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

export class OutputReader {
  constructor(
    private readonly paths: JobOutputPaths,
    /** Indexed sizes while the job is live; null once it ended (sizes then come from disk). */
    private readonly liveSizes: OutputSizes | null,
    /** What was removed from under a live job (LiveOutput.gone), if anything. */
    private readonly gone: string | null = null,
  ) {}

  size(view: OutputView): number {
    if (this.liveSizes !== null) {
      return this.liveSizes[view];
    }
    if (view !== 'all') {
      return fileSize(this.paths[view]);
    }
    const index = IndexReader.open(this.paths.index);
    if (index === null) {
      return 0;
    }
    try {
      if (index.count === 0) {
        return 0;
      }
      const last = index.at(index.count - 1);
      return last.combinedStart + last.length;
    } finally {
      index.close();
    }
  }

  read(view: OutputView, cursor: number, maxBytes: number): ReadResult {
    if (this.gone !== null) {
      throw outputGone(this.gone);
    }
    const size = this.size(view);
    const start = Math.min(Math.max(0, cursor), size);
    if (start >= size || maxBytes <= 0) {
      return { chunks: [], next: start, size };
    }
    if (view !== 'all') {
      const fd = openOutput(this.paths[view], view);
      try {
        const data = readAt(fd, start, Math.min(maxBytes, size - start));
        return { chunks: data.length > 0 ? [{ stream: view, data }] : [], next: start + data.length, size };
      } finally {
        fs.closeSync(fd);
      }
    }
    return this.readCombined(start, Math.min(maxBytes, size - start), size);
  }

  private readCombined(start: number, budget: number, size: number): ReadResult {
    const index = IndexReader.open(this.paths.index);
    if (index === null) {
      // Bytes were indexed (the sizes say so), yet the index is not there any more.
      throw outputGone('output index');
    }
    const fds: Partial<Record<StreamName, number>> = {};
    const chunks: OutputChunk[] = [];
    let cursor = start;
    let remaining = budget;
    try {
      for (let position = index.find(cursor); position < index.count && remaining > 0; position += 1) {
        const record = index.at(position);
        const skip = cursor - record.combinedStart;
        const length = Math.min(record.length - skip, remaining);
        let fd = fds[record.stream];
        if (fd === undefined) {
          fd = openOutput(this.paths[record.stream], record.stream);
          fds[record.stream] = fd;
        }
        const data = readAt(fd, record.streamOffset + skip, length);
        if (data.length === 0) {
          break;
        }
        const previous = chunks[chunks.length - 1];
        if (previous !== undefined && previous.stream === record.stream) {
          previous.data = Buffer.concat([previous.data, data]);
        } else {
          chunks.push({ stream: record.stream, data });
        }
        cursor += data.length;
        remaining -= data.length;
        if (data.length < length) {
          break;
        }
      }
    } finally {
      index.close();
      for (const fd of Object.values(fds)) {
        fs.closeSync(fd);
      }
    }
    return { chunks, next: cursor, size };
  }

  /** The cursor from which the last `lines` lines of the view start. */
  tailCursor(view: OutputView, lines: number): number {
    const size = this.size(view);
    if (lines <= 0) {
      return size;
    }
    const block = 64 * 1024;
    let end = size;
    let newlines = 0;
    // A final line without its newline still counts as a line.
    let skipFinalNewline = true;
    while (end > 0) {
      const from = Math.max(0, end - block);
      const { chunks } = this.read(view, from, end - from);
      const data = Buffer.concat(chunks.map((chunk) => chunk.data));
      for (let position = data.length - 1; position >= 0; position -= 1) {
        if (data[position] === 0x0a) {
          if (skipFinalNewline && from + position === size - 1) {
            continue;
          }
          newlines += 1;
          if (newlines === lines) {
            return from + position + 1;
          }
        }
      }
      skipFinalNewline = false;
      end = from;
    }
    return 0;
  }
}
