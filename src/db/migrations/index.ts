/** Numbered migrations, applied in order, one transaction each. Never edit a released one. */
import { sql as jobs } from './0001_jobs.js';
import { sql as auth } from './0002_auth.js';
import { sql as labelsHoldsTemplates } from './0003_labels_holds_templates.js';
import { sql as usage } from './0004_usage.js';
import { sql as apiKeys } from './0005_api_keys.js';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { id: 1, name: 'jobs', sql: jobs },
  { id: 2, name: 'auth', sql: auth },
  { id: 3, name: 'labels_holds_templates', sql: labelsHoldsTemplates },
  { id: 4, name: 'usage', sql: usage },
  { id: 5, name: 'api_keys', sql: apiKeys },
];
