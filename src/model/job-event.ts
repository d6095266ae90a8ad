/** Recorded job events as readers get them back: one job's eventlog, and the global feed. */
import type { JobId } from './job-id.js';
import type { JobResult, JobState } from './job.js';

export interface StoredEvent {
  seq: number;
  jobId: JobId;
  t: number;
  name: string;
  context: Record<string, unknown> | null;
}

export interface FeedEvent extends StoredEvent {
  /** The state the event left the job in. */
  state: JobState;
  owner: string;
  jobName: string;
  /** The job's result, on events that left it inactive. */
  result: JobResult | null;
}
