/**
 * Hold, release and priority (Flux urgency: 0 holds, 16 is the default, 31 expedites), and the
 * same actions plus cancel over many jobs at once. Every backend gets the request through
 * `Executor.setUrgency` / `cancel`; what a backend refuses (a job that started meanwhile, a
 * backend without holds) comes back as a 409, per job in bulk.
 */
import { AppError, conflict, validationError } from '../errors.js';
import { toF58, type JobId } from '../model/job-id.js';
import type { JobFilter, JobQuery } from '../model/job-query.js';
import type { HoldRecord } from '../model/job-labels.js';
import type { JobLabelsRepository } from '../db/job-labels-repository.js';
import { ACTIVE_STATES, PENDING_STATES, URGENCY, type Actor, type JobRecord, type JobState } from '../model/job.js';
import type { JobService } from './jobs-service.js';

export const BULK_ACTIONS = ['cancel', 'hold', 'release'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
/** Jobs one bulk request acts on at most (a filter matching more acts on the oldest first; repeat for the rest). */
export const BULK_LIMIT = 10_000;
/** Backend calls in flight at once during a bulk action (they pipeline; none waits for another). */
const BULK_CONCURRENCY = 16;

export interface ControlOutcome {
  job: JobRecord;
  /** False when the job was already as asked (holding a held job, releasing one that is not held). */
  changed: boolean;
  /** The urgency the job has now (as requested; the backend's own event follows). */
  urgency: number;
  hold: HoldRecord | null;
}

export interface BulkItem {
  id: JobId;
  ok: boolean;
  changed: boolean;
  error?: { code: string; message: string };
}

export interface BulkReport {
  action: BulkAction;
  dryRun: boolean;
  items: BulkItem[];
  /** A filter matched more jobs than one request acts on. */
  more: boolean;
}

export interface JobControlDeps {
  jobs: JobService;
  labels: JobLabelsRepository;
  now: () => number;
  changed: () => void;
}

function isPending(state: JobState): boolean {
  return PENDING_STATES.includes(state);
}

/** Why a job cannot change urgency any more, in words a person understands. */
function notPending(job: JobRecord, verb: string): AppError {
  if (job.state === 'INACTIVE') {
    return conflict(`job ${toF58(job.id)} is inactive: it cannot be ${verb}`);
  }
  return conflict(`job ${toF58(job.id)} is ${job.state === 'RUN' ? 'running' : 'cleaning up'}: only pending jobs can be ${verb}`);
}

async function mapPool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  }));
  return results;
}

export class JobControl {
  constructor(private readonly deps: JobControlDeps) {}

  async hold(id: JobId, actor: Actor, reason = ''): Promise<ControlOutcome> {
    const job = this.deps.jobs.get(id, actor);
    if (!isPending(job.state)) {
      throw notPending(job, 'held');
    }
    const existing = this.deps.labels.labelsOf(id).hold;
    const changed = job.urgency !== URGENCY.hold;
    if (changed) {
      await this.deps.jobs.setUrgency(id, actor, URGENCY.hold);
    }
    const previousUrgency = changed ? job.urgency : (existing?.previousUrgency ?? URGENCY.default);
    // Holding a held job again without saying why keeps the reason it was held for.
    const kept = !changed && reason === '' && existing !== null && existing !== undefined ? existing : null;
    const hold: HoldRecord = kept ?? { reason, heldBy: actor.name, t: this.deps.now(), previousUrgency };
    this.deps.labels.setHold(id, hold);
    this.deps.changed();
    return { job, changed, urgency: URGENCY.hold, hold };
  }

  /** Releases a held job to the urgency it had before the hold (16 when unknown). */
  async release(id: JobId, actor: Actor): Promise<ControlOutcome> {
    const job = this.deps.jobs.get(id, actor);
    if (!isPending(job.state)) {
      throw notPending(job, 'released');
    }
    if (job.urgency !== URGENCY.hold) {
      return { job, changed: false, urgency: job.urgency, hold: null };
    }
    const restore = this.deps.labels.labelsOf(id).hold?.previousUrgency ?? URGENCY.default;
    const urgency = restore === URGENCY.hold ? URGENCY.default : restore;
    await this.deps.jobs.setUrgency(id, actor, urgency);
    this.deps.labels.clearHold(id);
    this.deps.changed();
    return { job, changed: true, urgency, hold: null };
  }

  /** Sets urgency; 0 is a hold (without a reason), anything else ends a hold. */
  async setPriority(id: JobId, actor: Actor, urgency: number): Promise<ControlOutcome> {
    if (!Number.isInteger(urgency) || urgency < URGENCY.hold || urgency > URGENCY.expedite) {
      throw validationError([{ field: 'urgency', message: `must be a whole number from ${URGENCY.hold} (hold) to ${URGENCY.expedite} (expedite)` }]);
    }
    if (urgency === URGENCY.hold) {
      return this.hold(id, actor);
    }
    const job = this.deps.jobs.get(id, actor);
    if (!isPending(job.state)) {
      throw notPending(job, 'reprioritized');
    }
    const changed = job.urgency !== urgency;
    if (changed) {
      await this.deps.jobs.setUrgency(id, actor, urgency);
    }
    this.deps.labels.clearHold(id);
    this.deps.changed();
    return { job, changed, urgency, hold: null };
  }

  /**
   * The jobs a filter selects for an action: only those the action applies to (cancel: active;
   * hold: pending and not held; release: held), the oldest first, at most BULK_LIMIT (+1 to
   * tell whether there are more).
   */
  select(action: BulkAction, filter: JobFilter, actor: Actor): { ids: JobId[]; more: boolean } {
    const applicable: readonly JobState[] = action === 'cancel' ? ACTIVE_STATES : PENDING_STATES;
    const states = filter.states === undefined ? [...applicable] : filter.states.filter((state) => applicable.includes(state));
    if (states.length === 0) {
      return { ids: [], more: false };
    }
    // hold applies to jobs not held, release to held ones: a filter asking for the other kind selects nothing.
    const held = action === 'cancel' ? filter.held : action === 'release';
    if (filter.held !== undefined && held !== filter.held) {
      return { ids: [], more: false };
    }
    const query: JobQuery = { ...filter, states, ...(held === undefined ? {} : { held }), sort: [{ column: 't_submit', direction: 'asc' }], offset: 0, limit: BULK_LIMIT + 1 };
    const ids = this.deps.jobs.query(query, actor).map((job) => job.id);
    return { ids: ids.slice(0, BULK_LIMIT), more: ids.length > BULK_LIMIT };
  }

  async bulk(action: BulkAction, ids: readonly JobId[], actor: Actor, options: { reason?: string; dryRun?: boolean; more?: boolean } = {}): Promise<BulkReport> {
    const unique = [...new Set(ids)];
    if (unique.length > BULK_LIMIT) {
      throw validationError([{ field: 'job_ids', message: `at most ${BULK_LIMIT} jobs per request` }]);
    }
    const items = await mapPool(unique, options.dryRun ? 1 : BULK_CONCURRENCY, async (id): Promise<BulkItem> => {
      try {
        if (options.dryRun) {
          // What the action would meet, without asking the backend: a dry run shows which
          // jobs would be refused (and why) before anything changes.
          this.preview(action, this.deps.jobs.get(id, actor));
          return { id, ok: true, changed: false };
        }
        return { id, ok: true, changed: await this.act(action, id, actor, options.reason ?? '') };
      } catch (error: unknown) {
        if (error instanceof AppError) {
          return { id, ok: false, changed: false, error: { code: error.code, message: error.expose ? error.message : 'the backend failed' } };
        }
        throw error;
      }
    });
    return { action, dryRun: options.dryRun ?? false, items, more: options.more ?? false };
  }

  /** Throws what `act` would throw for this job as it is now (the backend may still refuse later). */
  private preview(action: BulkAction, job: JobRecord): void {
    if (action === 'cancel') {
      if (job.state === 'INACTIVE') {
        throw conflict(`job ${toF58(job.id)} has already ended`);
      }
    } else if (!isPending(job.state)) {
      throw notPending(job, action === 'hold' ? 'held' : 'released');
    }
  }

  private async act(action: BulkAction, id: JobId, actor: Actor, reason: string): Promise<boolean> {
    switch (action) {
      case 'cancel':
        await this.deps.jobs.cancel(id, actor, reason);
        return true;
      case 'hold':
        return (await this.hold(id, actor, reason)).changed;
      case 'release':
        return (await this.release(id, actor)).changed;
    }
  }
}
