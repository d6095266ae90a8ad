/**
 * A resumable feed of job events for everything a caller may see. The feed keeps no events in
 * memory: a follower holds only its position in the global event log and reads the store from
 * there whenever jobs change (events are committed before anyone hears of them, and positions
 * only grow), so a slow follower costs nothing and a reconnecting one resumes exactly.
 */
import type { FeedEvent } from '../model/job-event.js';
import type { FeedFilter } from '../model/job-query.js';
import type { TagRef } from '../model/job-labels.js';
import type { JobEventFeedRepository } from '../db/job-event-feed-repository.js';
import type { JobService } from './jobs-service.js';
import type { Actor, JobState } from '../model/job.js';
import type { JobId } from '../model/job-id.js';

/** Positions read per query: a filter that matches little still advances in bounded steps. */
const WINDOW = 5000;
/** Events handed out per query. */
const BATCH = 500;

export type FeedItem =
  | { kind: 'event'; event: FeedEvent }
  /** Nothing matched up to here: a reconnecting client may resume from this position. */
  | { kind: 'checkpoint'; seq: number }
  /** The backlog is done; live events follow. */
  | { kind: 'ready'; seq: number }
  /** jobgate is stopping; the feed ends. */
  | { kind: 'stopping' };

export interface FeedOptions {
  /** Position to start after (0: from the beginning). */
  after: number;
  owners?: string[];
  states?: JobState[];
  tags?: TagRef[];
  jobIds?: JobId[];
  signal: AbortSignal;
}

export class JobEventFeed {
  constructor(
    private readonly repo: JobEventFeedRepository,
    private readonly jobs: JobService,
  ) {}

  lastSeq(): number {
    return this.repo.lastSeq();
  }

  async *follow(actor: Actor, options: FeedOptions): AsyncGenerator<FeedItem> {
    const filter: FeedFilter = {
      ...(actor.superuser ? {} : { visibleTo: actor.name }),
      owners: options.owners,
      states: options.states,
      jobIds: options.jobIds,
      tags: options.tags,
    };
    let position = Math.max(0, options.after);
    let dirty = true;
    let stopping = this.jobs.isStopping;
    let wake: (() => void) | null = null;
    const poke = (): void => {
      const resolve = wake;
      wake = null;
      resolve?.();
    };
    const onChange = (): void => {
      dirty = true;
      poke();
    };
    const onStopping = (): void => {
      stopping = true;
      poke();
    };
    this.jobs.on('change', onChange);
    this.jobs.on('stopping', onStopping);
    options.signal.addEventListener('abort', poke);
    try {
      let announced = false;
      let lastTold = position;
      while (!options.signal.aborted) {
        if (dirty) {
          dirty = false;
          const head = this.repo.lastSeq();
          while (position < head && !options.signal.aborted) {
            const upTo = Math.min(head, position + WINDOW);
            const events = this.repo.window(position, upTo, filter, BATCH);
            for (const event of events) {
              yield { kind: 'event', event };
            }
            const full = events.length === BATCH;
            position = full ? (events[events.length - 1]?.seq ?? upTo) : upTo;
            if (events.length > 0) {
              lastTold = events[events.length - 1]?.seq ?? lastTold;
            } else if (position - lastTold >= WINDOW) {
              yield { kind: 'checkpoint', seq: position };
              lastTold = position;
            }
          }
          if (!announced) {
            announced = true;
            lastTold = position;
            yield { kind: 'ready', seq: position };
          }
        }
        if (stopping) {
          yield { kind: 'stopping' };
          return;
        }
        if (!dirty) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      }
    } finally {
      this.jobs.off('change', onChange);
      this.jobs.off('stopping', onStopping);
      options.signal.removeEventListener('abort', poke);
    }
  }
}
