/**
 * A second, read-only connection to the store for long reads (exports). better-sqlite3 refuses
 * every write on a connection while one of its statements is being iterated, and an export
 * streamed at a client's pace iterates for seconds; on its own connection it reads one
 * consistent snapshot (WAL) while jobgate keeps writing on the main one.
 */
import Database from 'better-sqlite3';
import type { Db } from './database.js';
import { JobsRepository } from './jobs-repository.js';
import { JobLabelsRepository } from './job-labels-repository.js';

export interface ReadConnection {
  jobs: JobsRepository;
  labels: JobLabelsRepository;
  close(): void;
}

export function openReadConnection(main: Db): ReadConnection {
  const db = new Database(main.name, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return {
    jobs: new JobsRepository(db),
    labels: new JobLabelsRepository(db),
    close: () => {
      if (db.open) {
        db.close();
      }
    },
  };
}
