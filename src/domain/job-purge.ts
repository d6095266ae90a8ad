/**
 * Purging ended jobs (`POST /v1/jobs/purge`) and record retention (JOBGATE_RETENTION): a job
 * that ended goes with its events, labels and output folder, and the disk space comes back.
 *
 * Work goes in batches of PURGE_BATCH jobs: each batch is one commit through the group commit
 * queue (a few milliseconds), its output folders are removed asynchronously, and the loop
 * yields to the event loop before the next, so requests are served between batches however
 * many jobs go. Only INACTIVE jobs are ever removed (checked again inside each commit). The
 * rows go first: a stop between the commit and the folder removal leaves an orphan folder,
 * never a job whose output is missing.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { JobPurgeRepository } from '../db/job-purge-repository.js';
import type { OutputStore } from '../output/output-store.js';
import type { JobId } from '../model/job-id.js';
import type { Actor, JobState } from '../model/job.js';
import type { JobFilter, JobQuery } from '../model/job-query.js';
import type { JobService } from './jobs-service.js';

export const PURGE_BATCH = 500;
/** Ids named in a report (the count is always whole). */
export const REPORTED_IDS = 1000;

export interface PurgeReport {
  dryRun: boolean;
  /** Jobs removed (in a dry run: that would be). */
  jobs: number;
  /** Disk space of their output folders, freed (in a dry run: that would be). */
  outputBytes: number;
  /** The first REPORTED_IDS of them, oldest end first. */
  ids: JobId[];
}

export interface JobPurgeDeps {
  repo: JobPurgeRepository;
  jobs: JobService;
  output: OutputStore;
  /** Moves the change clock (listings' Last-Modified). */
  changed: () => void;
  /** Epoch seconds. */
  now: () => number;
}

const RETENTION_ACTOR: Actor = { name: 'retention', superuser: true };

export class JobPurge {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly inFlight = new Set<Promise<PurgeReport>>();
  private stopped = false;

  constructor(private readonly deps: JobPurgeDeps) {}

  /** Removes the ended jobs the filter selects that the actor may see (or only counts them with dryRun). */
  purge(filter: JobFilter, actor: Actor, options: { dryRun: boolean }): Promise<PurgeReport> {
    const work = this.run(filter, actor, options);
    this.inFlight.add(work);
    const forget = (): void => {
      this.inFlight.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  private async run(filter: JobFilter, actor: Actor, options: { dryRun: boolean }): Promise<PurgeReport> {
    const report: PurgeReport = { dryRun: options.dryRun, jobs: 0, outputBytes: 0, ids: [] };
    const states: JobState[] = (filter.states ?? ['INACTIVE']).filter((state) => state === 'INACTIVE');
    if (states.length === 0) {
      return report;
    }
    const page = (offset: number): JobQuery => ({ ...filter, states, sort: [{ column: 't_inactive', direction: 'asc' }, { column: 'id', direction: 'asc' }], offset, limit: PURGE_BATCH });
    for (let offset = 0; !this.stopped; ) {
      const ids = this.deps.jobs.query(page(offset), actor).map((job) => job.id);
      const gone = options.dryRun ? ids : await this.deps.jobs.commit(() => this.deps.repo.purge(ids));
      for (const id of gone) {
        report.outputBytes += options.dryRun ? await this.deps.output.diskUsage(id) : await this.deps.output.remove(id);
      }
      report.jobs += gone.length;
      report.ids.push(...gone.slice(0, Math.max(0, REPORTED_IDS - report.ids.length)));
      if (gone.length > 0 && !options.dryRun) {
        this.deps.changed();
      }
      // A dry run pages on; a real one starts over, the batch before being gone.
      if (ids.length < PURGE_BATCH || gone.length === 0) {
        break;
      }
      offset += options.dryRun ? PURGE_BATCH : 0;
      await nextTurn();
    }
    return report;
  }

  /**
   * Retention: every so often, removes the jobs that ended more than `seconds` ago. Checked at a
   * quarter of the retention (between 1 s and a minute), so a job outlives it by at most that.
   */
  startRetention(seconds: number, onError: (error: unknown) => void, onPurged: (report: PurgeReport) => void): void {
    const every = Math.min(60, Math.max(1, seconds / 4)) * 1000;
    this.timer = setInterval(() => {
      if (this.running !== null || this.deps.jobs.isStopping) {
        return;
      }
      this.running = this.purge({ endedTo: this.deps.now() - seconds }, RETENTION_ACTOR, { dryRun: false })
        .then((report) => (report.jobs > 0 ? onPurged(report) : undefined), onError)
        .finally(() => {
          this.running = null;
        });
    }, every);
    this.timer.unref();
  }

  /** Stops retention and waits for the purges in progress to finish their batch (before the store closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await Promise.allSettled([...this.inFlight]);
  }
}
