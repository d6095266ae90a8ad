/**
 * All jobs' output: opens a job's LiveOutput while it may still produce any, hands out
 * readers, and fans growth out to any number of followers. One LiveOutput (one watch) per
 * job, whatever the number of followers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobId } from '../model/job-id.js';
import { jobOutputPaths, STREAMS, type JobOutputPaths, type StreamName } from './layout.js';
import { LiveOutput } from './live-output.js';
import { OutputReader } from './reader.js';

type Listener = () => void;

export interface OutputStoreOptions {
  dataDir: string;
  /** Safety-net poll for tracked files, in ms (inotify does the real work). */
  pollMs?: number;
  warn?: (message: string, id: JobId) => void;
  /** Told how many bytes of output jobs wrote (metrics); bytes written before a restart are not told again. */
  onBytes?: (stream: StreamName, bytes: number) => void;
}

export class OutputStore {
  private readonly live = new Map<JobId, LiveOutput>();
  private readonly listeners = new Map<JobId, Set<Listener>>();
  /** Per live job, the sizes already reported to onBytes. */
  private readonly counted = new Map<JobId, Record<StreamName, number>>();
  private readonly poll: NodeJS.Timeout;

  constructor(private readonly options: OutputStoreOptions) {
    this.poll = setInterval(() => {
      for (const output of this.live.values()) {
        if (output.tracking) {
          output.queueCatchUp();
        }
      }
      // Files removed from under a followed job that jobgate writes itself (no catch-up stats them).
      for (const id of this.listeners.keys()) {
        this.live.get(id)?.checkFiles();
      }
    }, options.pollMs ?? 1000);
    this.poll.unref();
  }

  paths(id: JobId): JobOutputPaths {
    return jobOutputPaths(this.options.dataDir, id);
  }

  /** Creates the files of a new job and keeps them open for output. */
  create(id: JobId): LiveOutput {
    const output = LiveOutput.create(this.paths(id), () => this.grew(id), (message) => this.options.warn?.(message, id));
    this.live.set(id, output);
    this.counted.set(id, { stdout: 0, stderr: 0 });
    return output;
  }

  /** Re-opens the output of a job that is still active after a restart. */
  reopen(id: JobId): LiveOutput {
    const existing = this.live.get(id);
    if (existing !== undefined) {
      return existing;
    }
    const output = LiveOutput.reopen(this.paths(id), () => this.grew(id), (message) => this.options.warn?.(message, id));
    this.live.set(id, output);
    this.counted.set(id, { stdout: output.sizes.stdout, stderr: output.sizes.stderr });
    return output;
  }

  get(id: JobId): LiveOutput | undefined {
    return this.live.get(id);
  }

  isLive(id: JobId): boolean {
    return this.live.has(id);
  }

  reader(id: JobId): OutputReader {
    const output = this.live.get(id);
    return new OutputReader(this.paths(id), output === undefined ? null : output.sizes, output?.gone ?? null);
  }

  /** The job can produce no more output: index the rest and let followers finish. */
  close(id: JobId): void {
    const output = this.live.get(id);
    if (output === undefined) {
      return;
    }
    output.close();
    this.live.delete(id);
    this.counted.delete(id);
    this.notify(id);
  }

  /** Forgets the output of a job that was never stored, folder and all. */
  discard(id: JobId): void {
    this.close(id);
    try {
      fs.rmSync(this.paths(id).dir, { recursive: true, force: true });
    } catch {
      // Left behind: an empty folder of an id that is never used again.
    }
  }

  /** The disk space a job's output folder takes, counted as `du` does (allocated blocks); 0 when it is gone. */
  async diskUsage(id: JobId): Promise<number> {
    const dir = this.paths(id).dir;
    try {
      let bytes = (await fs.promises.lstat(dir)).blocks * 512;
      for (const entry of await fs.promises.readdir(dir, { recursive: true })) {
        bytes += (await fs.promises.lstat(path.join(dir, entry))).blocks * 512;
      }
      return bytes;
    } catch {
      return 0;
    }
  }

  /** Removes an ended job's output folder for good (purge, retention); returns the disk space freed. */
  async remove(id: JobId): Promise<number> {
    this.close(id);
    const bytes = await this.diskUsage(id);
    await fs.promises.rm(this.paths(id).dir, { recursive: true, force: true });
    // Followers of the job learn that its files are gone.
    this.notify(id);
    return bytes;
  }

  subscribe(id: JobId, listener: Listener): () => void {
    let set = this.listeners.get(id);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(id);
      current?.delete(listener);
      if (current?.size === 0) {
        this.listeners.delete(id);
      }
    };
  }

  followerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) {
      count += set.size;
    }
    return count;
  }

  private grew(id: JobId): void {
    const output = this.live.get(id);
    const counted = this.counted.get(id);
    if (output !== undefined && counted !== undefined && this.options.onBytes !== undefined) {
      for (const stream of STREAMS) {
        const added = output.sizes[stream] - counted[stream];
        if (added > 0) {
          counted[stream] = output.sizes[stream];
          this.options.onBytes(stream, added);
        }
      }
    }
    this.notify(id);
  }

  private notify(id: JobId): void {
    const set = this.listeners.get(id);
    if (set === undefined) {
      return;
    }
    for (const listener of [...set]) {
      listener();
    }
  }

  /** Stops watching everything (the files stay; a restart picks them up again). */
  shutdown(): void {
    clearInterval(this.poll);
    for (const id of [...this.live.keys()]) {
      this.close(id);
    }
  }
}
