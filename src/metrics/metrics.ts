/**
 * Prometheus metrics (prom-client), one registry per running jobgate. Labels are closed sets
 * (states, results, outcomes, route patterns, status codes): never job names, commands, user
 * names or raw paths, so /metrics leaks nothing about whose jobs run and its size stays bounded.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JOB_RESULTS, JOB_STATES } from '../model/job.js';
import type { JobChange, JobService, SubmitTiming } from '../domain/jobs-service.js';
import type { OutputStore } from '../output/output-store.js';
import { STREAMS, type StreamName } from '../output/layout.js';
import { watchAllocation } from './allocation-metrics.js';
import type { StatsService } from '../domain/usage/stats-service.js';
import type { UsageService } from '../domain/usage/usage-service.js';

export interface MetricsInfo {
  version: string;
  executor: string;
}

export class Metrics {
  readonly registry = new Registry();
  private jobs: JobService | null = null;
  private output: OutputStore | null = null;
  private readonly outputBytes: Counter<'stream'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(info: MetricsInfo) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'jobgate_info', help: 'Always 1; the labels say which jobgate this is.', labelNames: ['version', 'executor'], registers }).set(info, 1);

    // Read from the store at scrape time (one GROUP BY over an indexed column), so they are
    // right after a restart and never drift from what the API shows.
    const jobs = (): JobService | null => this.jobs;
    const output = (): OutputStore | null => this.output;
    new Gauge({
      name: 'jobgate_jobs',
      help: 'Jobs in each state (all owners).',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = jobs()?.countByState() ?? {};
        for (const state of JOB_STATES) {
          this.set({ state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'jobgate_output_followers',
      help: 'Live followers of job output (SSE and streams) right now.',
      registers,
      collect() {
        this.set(output()?.followerCount() ?? 0);
      },
    });
    new Gauge({
      name: 'jobgate_backend_up',
      help: '1 when the executor answers (as /ready), else 0.',
      registers,
      async collect() {
        this.set((await jobs()?.ready()) === true ? 1 : 0);
      },
    });

    this.outputBytes = new Counter({ name: 'jobgate_output_bytes_total', help: 'Bytes of output written by jobs, by stream.', labelNames: ['stream'], registers });
    for (const stream of STREAMS) {
      this.outputBytes.inc({ stream }, 0);
    }
    this.httpDuration = new Histogram({
      name: 'jobgate_http_request_duration_seconds',
      help: 'Time to answer HTTP requests (for streams: until the stream starts), by route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
  }

  /** Starts counting what the domain reports. */
  watch(jobs: JobService, output: OutputStore): void {
    const registers = [this.registry];
    this.jobs = jobs;
    this.output = output;
    const submits = new Counter({ name: 'jobgate_job_submits_total', help: 'Submit requests by outcome: accepted, rejected (invalid request) or failed (backend, stopping).', labelNames: ['outcome'], registers });
    const submitDuration = new Histogram({
      name: 'jobgate_job_submit_duration_seconds',
      help: 'Time to accept a job: validation, the stored row and the hand-over to the executor.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    const ended = new Counter({ name: 'jobgate_jobs_ended_total', help: 'Jobs that became inactive, by result.', labelNames: ['result'], registers });
    // Every series exists from the start, so rate() and alerts work before the first event.
    for (const outcome of ['accepted', 'rejected', 'failed'] as const) {
      submits.inc({ outcome }, 0);
    }
    for (const result of JOB_RESULTS) {
      ended.inc({ result }, 0);
    }
    jobs.on('submitted', (timing: SubmitTiming) => {
      submits.inc({ outcome: timing.outcome });
      if (timing.outcome === 'accepted') {
        submitDuration.observe(timing.seconds);
      }
    });
    jobs.on('change', (change: JobChange) => {
      // Only the clean event that made the job inactive (its time is t_inactive), not a replayed one.
      if (change.event.name === 'clean' && change.job.t_inactive === change.event.t && change.job.result !== null) {
        ended.inc({ result: change.job.result });
      }
    });
  }

  /** The allocation's utilization and wait times (allocation-metrics.ts). */
  watchAllocation(jobs: JobService, stats: StatsService, usage: UsageService): void {
    watchAllocation(this.registry, jobs, stats, usage);
  }

  /** For OutputStore's onBytes. */
  countOutput(stream: StreamName, bytes: number): void {
    this.outputBytes.inc({ stream }, bytes);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
