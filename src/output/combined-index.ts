/**
 * The ordered combined view of a job's stdout and stderr.
 *
 * The two streams are kept in their own append-only files (byte-exact, never rewritten). The
 * order in which their pieces arrived is kept in `combined.idx`: fixed 24-byte records
 * `[u64 combinedStart][u64 streamOffset][u32 length][u8 stream][3 bytes padding]`. A combined
 * cursor is a byte offset in the virtual concatenation, found by binary search over records.
 */
import fs from 'node:fs';
import type { StreamName } from './layout.js';

export const RECORD_SIZE = 24;
/** Records are split at this size so a reader never has to load one huge piece. */
export const MAX_RECORD_BYTES = 64 * 1024;

export interface IndexRecord {
  combinedStart: number;
  streamOffset: number;
  length: number;
  stream: StreamName;
}

export function encodeRecord(record: IndexRecord): Buffer {
  const buffer = Buffer.alloc(RECORD_SIZE);
  buffer.writeBigUInt64LE(BigInt(record.combinedStart), 0);
  buffer.writeBigUInt64LE(BigInt(record.streamOffset), 8);
  buffer.writeUInt32LE(record.length, 16);
  buffer.writeUInt8(record.stream === 'stdout' ? 1 : 2, 20);
  return buffer;
}

export function decodeRecord(buffer: Buffer, offset = 0): IndexRecord {
  return {
    combinedStart: Number(buffer.readBigUInt64LE(offset)),
    streamOffset: Number(buffer.readBigUInt64LE(offset + 8)),
    length: buffer.readUInt32LE(offset + 16),
    stream: buffer.readUInt8(offset + 20) === 1 ? 'stdout' : 'stderr',
  };
}

/** Splits one observed growth of a stream into records of at most MAX_RECORD_BYTES. */
export function recordsForGrowth(stream: StreamName, from: number, to: number, combinedStart: number): IndexRecord[] {
  const records: IndexRecord[] = [];
  let offset = from;
  let combined = combinedStart;
  while (offset < to) {
    const length = Math.min(MAX_RECORD_BYTES, to - offset);
    records.push({ combinedStart: combined, streamOffset: offset, length, stream });
    offset += length;
    combined += length;
  }
  return records;
}

/** Random access to an index file by record number (reads only what it needs). */
export class IndexReader {
  constructor(
    private readonly fd: number,
    readonly count: number,
  ) {}

  static open(file: string): IndexReader | null {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return null;
    }
    const size = fs.fstatSync(fd).size;
    return new IndexReader(fd, Math.floor(size / RECORD_SIZE));
  }

  at(position: number): IndexRecord {
    const buffer = Buffer.alloc(RECORD_SIZE);
    fs.readSync(this.fd, buffer, 0, RECORD_SIZE, position * RECORD_SIZE);
    return decodeRecord(buffer);
  }

  /** The record holding combined byte `cursor`, or `count` when the cursor is at or past the end. */
  find(cursor: number): number {
    let low = 0;
    let high = this.count - 1;
    let found = this.count;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const record = this.at(middle);
      if (cursor < record.combinedStart) {
        high = middle - 1;
      } else if (cursor >= record.combinedStart + record.length) {
        low = middle + 1;
      } else {
        found = middle;
        break;
      }
    }
    return found;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
