/**
 * The rows of an export: every job a filter selects (that the caller may see), in order, with
 * their labels when asked, read on a separate read-only connection so that a client reading
 * slowly never blocks writes. Rows are produced one at a time as the consumer pulls them:
 * memory stays flat whatever the number of jobs.
 */
import type { Db } from '../db/database.js';
import type { JobQuery } from '../model/job-query.js';
import type { JobLabels } from '../model/job-labels.js';
import { openReadConnection } from '../db/read-connection.js';
import type { Actor, JobRecord } from '../model/job.js';
import type { JobService } from './jobs-service.js';

export interface ExportRow {
  job: JobRecord;
  labels: JobLabels | undefined;
}

/** Rows whose labels are looked up together. */
const LABEL_BATCH = 500;

export class JobExports {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobService,
    private readonly now: () => number,
  ) {}

  *rows(query: Omit<JobQuery, 'offset' | 'limit'>, actor: Actor, withLabels: boolean): Generator<ExportRow> {
    const reader = openReadConnection(this.db);
    try {
      const scoped = this.jobs.scope(query, actor) as Omit<JobQuery, 'offset' | 'limit'>;
      let batch: JobRecord[] = [];
      const flush = function* (this: void, jobsInBatch: JobRecord[]): Generator<ExportRow> {
        const labels = withLabels ? reader.labels.labelsFor(jobsInBatch.map((job) => job.id)) : undefined;
        for (const job of jobsInBatch) {
          yield { job, labels: labels === undefined ? undefined : (labels.get(job.id) ?? { tags: [], metadata: {}, hold: null }) };
        }
      };
      for (const job of reader.jobs.iterate(scoped, this.now())) {
        batch.push(job);
        if (batch.length >= LABEL_BATCH) {
          yield* flush(batch);
          batch = [];
        }
      }
      yield* flush(batch);
    } finally {
      reader.close();
    }
  }
}
