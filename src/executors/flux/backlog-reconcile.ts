/**
 * The end of the journal's backlog, at each (re)connection: every active job has been
 * replayed by then, so a job jobgate follows (or the store had active at start) that the
 * backlog did not list ended meanwhile — its eventlog says how — or is gone from the instance.
 * Jobs whose output watch was lost with the connection are watched again.
 */
import type { JobId } from '../../model/job-id.js';
import type { ExecutorEvent } from '../../model/executor-events.js';
import type { ActiveJob } from '../types.js';
import type { SinkSlot } from '../sink-slot.js';
import type { FluxConnection, LookupResult } from './connection.js';
import type { JournalEntry } from './flux-events.js';
import type { OutputWatch } from './output-watch.js';
import type { TrackedJob } from './tracked-job.js';

/** What reconciling needs of the executor it works for. */
export interface BacklogHost {
  reporter: SinkSlot;
  jobs: Map<JobId, TrackedJob>;
  restoring: Map<JobId, ActiveJob>;
  watch: OutputWatch;
  /** Whether a stored job ran in the instance jobgate is connected to. */
  sameInstance(restored: ActiveJob): boolean;
  restore(restored: ActiveJob): TrackedJob;
  deliver(job: TrackedJob, entry: JournalEntry): void;
  emit(event: ExecutorEvent): void;
}

/** Looks up the jobs the backlog (`listed`) left out, then re-opens the output watches. */
export async function reconcileBacklog(conn: FluxConnection, listed: ReadonlySet<JobId>, host: BacklogHost): Promise<void> {
  const missing: { id: JobId; restored: ActiveJob | null }[] = [];
  for (const restored of host.restoring.values()) {
    missing.push({ id: restored.id, restored });
  }
  for (const job of host.jobs.values()) {
    if (!listed.has(job.id)) {
      missing.push({ id: job.id, restored: null });
    }
  }
  // A handful at a time: a restart may find many jobs that ended meanwhile.
  for (let index = 0; index < missing.length; index += 16) {
    await Promise.all(missing.slice(index, index + 16).map((item) => reconcile(conn, item.id, item.restored, host)));
  }
  for (const job of host.jobs.values()) {
    if (job.started && !job.watching && !job.outputDone) {
      host.watch.open(job);
      if (job.pendingClean !== null && job.watching) {
        // It ended while the connection was down, its output not all read: the new watch
        // gets a grace of its own (the old one's ran out while nothing could arrive).
        host.watch.armCleanGrace(job);
      }
    }
  }
}

/** A job the journal no longer lists: it ended meanwhile (its eventlog says how), or it is gone. */
async function reconcile(conn: FluxConnection, id: JobId, restored: ActiveJob | null, host: BacklogHost): Promise<void> {
  let found: LookupResult | null = null;
  const sameInstance = restored === null || host.sameInstance(restored);
  if (sameInstance) {
    try {
      found = await conn.lookup(id);
    } catch (error: unknown) {
      host.reporter.sink.log('warn', 'cannot look up a job in Flux', { job: id.toString(), error: error instanceof Error ? error.message : String(error) });
      return;
    }
  }
  const job = restored !== null ? host.restore(restored) : host.jobs.get(id);
  if (job === undefined) {
    return;
  }
  if (found === null) {
    const note = sameInstance ? 'the Flux instance has no record of this job' : 'the Flux instance that ran this job is gone';
    host.emit({ id, t: Date.now() / 1000, name: 'exception', type: 'lost', severity: 0, note });
    job.outputDone = true;
    host.watch.clean(job, Date.now() / 1000);
    return;
  }
  host.deliver(job, { id, events: found.eventlog, R: found.R });
}
