/**
 * Which job a journal entry speaks of: one jobgate follows, one the store had active at start
 * (restored), one a submit in flight will return, or one submitted by someone else (adopted).
 * The journal may carry a job's first events before the submit that created it has returned
 * its id: those events are held until it has. A held job that none of the submits in flight
 * (when its events arrived) turns out to own was submitted by other means and is adopted.
 */
import type { JobId } from '../../model/job-id.js';
import type { ExecutorEvent } from '../../model/executor-events.js';
import type { ActiveJob } from '../types.js';
import type { SinkSlot } from '../sink-slot.js';
import { externalJob, type JournalEntry } from './flux-events.js';
import { STATE_RANK, TrackedJob, type Origin } from './tracked-job.js';

/** What correlating needs of the executor it works for. */
export interface CorrelationHost {
  reporter: SinkSlot;
  jobs: Map<JobId, TrackedJob>;
  restoring: Map<JobId, ActiveJob>;
  ownerOf: (userid: number) => string;
  /** Whether a stored job ran in the instance jobgate is connected to. */
  sameInstance(restored: ActiveJob): boolean;
  /** Follows a job's events (the commands fallback needs one follower per job). */
  follow(id: JobId): void;
  deliver(job: TrackedJob, entry: JournalEntry): void;
  emit(event: ExecutorEvent): void;
}

interface HeldEntries {
  entries: JournalEntry[];
  /** Submits in flight when these arrived: if none of them returns this id, the job is someone else's. */
  waiting: Set<number>;
}

export class JobCorrelation {
  private readonly inflight = new Set<number>();
  private readonly held = new Map<JobId, HeldEntries>();
  private nextToken = 1;

  constructor(private readonly host: CorrelationHost) {}

  /** Hands a job's entry to the job it belongs to; `backlogDone`: the journal's backlog has been replayed. */
  route(id: JobId, entry: JournalEntry, backlogDone: boolean): void {
    const host = this.host;
    let job = host.jobs.get(id);
    if (job === undefined) {
      const restored = host.restoring.get(id);
      if (restored !== undefined && !host.sameInstance(restored)) {
        // A new instance reuses ids: this is not the job the store knows (that one is lost).
        host.reporter.sink.log('warn', 'a job of the current Flux instance has the id of a job from an earlier instance; not followed', { job: id.toString() });
        return;
      }
      if (restored !== undefined) {
        job = this.restore(restored);
      } else if (backlogDone && this.hold(id, entry)) {
        // Perhaps one of the submits in flight: wait until they have all returned.
        return;
      } else {
        this.adopt(id, [entry]);
        return;
      }
    }
    host.deliver(job, entry);
  }

  track(id: JobId, origin: Origin): TrackedJob {
    const job = new TrackedJob(id, origin);
    this.host.jobs.set(id, job);
    return job;
  }

  /** A job the store had active at start: its stored state says which events it holds already. */
  restore(active: ActiveJob): TrackedJob {
    this.host.restoring.delete(active.id);
    const job = this.track(active.id, 'restored');
    job.minState = STATE_RANK[active.state];
    job.output = active.output;
    this.host.follow(active.id);
    return job;
  }

  /** A job jobgate did not submit (a user's `flux submit`, or one whose submit jobgate lost). */
  private adopt(id: JobId, entries: JournalEntry[]): void {
    const submitted = entries[0]?.events.find((event) => event.name === 'submit');
    if (submitted === undefined) {
      this.host.reporter.sink.log('debug', 'journal events for a job whose submit was not seen; ignored', { job: id.toString() });
      return;
    }
    const jobspec = entries.find((entry) => entry.jobspec !== undefined)?.jobspec;
    this.host.emit({ id, t: submitted.timestamp, name: 'submit', external: externalJob(submitted, jobspec, this.host.ownerOf) });
    const job = this.track(id, 'external');
    this.host.follow(id);
    for (const entry of entries) {
      this.host.deliver(job, entry);
    }
  }

  /** A submit goes out: the token it settles with. */
  begin(): number {
    const token = this.nextToken++;
    this.inflight.add(token);
    return token;
  }

  /** Holds an entry for a job nobody tracks while submits are in flight; false when none is. */
  private hold(id: JobId, entry: JournalEntry): boolean {
    if (this.inflight.size === 0) {
      return false;
    }
    const held = this.held.get(id) ?? { entries: [], waiting: new Set(this.inflight) };
    held.entries.push(entry);
    this.held.set(id, held);
    return true;
  }

  /** A submit returned (`job`: the job it created, null when it failed): it claims its held events, and held jobs no submit in flight can own are adopted. */
  settle(token: number, job: TrackedJob | null): void {
    this.inflight.delete(token);
    if (job !== null) {
      const mine = this.held.get(job.id);
      if (mine !== undefined) {
        this.held.delete(job.id);
        for (const entry of mine.entries) {
          job.waiting.push({ events: entry.events, R: entry.R });
        }
      }
    }
    for (const [heldId, held] of [...this.held.entries()]) {
      held.waiting.delete(token);
      if (held.waiting.size === 0) {
        this.held.delete(heldId);
        this.adopt(heldId, held.entries);
      }
    }
  }
}
