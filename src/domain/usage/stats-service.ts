/**
 * `GET /v1/stats`: the allocation over the last hour or day, from the jobs table (allocated
 * cores and GPUs, pending and running, throughput, queue wait) and the usage samples (cores and
 * GPUs measured busy), with the capacity the executor reports. Every user's jobs count: it is
 * the machine's utilization, and names no job.
 */
import type { StatsRepository } from '../../db/stats-repository.js';
import type { JobService } from '../jobs-service.js';
import type { UsageService } from './usage-service.js';
import { allocationBuckets, STATS_WINDOWS, waitPercentiles, type AllocationBuckets, type StatsWindow, type WaitPercentiles } from './allocation-stats.js';

export interface AllocationStats {
  window: StatsWindow;
  from: number;
  to: number;
  step: number;
  capacity: { cores: number; gpus: number };
  buckets: AllocationBuckets & { cores_used: (number | null)[]; gpus_used: (number | null)[] };
  wait_seconds: WaitPercentiles;
}

export class StatsService {
  constructor(private readonly deps: { repo: StatsRepository; jobs: JobService; usage: UsageService; now: () => number }) {}

  async stats(window: StatsWindow): Promise<AllocationStats> {
    const { seconds, step } = STATS_WINDOWS[window];
    // Buckets on whole steps, so the same window asked twice lines up.
    const to = Math.ceil(this.deps.now() / step) * step;
    const from = to - seconds;
    const spans = this.deps.repo.spans(from, to);
    const allocation = allocationBuckets(spans, from, to, step);
    const coresUsed: (number | null)[] = allocation.t.map(() => (this.deps.usage.enabled ? 0 : null));
    const gpusUsed: (number | null)[] = allocation.t.map(() => null);
    for (const row of this.deps.usage.used(from, to, step)) {
      coresUsed[row.bucket] = row.cores;
      gpusUsed[row.bucket] = row.gpus;
    }
    const nodes = await this.deps.jobs.nodes().catch(() => []);
    const capacity = nodes.reduce((sum, node) => ({ cores: sum.cores + node.cores, gpus: sum.gpus + node.gpus }), { cores: 0, gpus: 0 });
    return { window, from, to, step, capacity, buckets: { ...allocation, cores_used: coresUsed, gpus_used: gpusUsed }, wait_seconds: waitPercentiles(spans, from, to) };
  }

  /** Cores and GPUs running jobs hold now (for /metrics). */
  allocatedNow(): ReturnType<StatsRepository['allocatedNow']> {
    return this.deps.repo.allocatedNow();
  }
}
