/**
 * What executors report about jobs, in Flux's eventlog vocabulary: the domain persists these
 * events and projects job state from them.
 */
import type { JobId } from './job-id.js';

/** What the executor reports. Timestamps are epoch seconds (floats), as Flux writes them. */
export type ExecutorEvent =
  | { id: JobId; t: number; name: 'depend' | 'start' | 'release' | 'free' | 'clean' }
  | { id: JobId; t: number; name: 'priority'; priority: number }
  | { id: JobId; t: number; name: 'urgency'; urgency: number }
  | {
      id: JobId;
      t: number;
      name: 'alloc';
      ranks: string;
      nodelist: string;
      nnodes: number;
      ncores?: number;
      expiration?: number;
    }
  | { id: JobId; t: number; name: 'exception'; type: string; severity: number; note: string }
  | { id: JobId; t: number; name: 'finish'; status: number }
  | { id: JobId; t: number; name: 'submit'; external: ExternalJob };

/** A job that reached the backend by other means (e.g. a user typing `flux submit`). */
export interface ExternalJob {
  owner: string;
  userid: number;
  name: string;
  command: string[];
  ntasks: number;
  ncores: number;
  duration: number;
  cwd: string | null;
  urgency: number;
  t_submit: number;
}
