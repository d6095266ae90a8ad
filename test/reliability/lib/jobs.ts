/**
 * Job helpers of the reliability suite: waiting on states through the API, reading every job
 * of a jobgate in one export, and feeding jobs through named pipes (a job that is `cat FIFO`
 * prints exactly what the test writes, when it writes it, and ends when the test closes it:
 * output and timing under the test's control without a process per line).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Client } from './http-client.js';
import { waitFor } from '../../helpers/test-server.js';

export interface ExportedJob {
  id: string;
  name: string;
  state: string;
  result: string;
  returncode: number | string;
}

/** Every job of the jobgate (all owners with auth off), ids kept exact. */
export async function exportJobs(client: Client, filter: Record<string, string> = {}): Promise<ExportedJob[]> {
  const answer = await client.get('/v1/jobs/export', { query: { format: 'ndjson', fields: 'id,name,state,result,returncode', ...filter }, timeoutMs: 120000 });
  if (answer.status !== 200) {
    throw new Error(`export: ${answer.status} ${answer.text().slice(0, 300)}`);
  }
  return answer
    .text()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const row = JSON.parse(line) as Omit<ExportedJob, 'id'>;
      const id = /"id":\s*(\d+)/.exec(line)?.[1] ?? '';
      return { ...row, id };
    });
}

/** How many jobs match a listing filter (the query route's total). */
export async function countJobs(client: Client, filter: Record<string, string>): Promise<number> {
  const answer = await client.get('/v1/jobs/query', { query: { ...filter, limit: 1 } });
  if (answer.status !== 200) {
    throw new Error(`query: ${answer.status} ${answer.text().slice(0, 300)}`);
  }
  return answer.json<{ total: number }>().total;
}

/** Polls until `check` gives a value, or throws after `timeoutMs`. */
export function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30000, everyMs = 100): Promise<T> {
  return waitFor(check, timeoutMs, what, everyMs);
}

/** Named pipes in `dir`, each opened read-write by the test (which never blocks on Linux). */
export class Pipes {
  readonly paths: string[];
  private readonly fds: number[];

  private constructor(paths: string[]) {
    this.paths = paths;
    this.fds = paths.map((file) => fs.openSync(file, 'r+'));
  }

  static async create(dir: string, count: number): Promise<Pipes> {
    const paths = Array.from({ length: count }, (_unused, index) => path.join(dir, `pipe-${index}`));
    await execa('mkfifo', paths);
    return new Pipes(paths);
  }

  /** Writes to one pipe (lines below PIPE_BUF are written whole). */
  write(index: number, text: string | Buffer): void {
    const fd = this.fds[index];
    if (fd === undefined) {
      throw new Error(`no pipe ${index}`);
    }
    fs.writeSync(fd, typeof text === 'string' ? Buffer.from(text) : text);
  }

  /** Closes every pipe: each job reading one sees its end and exits 0. */
  close(): void {
    for (const fd of this.fds.splice(0)) {
      fs.closeSync(fd);
    }
  }
}
