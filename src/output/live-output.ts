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
import { encodeRecord, recordsForGrowth, IndexReader, RECORD_SIZE, type IndexRecord } from './combined-index.js';
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
  /** Size of each stream file appended to (what is written, indexed or not yet). */
  private readonly fileSizes: Partial<Record<StreamName, number>> = {};
  private watcher: fs.FSWatcher | null = null;
  private catchUpQueued = false;
  private closed = false;
  /** Bytes of whole records in the index file (a failed write is cut back to this). */
  private indexBytes = 0;
  /** The last write problem told (a full disk is told once, not at every growth). */
  private lastWriteProblem: string | null = null;
  tracking = false;
  /**
   * Set when a file of this output was removed from under jobgate (by hand, a cleaner): the
   * output can no longer be read in order, so readers fail with a clear error instead of
   * waiting for bytes that will never be indexed.
   */
  gone: string | null = null;

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
      fs.truncateSync(paths.index, reader.count * RECORD_SIZE);
      output.indexBytes = reader.count * RECORD_SIZE;
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

  /**
   * Appends bytes handed over by an executor. When the disk refuses them (full, I/O error) they
   * cannot be kept anywhere: the loss is logged and the executor goes on (never a crash).
   */
  append(stream: StreamName, data: Buffer): void {
    if (this.closed || data.length === 0) {
      return;
    }
    let written = 0;
    try {
      let fd = this.appendFds[stream];
      if (fd === undefined) {
        fd = fs.openSync(this.paths[stream], 'a', 0o600);
        this.appendFds[stream] = fd;
        this.fileSizes[stream] = fs.fstatSync(fd).size;
      }
      written = fs.writeSync(fd, data);
    } catch (error: unknown) {
      this.writeProblem(`cannot write ${stream}; ${data.length} bytes of output lost`, error);
    }
    this.fileSizes[stream] = (this.fileSizes[stream] ?? this.sizes[stream]) + written;
    // Everything in the file is indexed, including what an earlier refused index write left out.
    const before = this.sizes.all;
    this.index(stream, this.fileSizes[stream]);
    if (this.sizes.all > before) {
      this.onGrowth();
    }
  }

  private writeProblem(what: string, error: unknown): void {
    const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    if (message !== this.lastWriteProblem) {
      this.lastWriteProblem = message;
      this.onWarning(message);
    }
  }

  /** Marks the output as gone and wakes its followers, which then get the error. */
  private markGone(what: string): void {
    if (this.gone !== null) {
      return;
    }
    this.gone = what;
    this.onWarning(`the job's ${what} was removed from the data directory; its output can no longer be read`);
    this.onGrowth();
  }

  /** Notices files removed from under a followed job that is not being tracked (the poll calls it). */
  checkFiles(): void {
    if (this.closed || this.gone !== null) {
      return;
    }
    for (const [what, file] of [['stdout', this.paths.stdout], ['stderr', this.paths.stderr], ['output index', this.paths.index]] as const) {
      if (!fs.existsSync(file)) {
        this.markGone(what);
        return;
      }
    }
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
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          this.markGone(stream);
        } else {
          this.writeProblem(`cannot stat ${stream}`, error);
        }
        continue;
      }
      if (size > this.sizes[stream] && this.index(stream, size)) {
        grew = true;
      }
    }
    if (grew) {
      this.onGrowth();
    }
    return grew;
  }

  /**
   * Indexes a growth. Only whole records count: when the disk refuses the write (full) the
   * index is cut back to its last whole record and the growth stays unindexed, so the next
   * catch-up (or append) indexes it once there is room again. Returns whether it was indexed.
   */
  private index(stream: StreamName, newSize: number): boolean {
    const records: IndexRecord[] = recordsForGrowth(stream, this.sizes[stream], newSize, this.sizes.all);
    if (records.length === 0) {
      return true;
    }
    const bytes = Buffer.concat(records.map(encodeRecord));
    try {
      if (this.indexFd === null) {
        this.indexFd = fs.openSync(this.paths.index, 'a', 0o600);
        this.indexBytes = fs.fstatSync(this.indexFd).size;
      }
      const written = fs.writeSync(this.indexFd, bytes);
      if (written !== bytes.length) {
        throw new Error(`short write (${written} of ${bytes.length} bytes)`);
      }
    } catch (error: unknown) {
      this.writeProblem('cannot index output (it is kept and indexed once the disk takes it)', error);
      if (this.indexFd !== null) {
        try {
          fs.ftruncateSync(this.indexFd, this.indexBytes);
        } catch {
          // The next successful write starts after the last whole record anyway (reopen cuts partial records).
        }
      }
      return false;
    }
    this.indexBytes += bytes.length;
    this.lastWriteProblem = null;
    const grown = newSize - this.sizes[stream];
    this.sizes[stream] = newSize;
    this.sizes.all += grown;
    return true;
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
