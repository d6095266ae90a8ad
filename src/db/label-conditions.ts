/**
 * The SQL that a typed label filter (tags, metadata, held) compiles to: conditions over `j`
 * (the jobs table) with their named parameters, shared by the listing and the event feed.
 * Values always travel as parameters; only fixed text reaches the SQL.
 */
import { PENDING_STATES } from '../model/job.js';
import type { LabelFilter } from '../model/job-query.js';

/** One condition: SQL over `j` and its named parameters. */
export interface SqlCondition {
  sql: string;
  params: Record<string, unknown>;
}

/** Every condition a label filter asks for (all must hold). */
export function labelConditions(filter: LabelFilter): SqlCondition[] {
  const conditions: SqlCondition[] = [];
  (filter.tags ?? []).forEach((tag, index) => conditions.push(tagCondition(tag, `xTag${index}`)));
  Object.entries(filter.metadata ?? {}).forEach(([key, value], index) => conditions.push(metadataCondition(key, value, `xMeta${index}`)));
  if (filter.held !== undefined) {
    conditions.push(heldCondition(filter.held));
  }
  return conditions;
}

/** Jobs carrying a tag (of any type when `type` is undefined). `key` keeps parameter names apart. */
function tagCondition(tag: { type?: string; name: string }, key: string): SqlCondition {
  if (tag.type === undefined) {
    return { sql: `j.id IN (SELECT job_id FROM job_tags WHERE name = @${key}Name)`, params: { [`${key}Name`]: tag.name } };
  }
  return {
    sql: `j.id IN (SELECT job_id FROM job_tags WHERE type = @${key}Type AND name = @${key}Name)`,
    params: { [`${key}Type`]: tag.type, [`${key}Name`]: tag.name },
  };
}

/** Jobs whose metadata `name` has exactly `value` (any value when undefined). */
function metadataCondition(name: string, value: string | undefined, key: string): SqlCondition {
  if (value === undefined) {
    return { sql: `j.id IN (SELECT job_id FROM job_metadata WHERE key = @${key}Key)`, params: { [`${key}Key`]: name } };
  }
  return {
    sql: `j.id IN (SELECT job_id FROM job_metadata WHERE key = @${key}Key AND value = @${key}Value)`,
    params: { [`${key}Key`]: name, [`${key}Value`]: value },
  };
}

/** Held jobs (urgency 0, not started) or, with `held` false, every job that is not held. */
function heldCondition(held: boolean): SqlCondition {
  const pending = PENDING_STATES.map((state) => `'${state}'`).join(', ');
  const sql = `j.urgency = 0 AND j.state IN (${pending})`;
  return { sql: held ? sql : `NOT (${sql})`, params: {} };
}
