/**
 * What a listing, search, export, bulk selection or event feed asks for: typed filters and
 * sort keys. The repositories compile these to SQL themselves; no SQL travels with a filter.
 */
import type { JobId } from './job-id.js';
import type { JobResult, JobState } from './job.js';
import type { TagRef } from './job-labels.js';

/** Columns a listing can be sorted by (the repository maps each to its SQL). */
export const SORT_COLUMNS = [
  'id', 'name', 'owner', 'state', 'result', 'returncode', 'runtime', 't_submit', 't_run', 't_inactive', 'urgency', 'priority',
  'ntasks', 'ncores', 'nnodes', 'duration', 'nodelist', 'ranks', 'expiration', 'waitstatus', 'exception', 'queue', 'ngpus',
  'cwd', 't_sched', 't_cleanup', 'cpu_efficiency', 'peak_memory', 'cpu_seconds', 'gpu_seconds',
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export type SortDirection = 'asc' | 'desc';

export function isSortColumn(name: string): name is SortColumn {
  return (SORT_COLUMNS as readonly string[]).includes(name);
}

/** What labels a filter asks for; every condition must hold. */
export interface LabelFilter {
  /** The job carries every one of these tags. */
  tags?: TagRef[];
  /** Metadata key → exact value (undefined: the key is set, whatever its value). */
  metadata?: Record<string, string | undefined>;
  /** Held (urgency 0, not started) or not held. */
  held?: boolean;
}

export interface JobFilter extends LabelFilter {
  /** Only jobs of this owner (a non-superuser's view). */
  visibleTo?: string;
  /** Substring over id, F58 id, name, command, owner, cwd; or (a prefix of) a state/result name. */
  text?: string;
  states?: JobState[];
  results?: JobResult[];
  owners?: string[];
  names?: string[];
  queues?: string[];
  submittedFrom?: number;
  submittedTo?: number;
  startedFrom?: number;
  startedTo?: number;
  endedFrom?: number;
  endedTo?: number;
}

export interface JobQuery extends JobFilter {
  sort: { column: SortColumn; direction: SortDirection }[];
  offset: number;
  limit: number;
}

/** Which events of the global job event log a feed follows. */
export interface FeedFilter {
  /** Only jobs of this owner (a non-superuser's view). */
  visibleTo?: string;
  owners?: string[];
  /** The state each event left its job in. */
  states?: JobState[];
  jobIds?: JobId[];
  /** The job carries every one of these tags. */
  tags?: TagRef[];
}
