/**
 * Readings of Flux jobs from the processes on this node: Flux gives every task
 * `FLUX_JOB_ID=<F58 id>` in its environment, so a job's local processes are those of this user
 * whose /proc/<pid>/environ names it (read once per process: a pid with its start time names
 * one process for good). Tasks on other nodes of a multi-node job are not seen.
 */
import fs from 'node:fs';
import { toF58, type JobId } from '../../model/job-id.js';
import type { UsageReading } from '../../model/usage.js';
import { pageSize, readProcesses } from './proc-reader.js';

const MARK = 'FLUX_JOB_ID=';

/** The value of FLUX_JOB_ID in a NUL-separated environment block, or null. */
export function fluxJobIdOf(environ: string): string | null {
  for (const entry of environ.split('\0')) {
    if (entry.startsWith(MARK)) {
      return entry.slice(MARK.length);
    }
  }
  return null;
}

export class EnvironSampler {
  /** `pid:startTicks` → the FLUX_JOB_ID it was started with (null: none, or unreadable). */
  private readonly known = new Map<string, string | null>();
  private readonly uid = process.getuid?.() ?? -1;

  constructor(private readonly procRoot = '/proc') {}

  private jobOf(pid: number, startTicks: number): string | null {
    const key = `${pid}:${startTicks}`;
    const cached = this.known.get(key);
    if (cached !== undefined) {
      return cached;
    }
    let value: string | null = null;
    try {
      // Only this user's processes: others' environments are not ours to read.
      if (fs.statSync(`${this.procRoot}/${pid}`).uid === this.uid) {
        // UTF-8: the F58 id starts with ƒ.
        value = fluxJobIdOf(fs.readFileSync(`${this.procRoot}/${pid}/environ`, 'utf8'));
      }
    } catch {
      value = null;
    }
    this.known.set(key, value);
    return value;
  }

  sample(ids: readonly JobId[], t: number): UsageReading[] {
    if (ids.length === 0) {
      return [];
    }
    const byName = new Map<string, JobId>();
    for (const id of ids) {
      byName.set(toF58(id), id);
      byName.set(toF58(id, true), id);
      byName.set(id.toString(), id);
    }
    const bytesPerPage = pageSize(this.procRoot);
    const sums = new Map<JobId, { cpuSeconds: number; rssBytes: number; processes: number }>();
    const alive = new Set<string>();
    for (const process of readProcesses(this.procRoot)) {
      alive.add(`${process.pid}:${process.startTicks}`);
      const name = this.jobOf(process.pid, process.startTicks);
      const id = name === null ? undefined : byName.get(name);
      if (id === undefined) {
        continue;
      }
      const sum = sums.get(id) ?? { cpuSeconds: 0, rssBytes: 0, processes: 0 };
      sum.cpuSeconds += process.cpuSeconds;
      sum.rssBytes += process.rssPages * bytesPerPage;
      sum.processes += 1;
      sums.set(id, sum);
    }
    // Forget processes that are gone, so the cache stays the size of the process table.
    for (const key of this.known.keys()) {
      if (!alive.has(key)) {
        this.known.delete(key);
      }
    }
    return [...sums].map(([id, sum]) => ({ id, t, cpuSeconds: sum.cpuSeconds, rssBytes: sum.rssBytes, peakRssBytes: null, gpu: null, processes: sum.processes, source: 'flux-local' as const }));
  }
}
