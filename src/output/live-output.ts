/**
 * The writing side of one job's output while the job can still produce any.
 *
 * Two ways output arrives, one index for both:
 * - the job's processes write the files themselves (local executor, sbatch output files):
 *   `track()` watches the folder (inotify through fs.watch, plus a slow poll as a safety net)
 *   and indexes each growth it sees — no byte passes through jobgate, so a job keeps writing
 *   even while jobgate restarts;
 * - the executor hands over bytes (Flux output eventlog, srun pipes): `append()` writes them.
 * Nothing is read into memory here; only sizes are indexed. Readers go to the files.
 */
import fs from 'node:fs';
import { encodeRecord, recordsForGrowth, IndexReader, type IndexRecord } from './combined-index.js';
import type { JobOutputPaths, StreamName } from './layout.js';

export interface OutputSizes {
  stdout: number;
  stderr: number;
  all: number;
}

export class LiveOutput {
  readonly sizes: OutputSizes = { stdout: 0, stderr: 0, all: 0 };
  private indexFd: number | null = null;
  private readonly appendFds: Partial<Record<StreamName, number>> = {};
  private watcher: fs.FSWatcher | null = null;
  private catchUpQueued = false;
  private closed = false;
  tracking = false;

  constructor(
    readonly paths: JobOutputPaths,
    private readonly onGrowth: () => void,
    private readonly onWarning: (message: string) => void,
  ) {}

  /** Creates the folder and empty files for a new job. */
  static create(paths: JobOutputPaths, onGrowth: () => void, onWarning: (message: string) => void): LiveOutput {
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    for (const file of [paths.stdout, paths.stderr, paths.index]) {
      fs.closeSync(fs.openSync(file, 'a', 0o600));
    }
    return new LiveOutput(paths, onGrowth, onWarning);
  }

  /** Re-opens the output of a job that was active when jobgate stopped; sizes come from the index. */
  static reopen(paths: JobOutputPaths, onGrowth: () => void, onWarning: (message: string) => void): LiveOutput {
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    for (const file of [paths.stdout, paths.stderr, paths.index]) {
      fs.closeSync(fs.openSync(file, 'a', 0o600));
    }
    const output = new LiveOutput(paths, onGrowth, onWarning);
    const reader = IndexReader.open(paths.index);
    if (reader !== null) {
      try {
        const seen = new Set<StreamName>();
        for (let position = reader.count - 1; position >= 0 && seen.size < 2; position -= 1) {
          const record = reader.at(position);
          if (position === reader.count - 1) {
            output.sizes.all = record.combinedStart + record.length;
          }
          if (!seen.has(record.stream)) {
            seen.add(record.stream);
            output.sizes[record.stream] = record.streamOffset + record.length;
          }
        }
      } finally {
        reader.close();
      }
      // A crash can leave a partial record at the end; cut it so new records stay aligned.
      fs.truncateSync(paths.index, reader.count * 24);
    }
    return output;
  }

  /** Starts following files that the job's processes write themselves. */
  track(): void {
    if (this.closed || this.tracking) {
      return;
    }
    this.tracking = true;
    try {
      this.watcher = fs.watch(this.paths.dir, { persistent: false }, () => this.queueCatchUp());
      this.watcher.on('error', (error) => this.onWarning(`output watch failed: ${error.message}`));
    } catch (error: unknown) {
      this.onWarning(`cannot watch ${this.paths.dir}: ${error instanceof Error ? error.message : String(error)}; polling instead`);
    }
    this.queueCatchUp();
  }

  /** Appends bytes handed over by an executor. */
  append(stream: StreamName, data: Buffer): void {
    if (this.closed || data.length === 0) {
      return;
    }
    let fd = this.appendFds[stream];
    if (fd === undefined) {
      fd = fs.openSync(this.paths[stream], 'a', 0o600);
      this.appendFds[stream] = fd;
    }
    fs.writeSync(fd, data);
    this.index(stream, this.sizes[stream] + data.length);
    this.onGrowth();
  }

  queueCatchUp(): void {
    if (this.catchUpQueued || this.closed) {
      return;
    }
    this.catchUpQueued = true;
    setImmediate(() => {
      this.catchUpQueued = false;
      this.catchUp();
    });
  }

  /** Indexes whatever the files gained since last time. Returns true when anything did. */
  catchUp(): boolean {
    if (this.closed) {
      return false;
    }
    let grew = false;
    for (const stream of ['stdout', 'stderr'] as const) {
      let size: number;
      try {
        size = fs.statSync(this.paths[stream]).size;
      } catch (error: unknown) {
        this.onWarning(`cannot stat ${stream}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (size > this.sizes[stream]) {
        this.index(stream, size);
        grew = true;
      }
    }
    if (grew) {
      this.onGrowth();
    }
    return grew;
  }

  private index(stream: StreamName, newSize: number): void {
    const records: IndexRecord[] = recordsForGrowth(stream, this.sizes[stream], newSize, this.sizes.all);
    if (records.length === 0) {
      return;
    }
    if (this.indexFd === null) {
      this.indexFd = fs.openSync(this.paths.index, 'a', 0o600);
    }
    fs.writeSync(this.indexFd, Buffer.concat(records.map(encodeRecord)));
    const grown = newSize - this.sizes[stream];
    this.sizes[stream] = newSize;
    this.sizes.all += grown;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Final catch-up, then no more output: followers drain what is there and end. */
  close(): void {
    if (this.closed) {
      return;
    }
    this.catchUp();
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    for (const fd of [this.indexFd, ...Object.values(this.appendFds)]) {
      if (fd !== null && fd !== undefined) {
        fs.closeSync(fd);
      }
    }
    this.indexFd = null;
  }
}
