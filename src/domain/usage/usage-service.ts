/**
 * Samples what running jobs use, every `intervalSeconds` (0: never), through the executor's
 * `sampleUsage`; stores each pass (samples and summaries, one transaction), thins older rows
 * out as jobs age, and answers the series of a job its caller may see.
 */
import { EventEmitter } from 'node:events';
import type { JobId } from '../../model/job-id.js';
import type { Actor } from '../../model/job.js';
import { EMPTY_USAGE, type UsageSample, type UsageSummary } from '../../model/usage.js';
import type { Executor } from '../../executors/types.js';
import type { SampleRow, UsageRepository } from '../../db/usage-repository.js';
import type { JobChange, JobService, Logger } from '../jobs-service.js';
import { DOWNSAMPLING, UsageAccumulator } from './usage-accumulator.js';

export interface UsageServiceDeps {
  repo: UsageRepository;
  jobs: JobService;
  executor: Executor;
  intervalSeconds: number;
  logger: Logger;
  /** Epoch seconds. */
  now: () => number;
}

/** One job's new sample and its summary so far, as a pass stores them. */
export interface UsageUpdate {
  id: JobId;
  owner: string;
  sample: UsageSample;
  summary: UsageSummary;
}

export interface UsageSeries {
  samples: UsageSample[];
  summary: UsageSummary;
}

type Events = { sampled: [UsageUpdate[]] };

const SUPERUSER: Actor = { name: '', superuser: true };
const DOWNSAMPLE_EVERY_SECONDS = 60;

export class UsageService extends EventEmitter<Events> {
  private readonly tracked = new Map<JobId, { accumulator: UsageAccumulator; owner: string }>();
  private timer: NodeJS.Timeout | null = null;
  private passing = false;
  private lastDownsample = 0;
  private readonly onChange = (change: JobChange): void => this.follow(change);

  constructor(private readonly deps: UsageServiceDeps) {
    super();
    this.setMaxListeners(0);
  }

  /** Whether jobs are sampled at all (an interval is set and the executor can measure). */
  get enabled(): boolean {
    return this.deps.intervalSeconds > 0 && this.deps.executor.sampleUsage !== undefined;
  }

  get intervalSeconds(): number {
    return this.enabled ? this.deps.intervalSeconds : 0;
  }

  start(): void {
    if (!this.enabled || this.timer !== null) {
      return;
    }
    for (const job of this.deps.jobs.query({ states: ['RUN'], sort: [], offset: 0, limit: 1_000_000 }, SUPERUSER)) {
      // Running across a restart: what ran while jobgate was down is not known, so the first
      // reading is a baseline and the stored summary goes on from there.
      const accumulator = new UsageAccumulator(job.id, job.ncores, job.t_run ?? this.deps.now(), job.usage ?? EMPTY_USAGE);
      this.tracked.set(job.id, { accumulator, owner: job.owner });
    }
    this.deps.jobs.on('change', this.onChange);
    this.timer = setInterval(() => void this.pass(), this.deps.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.deps.jobs.off('change', this.onChange);
    this.tracked.clear();
  }

  private follow(change: JobChange): void {
    const { job } = change;
    if (job.state === 'RUN' && !this.tracked.has(job.id)) {
      this.tracked.set(job.id, { accumulator: new UsageAccumulator(job.id, job.ncores, job.t_run ?? change.event.t), owner: job.owner });
    } else if (job.state !== 'RUN') {
      // The summary is stored with every pass: the last one is the job's.
      this.tracked.delete(job.id);
    }
  }

  /** One sampling pass over every running job (passes never overlap). */
  async pass(): Promise<UsageUpdate[]> {
    const sample = this.deps.executor.sampleUsage?.bind(this.deps.executor);
    if (this.passing || sample === undefined || this.tracked.size === 0) {
      return [];
    }
    this.passing = true;
    try {
      const readings = await sample([...this.tracked.keys()]);
      const updates: UsageUpdate[] = [];
      for (const reading of readings) {
        const tracked = this.tracked.get(reading.id);
        const added = tracked?.accumulator.add(reading);
        if (tracked !== undefined && added !== undefined && added !== null) {
          updates.push({ id: reading.id, owner: tracked.owner, sample: added, summary: tracked.accumulator.summary });
        }
      }
      if (updates.length > 0 && !this.deps.jobs.isStopping) {
        const rows: SampleRow[] = updates.map(({ id, sample: row }) => ({ id, sample: row }));
        this.deps.repo.record(rows, new Map(updates.map((update) => [update.id, update.summary])));
        this.emit('sampled', updates);
      }
      this.thinOut();
      return updates;
    } catch (error: unknown) {
      this.deps.logger.warn({ err: error }, 'a usage sampling pass failed');
      return [];
    } finally {
      this.passing = false;
    }
  }

  private thinOut(): void {
    const now = this.deps.now();
    if (now - this.lastDownsample < DOWNSAMPLE_EVERY_SECONDS) {
      return;
    }
    this.lastDownsample = now;
    for (const tier of DOWNSAMPLING) {
      this.deps.repo.downsample(now - tier.age, tier.resolution);
    }
  }

  /** A job's series since `since` (epoch seconds) and its summary; 404 for a job the actor may not see. */
  series(id: JobId, actor: Actor, since: number): UsageSeries {
    const job = this.deps.jobs.get(id, actor);
    return { samples: this.deps.repo.series(job.id, since), summary: this.deps.repo.summary(job.id) ?? EMPTY_USAGE };
  }

  /** Cores (and GPUs) used on average per bucket, measured, all jobs. */
  used(from: number, to: number, step: number): ReturnType<UsageRepository['coresUsed']> {
    return this.deps.repo.coresUsed(from, to, step);
  }
}
