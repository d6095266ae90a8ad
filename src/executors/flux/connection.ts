/**
 * How the flux executor talks to the instance. Two implementations with one shape:
 * the bridge (one long-lived `flux python` helper: the hot path) and the commands (one `flux`
 * process per operation: the fallback when Flux's Python bindings are missing).
 */
import type { JobId } from '../../model/job-id.js';
import type { EventlogEntry, JournalEntry } from './flux-events.js';

export interface ConnectionHandlers {
  /** A journal response: a job's events, or the sentinel (id null) that ends the backlog. */
  journal(entry: JournalEntry): void;
  /** One event of a job's output eventlog. */
  output(id: JobId, entry: EventlogEntry): void;
  /** A job's output watch ended (normally, or with an error such as "never started"). */
  outputEnd(id: JobId, error: string | null): void;
  /** The connection died (instance gone, helper crashed); nothing more will come from it. */
  lost(reason: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

export interface ConnectionInfo {
  kind: 'bridge' | 'commands';
  /** flux-core version of the instance. */
  version: string;
  /** The submitter's resource limits to propagate (as `flux submit` does), when known. */
  rlimit: Record<string, number> | null;
  /** Identifies the instance (its run directory and broker pid), to tell a restarted one apart. */
  instance: string | null;
}

export interface LookupResult {
  eventlog: EventlogEntry[];
  R: unknown;
}

export interface FluxConnection {
  readonly info: ConnectionInfo;
  /** Starts the journal: the backlog of active jobs, the sentinel, then live events. */
  startJournal(): void;
  submit(jobspec: string, urgency: number): Promise<JobId>;
  cancel(id: JobId, reason: string): Promise<void>;
  urgency(id: JobId, urgency: number): Promise<void>;
  /** Follows one job's state events (the commands need one follower per job; the journal has them all). */
  follow(id: JobId): void;
  watchOutput(id: JobId): void;
  unwatchOutput(id: JobId): void;
  /** A job's eventlog and R; null when the instance has no such job. */
  lookup(id: JobId): Promise<LookupResult | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Parses JSON lines of eventlog entries (job-info.lookup, `flux job eventlog -f json`). */
export function parseEventlog(text: string): EventlogEntry[] {
  const entries: EventlogEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      continue;
    }
    const parsed = JSON.parse(line) as EventlogEntry;
    if (typeof parsed.name === 'string' && typeof parsed.timestamp === 'number') {
      entries.push(parsed);
    }
  }
  return entries;
}
