/**
 * Where a job's output lives: `<dataDir>/jobs/<shard>/<id>/{stdout,stderr,combined.idx}`.
 * The shard uses the millisecond bits of the id, so consecutive ids spread over 256 folders.
 */
import path from 'node:path';
import type { JobId } from '../model/job-id.js';

export const STREAMS = ['stdout', 'stderr'] as const;
export type StreamName = (typeof STREAMS)[number];
/** A view of the output: one stream, or both in the order they were written ("all"). */
export type OutputView = StreamName | 'all';

export interface JobOutputPaths {
  dir: string;
  stdout: string;
  stderr: string;
  index: string;
}

export function jobOutputPaths(dataDir: string, id: JobId): JobOutputPaths {
  const shard = ((id >> 24n) & 0xffn).toString(16).padStart(2, '0');
  const dir = path.join(dataDir, 'jobs', shard, id.toString());
  return {
    dir,
    stdout: path.join(dir, 'stdout'),
    stderr: path.join(dir, 'stderr'),
    index: path.join(dir, 'combined.idx'),
  };
}
