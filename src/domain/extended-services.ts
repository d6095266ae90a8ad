/**
 * The services behind the routes that go beyond flux-restful-api's (labels, hold/release and
 * bulk, templates, the event feed, exports, the change clock, usage metrics), built on the one store and the
 * JobService.
 */
import type { Db } from '../db/database.js';
import { JobLabelsRepository } from '../db/job-labels-repository.js';
import { JobEventFeedRepository } from '../db/job-event-feed-repository.js';
import { TemplatesRepository } from '../db/templates-repository.js';
import { OwnerFiguresRepository } from '../db/owner-figures-repository.js';
import { OwnerFiguresService } from './owner-figures.js';
import { JobPurgeRepository } from '../db/job-purge-repository.js';
import type { OutputStore } from '../output/output-store.js';
import { JobPurge } from './job-purge.js';
import { ChangeClock } from './change-clock.js';
import { JobControl } from './job-control.js';
import { JobEventFeed } from './job-event-feed.js';
import { JobExports } from './job-exports.js';
import { JobLabelsService } from './job-labels.js';
import type { JobService } from './jobs-service.js';
import { TemplatesService } from './templates/templates-service.js';
import type { UsageService } from './usage/usage-service.js';
import { StatsService } from './usage/stats-service.js';
import { StatsRepository } from '../db/stats-repository.js';

export interface ExtendedServices {
  labels: JobLabelsService;
  control: JobControl;
  templates: TemplatesService;
  feed: JobEventFeed;
  exports: JobExports;
  clock: ChangeClock;
  /** What jobs use, sampled while they run. */
  usage: UsageService;
  /** The allocation's utilization over time. */
  stats: StatsService;
  /** Jobs by state and CPU-seconds per owner. */
  figures: OwnerFiguresService;
  /** Removing ended jobs: `POST /v1/jobs/purge` and retention. */
  purge: JobPurge;
}

/** `now` in epoch seconds. */
export function createExtendedServices(db: Db, jobs: JobService, now: () => number, output: OutputStore, usage: UsageService): ExtendedServices {
  const clock = new ChangeClock(now);
  jobs.on('change', () => clock.touch());
  const changed = (): void => clock.touch();
  const labelsRepo = new JobLabelsRepository(db);
  return {
    labels: new JobLabelsService({ repo: labelsRepo, jobs, now, changed }),
    control: new JobControl({ jobs, labels: labelsRepo, now, changed }),
    templates: new TemplatesService({ repo: new TemplatesRepository(db), labels: labelsRepo, jobs, now, changed }),
    feed: new JobEventFeed(new JobEventFeedRepository(db), jobs),
    exports: new JobExports(db, jobs, now),
    clock,
    usage,
    stats: new StatsService({ repo: new StatsRepository(db), jobs, usage, now }),
    figures: new OwnerFiguresService(new OwnerFiguresRepository(db), now),
    purge: new JobPurge({ repo: new JobPurgeRepository(db), jobs, output, changed, now }),
  };
}
