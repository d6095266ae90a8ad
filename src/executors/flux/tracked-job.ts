/**
 * What the flux executor keeps about one active job: where its events stand (to drop the ones
 * a replayed eventlog repeats), its allocation, and its output watch.
 *
 * Replays happen on every (re)connection: the journal's backlog repeats each active job's
 * events from `submit`, a lookup repeats a finished job's whole eventlog. A job's eventlog
 * timestamps only grow, so an event at or before the last one applied was seen already.
 * A job restored from the store at start has no such mark; the state it had reached says
 * which events the store already holds.
 */
import type { JobId } from '../../model/job-id.js';
import type { LiveOutput } from '../../output/live-output.js';
import type { EventlogEntry } from './flux-events.js';
import type { OutputDecoder } from './output-decoder.js';

/** Flux's states in order (as the domain ranks them). */
export const STATE_RANK = { NEW: 0, DEPEND: 1, PRIORITY: 2, SCHED: 3, RUN: 4, CLEANUP: 5, INACTIVE: 6 } as const;

export type Origin = 'ours' | 'external' | 'restored';

export class TrackedJob {
  /** Events may go to the domain (for our submits: once the domain has stored the job). */
  ready: boolean;
  readonly waiting: { events: EventlogEntry[]; R: unknown }[] = [];
  /** Rank of the state the events applied so far lead to. */
  state: number = STATE_RANK.NEW;
  /** Restored jobs: the state the store already records; events that lead below it are not repeated. */
  minState: number | null = null;
  private lastT = Number.NEGATIVE_INFINITY;
  private namesAtLastT = new Set<string>();
  rankList: number[] = [];
  started = false;
  output: LiveOutput | null = null;
  decoder: OutputDecoder | null = null;
  watching = false;
  outputDone = false;
  watchRetries = 0;
  pendingClean: number | null = null;
  cleanTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: JobId,
    readonly origin: Origin,
  ) {
    this.ready = origin !== 'ours';
  }

  /** True the first time an eventlog event is seen; false for a repeat. */
  fresh(entry: EventlogEntry): boolean {
    if (entry.timestamp < this.lastT || (entry.timestamp === this.lastT && this.namesAtLastT.has(entry.name))) {
      return false;
    }
    if (entry.timestamp > this.lastT) {
      this.lastT = entry.timestamp;
      this.namesAtLastT = new Set();
    }
    this.namesAtLastT.add(entry.name);
    return true;
  }

  /** The state an event leads to (Flux's job state machine). */
  stateAfter(entry: EventlogEntry): number {
    const severity = typeof entry.context?.severity === 'number' ? entry.context.severity : 1;
    switch (entry.name) {
      case 'submit':
      case 'validate':
        return Math.max(this.state, STATE_RANK.DEPEND);
      case 'depend':
        return Math.max(this.state, STATE_RANK.PRIORITY);
      case 'priority':
        return Math.max(this.state, STATE_RANK.SCHED);
      case 'alloc':
      case 'start':
        return Math.max(this.state, STATE_RANK.RUN);
      case 'exception':
        return severity === 0 && this.state < STATE_RANK.RUN ? STATE_RANK.CLEANUP : this.state;
      case 'finish':
      case 'release':
      case 'free':
        return Math.max(this.state, STATE_RANK.CLEANUP);
      case 'clean':
        return STATE_RANK.INACTIVE;
      default:
        return this.state;
    }
  }
}
