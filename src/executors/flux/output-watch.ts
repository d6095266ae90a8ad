/**
 * The output of the flux executor's jobs: one watch on a job's output eventlog from its
 * `start` until it is clean (several watches on a job canceled at its start once aborted a
 * 0.88 broker, so a watch that ends early is retried only while the job runs, and never when
 * the eventlog does not exist). `clean` is a job's last event and the domain closes the
 * output then: it waits for the eof events, at most `outputGraceMs`.
 */
import type { JobId } from '../../model/job-id.js';
import type { SinkSlot } from '../sink-slot.js';
import type { FluxConnection } from './connection.js';
import type { EventlogEntry } from './flux-events.js';
import { OutputDecoder } from './output-decoder.js';
import { STATE_RANK, type TrackedJob } from './tracked-job.js';

/** What the watch needs of the executor it works for. */
export interface OutputWatchHost {
  reporter: SinkSlot;
  jobs: Map<JobId, TrackedJob>;
  connection(): FluxConnection | null;
  stopping(): boolean;
  /** The job's output is complete (or given up on): report its clean and forget it. */
  cleaned(job: TrackedJob, t: number): void;
  outputGraceMs?: number;
}

export class OutputWatch {
  constructor(private readonly host: OutputWatchHost) {}

  /** Opens the job's watch, unless one is open, the output is complete, or the job is not the one tracked. */
  open(job: TrackedJob): void {
    const conn = this.host.connection();
    if (conn === null || job.watching || job.outputDone || !job.ready || this.host.jobs.get(job.id) !== job) {
      return;
    }
    job.output ??= this.host.reporter.sink.output(job.id);
    job.decoder = new OutputDecoder(job.output, { stdout: job.output.sizes.stdout, stderr: job.output.sizes.stderr });
    job.watching = true;
    conn.watchOutput(job.id);
  }

  onOutput(id: JobId, entry: EventlogEntry): void {
    const job = this.host.jobs.get(id);
    if (job === undefined || job.decoder === null) {
      return;
    }
    job.decoder.handle(entry);
    if (job.decoder.complete) {
      job.outputDone = true;
      if (job.pendingClean !== null) {
        this.finishClean(job);
      }
    }
  }

  onOutputEnd(id: JobId, error: string | null): void {
    const job = this.host.jobs.get(id);
    if (job === undefined || !job.watching) {
      return;
    }
    job.watching = false;
    const complete = job.decoder?.complete ?? false;
    // "No such file": the job ended before its shell created the output eventlog (canceled at
    // its start). Watching such a job again is what once aborted a 0.88 broker: never retry it.
    const missing = error !== null && /No such file|not found/i.test(error);
    if (!complete && !missing && job.pendingClean === null && job.state < STATE_RANK.CLEANUP && job.watchRetries < 3) {
      // Ended while the job still runs: watch again, a moment later, from where the stored output stops.
      job.watchRetries += 1;
      this.host.reporter.sink.log('debug', 'output watch ended early; watching again', { job: id.toString(), error });
      const retry = setTimeout(() => this.open(job), 500 * job.watchRetries);
      retry.unref();
      return;
    }
    job.outputDone = true;
    if (job.pendingClean !== null) {
      this.finishClean(job);
    }
  }

  /** `clean` is the job's last event: it waits for the output, at most outputGraceMs. */
  clean(job: TrackedJob, t: number): void {
    job.pendingClean = t;
    if (job.started && !job.watching && !job.outputDone) {
      // It ended while no watch was open (a reconnect, a restart): read its output now.
      this.open(job);
    }
    if (job.watching && !job.outputDone) {
      this.armCleanGrace(job);
      return;
    }
    this.finishClean(job);
  }

  /** Waits for the rest of an ended job's output, at most outputGraceMs from now. */
  armCleanGrace(job: TrackedJob): void {
    if (job.cleanTimer !== null) {
      clearTimeout(job.cleanTimer);
    }
    job.cleanTimer = setTimeout(() => {
      job.cleanTimer = null;
      if (this.host.connection() === null && !this.host.stopping()) {
        // Nothing can arrive while the connection is down: the reconnection watches again.
        return;
      }
      this.host.reporter.sink.log('warn', 'a job ended but Flux did not send the end of its output in time; what came is kept', { job: job.id.toString() });
      this.finishClean(job);
    }, this.host.outputGraceMs ?? 3000);
  }

  finishClean(job: TrackedJob): void {
    if (job.pendingClean === null || this.host.jobs.get(job.id) !== job) {
      return;
    }
    if (job.cleanTimer !== null) {
      clearTimeout(job.cleanTimer);
    }
    if (job.watching) {
      this.host.connection()?.unwatchOutput(job.id);
      job.watching = false;
    }
    this.host.cleaned(job, job.pendingClean);
  }
}
