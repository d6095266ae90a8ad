/**
 * Readings of jobs whose processes run on this machine, each job known by the sessions its
 * tasks lead: one /proc pass for all of them, and one nvidia-smi pair where GPUs exist.
 */
import type { JobId } from '../../model/job-id.js';
import type { UsageReading } from '../../model/usage.js';
import { pageSize, readProcesses, readTrees, sumBySession } from './proc-reader.js';
import { gpuUseOf, type NvidiaSmi } from './nvidia-smi.js';

/** Up to this many sessions a pass walks process trees instead of reading all of /proc. */
const WALK_LIMIT = 16;

export interface SessionJob {
  id: JobId;
  /** Session ids of the job's live tasks (each task's wrapper leads its own). */
  sessions: readonly number[];
}

export class SessionSampler {
  constructor(
    private readonly gpus: NvidiaSmi | null,
    private readonly procRoot = '/proc',
  ) {}

  async sample(jobs: readonly SessionJob[], t: number): Promise<UsageReading[]> {
    if (jobs.length === 0) {
      return [];
    }
    const gpuSnapshot = this.gpus?.present === true ? this.gpus.read() : Promise.resolve(null);
    const sessions = new Set(jobs.flatMap((job) => job.sessions));
    // Few jobs: walk their trees (cheap); many: one read per process of the machine beats
    // several per process of each job, and catches processes reparented away.
    const processes = sessions.size <= WALK_LIMIT ? readTrees(sessions, this.procRoot) : readProcesses(this.procRoot);
    const sums = sumBySession(processes, sessions, pageSize(this.procRoot));
    const snapshot = await gpuSnapshot;
    const readings: UsageReading[] = [];
    for (const job of jobs) {
      let cpuSeconds = 0;
      let rssBytes = 0;
      const pids = new Set<number>();
      for (const session of job.sessions) {
        const sum = sums.get(session);
        if (sum !== undefined) {
          cpuSeconds += sum.cpuSeconds;
          rssBytes += sum.rssBytes;
          sum.pids.forEach((pid) => pids.add(pid));
        }
      }
      if (pids.size === 0) {
        // Its processes are gone (the job is ending): no reading rather than a zero.
        continue;
      }
      readings.push({
        id: job.id,
        t,
        cpuSeconds,
        rssBytes,
        peakRssBytes: null,
        gpu: snapshot === null ? null : (gpuUseOf(snapshot, pids) ?? { busy: 0, memoryBytes: 0 }),
        processes: pids.size,
        source: 'proc',
      });
    }
    return readings;
  }
}
