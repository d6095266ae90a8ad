/** Numbered migrations, applied in order, one transaction each. Never edit a released one. */
import { sql as jobs } from './0001_jobs.js';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [{ id: 1, name: 'jobs', sql: jobs }];
