/**
 * Reading the global job event log by position for resumable event streams: a window of
 * positions at a time (so a filter that matches little never scans the whole log in one go),
 * joined with each job's owner and name, filtered in SQL.
 */
import { Repository } from './repository.js';
import type { JobResult, JobState } from '../model/job.js';
import { stringifyJson } from '../lib/json.js';
import { labelConditions } from './label-conditions.js';
import type { FeedFilter } from '../model/job-query.js';
import type { FeedEvent } from '../model/job-event.js';

// Events recorded before states were stored: the state follows from the event's name.
const EVENT_STATE = `COALESCE(e.state, CASE e.name WHEN 'submit' THEN 'DEPEND' WHEN 'depend' THEN 'PRIORITY' WHEN 'priority' THEN 'SCHED'
  WHEN 'alloc' THEN 'RUN' WHEN 'finish' THEN 'CLEANUP' WHEN 'clean' THEN 'INACTIVE' ELSE j.state END)`;

interface FeedRow {
  seq: bigint;
  job_id: bigint;
  t: number;
  name: string;
  context: string | null;
  state: string;
  owner: string;
  job_name: string;
  job_state: string;
  result: string | null;
}

export class JobEventFeedRepository extends Repository {


  /**
   * The highest position ever given (sqlite_sequence remembers it when the newest events were
   * purged), so `since=now` and checkpoints never step back over positions that are gone.
   */
  lastSeq(): number {
    return Number(
      this.statement("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'job_events'), 0), COALESCE((SELECT MAX(seq) FROM job_events), 0))", true).pluck().get(),
    );
  }

  /** Matching events with `after < seq <= upTo`, oldest first, at most `limit`. */
  window(after: number, upTo: number, filter: FeedFilter, limit: number): FeedEvent[] {
    const params: Record<string, unknown> = { after, upTo, limit };
    const clauses = ['e.seq > @after', 'e.seq <= @upTo'];
    if (filter.visibleTo !== undefined) {
      clauses.push('j.owner = @visibleTo');
      params.visibleTo = filter.visibleTo;
    }
    const list = (expression: string, values: readonly unknown[] | undefined, key: string): void => {
      if (values === undefined || values.length === 0) {
        return;
      }
      params[key] = stringifyJson(values);
      clauses.push(`${expression} IN (SELECT value FROM json_each(@${key}))`);
    };
    list('j.owner', filter.owners, 'owners');
    list(EVENT_STATE, filter.states, 'states');
    list('e.job_id', filter.jobIds, 'jobIds');
    for (const condition of labelConditions({ tags: filter.tags })) {
      clauses.push(`(${condition.sql})`);
      Object.assign(params, condition.params);
    }
    const sql = `SELECT e.seq, e.job_id, e.t, e.name, e.context, ${EVENT_STATE} AS state, j.owner, j.name AS job_name, j.state AS job_state, j.result
      FROM job_events e JOIN jobs j ON j.id = e.job_id WHERE ${clauses.join(' AND ')} ORDER BY e.seq LIMIT @limit`;
    return (this.statement(sql, true).all(params) as FeedRow[]).map((row) => ({
      seq: Number(row.seq),
      jobId: row.job_id,
      t: Number(row.t),
      name: row.name,
      context: row.context === null ? null : (JSON.parse(row.context) as Record<string, unknown>),
      state: row.state as JobState,
      owner: row.owner,
      jobName: row.job_name,
      // The result belongs to the job's end: only the event that ended it carries it.
      result: row.state === 'INACTIVE' && row.job_state === 'INACTIVE' ? (row.result as JobResult | null) : null,
    }));
  }
}
