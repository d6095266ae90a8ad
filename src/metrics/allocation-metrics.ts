/**
 * The allocation's utilization for Prometheus: cores and GPUs running jobs hold (read at scrape
 * time, one indexed query), cores measured busy in the last sampling pass, and the queue wait
 * of every job as it starts (a histogram, so percentiles aggregate across scrapes).
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { JobChange, JobService } from '../domain/jobs-service.js';
import type { StatsService } from '../domain/usage/stats-service.js';
import type { UsageService, UsageUpdate } from '../domain/usage/usage-service.js';

export function watchAllocation(registry: Registry, jobs: JobService, stats: StatsService, usage: UsageService): void {
  const registers = [registry];
  new Gauge({ name: 'jobgate_cores_allocated', help: 'Cores held by running jobs.', registers, collect() { this.set(stats.allocatedNow().cores); } });
  new Gauge({ name: 'jobgate_gpus_allocated', help: 'GPUs held by running jobs.', registers, collect() { this.set(stats.allocatedNow().gpus); } });
  const coresUsed = new Gauge({ name: 'jobgate_cores_used', help: 'Cores measured busy across running jobs in the last usage sampling pass (absent with sampling off).', registers });
  const gpusUsed = new Gauge({ name: 'jobgate_gpus_used', help: 'GPUs measured busy in the last sampling pass (absent where there is no GPU reading).', registers });
  usage.on('sampled', (updates: UsageUpdate[]) => {
    coresUsed.set(updates.reduce((sum, update) => sum + update.sample.cpu, 0));
    const gpu = updates.filter((update) => update.sample.gpu !== null);
    if (gpu.length > 0) {
      gpusUsed.set(gpu.reduce((sum, update) => sum + (update.sample.gpu ?? 0), 0));
    }
  });
  const wait = new Histogram({
    name: 'jobgate_job_wait_seconds',
    help: 'Queue wait of jobs as they start: submit to run.',
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
    registers,
  });
  jobs.on('change', (change: JobChange) => {
    // The alloc event moves a job to RUN (Flux's rule); later events of the same moment do not.
    if (change.event.name === 'alloc' && change.job.state === 'RUN' && change.job.t_run !== null && change.job.t_run === change.event.t) {
      wait.observe(Math.max(0, change.job.t_run - change.job.t_submit));
    }
  });
}
