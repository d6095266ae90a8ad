/**
 * Removing ended jobs for good: the job and everything stored about it, one batch of ids per
 * call (the caller commits each batch and yields between them). The state is checked again in
 * the same transaction, so a job that is not INACTIVE is never removed, whoever asked.
 *
 * Event positions are never reused (`job_events` is AUTOINCREMENT), so removing a job's events
 * leaves a gap in the global log that followers step over.
 */
import type { Db } from './database.js';
import { Repository } from './repository.js';
import type { JobId } from '../model/job-id.js';

/** Every table holding rows of a job, with its job id column (children first). */
const JOB_TABLES: readonly [table: string, column: string][] = [
  ['job_events', 'job_id'],
  ['job_usage', 'job_id'],
  ['job_tags', 'job_id'],
  ['job_metadata', 'job_id'],
  ['job_holds', 'job_id'],
  ['job_search', 'id'],
  ['job_specs', 'id'],
  ['jobs', 'id'],
];

export class JobPurgeRepository extends Repository {
  constructor(db: Db) {
    super(db);
  }

  /** Removes those of `ids` that are ended; returns the ids removed. Call inside a transaction. */
  purge(ids: readonly JobId[]): JobId[] {
    const ended = this.statement("SELECT 1 FROM jobs WHERE id = ? AND state = 'INACTIVE'");
    const removed = ids.filter((id) => ended.get(id) !== undefined);
    for (const [table, column] of JOB_TABLES) {
      const remove = this.statement(`DELETE FROM ${table} WHERE ${column} = ?`);
      for (const id of removed) {
        remove.run(id);
      }
    }
    return removed;
  }
}
