/**
 * Named queries over jobs and their events. Every statement is prepared once. Listing and
 * search page, sort and filter in SQL over indexed columns; nothing loads all jobs.
 */
import type { Db, Statement } from './database.js';
import type { JobRecord, JobResult, JobState } from '../domain/job.js';
import type { JobId } from '../lib/jobid.js';
import { jobToColumns, rowToJob, type Row } from './job-rows.js';

/** Columns the listing can be sorted by, mapped to SQL expressions (a whitelist: nothing else reaches SQL). */
export const SORT_COLUMNS = {
  id: 'id',
  name: 'name',
  owner: 'owner',
  state: "CASE state WHEN 'NEW' THEN 0 WHEN 'DEPEND' THEN 1 WHEN 'PRIORITY' THEN 2 WHEN 'SCHED' THEN 3 WHEN 'RUN' THEN 4 WHEN 'CLEANUP' THEN 5 ELSE 6 END",
  result: 'result',
  returncode: 'returncode',
  runtime: 'CASE WHEN t_run IS NULL THEN 0 ELSE COALESCE(t_cleanup, :now) - t_run END',
  t_submit: 't_submit',
  t_run: 't_run',
  t_inactive: 't_inactive',
  urgency: 'urgency',
  priority: 'priority',
  ntasks: 'ntasks',
  ncores: 'ncores',
  nnodes: 'nnodes',
  duration: 'duration',
  nodelist: 'nodelist',
  ranks: 'ranks',
  expiration: 'expiration',
  waitstatus: 'waitstatus',
  exception: 'exception_note',
  queue: 'queue',
} as const;
export type SortColumn = keyof typeof SORT_COLUMNS;

export interface JobFilter {
  /** Only jobs of this owner (a non-superuser's view). */
  visibleTo?: string;
  /** Substring over id, F58 id, name, command, owner; or a state/result name. */
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
  /** Extra SQL conditions contributed by other repositories (tags, metadata), with parameters. */
  extra?: { sql: string; params: Record<string, unknown> }[];
}

export interface JobQuery extends JobFilter {
  sort: { column: SortColumn; direction: 'asc' | 'desc' }[];
  offset: number;
  limit: number;
}

export interface StoredEvent {
  seq: number;
  jobId: JobId;
  t: number;
  name: string;
  context: Record<string, unknown> | null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

export function searchTextOf(job: Pick<JobRecord, 'id' | 'name' | 'command' | 'owner' | 'cwd'>, f58: string): string {
  return [job.id.toString(), f58, f58.replace(/^ƒ/, 'f'), job.name, job.command.join(' '), job.owner, job.cwd ?? ''].join(' ').toLowerCase();
}

export class JobsRepository {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private statement(sql: string, safeIntegers = false): Statement {
    const key = `${safeIntegers ? 'S' : 'N'}${sql}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (safeIntegers) {
        statement.safeIntegers(true);
      }
      this.statements.set(key, statement);
    }
    return statement;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  insert(job: JobRecord, searchText: string): void {
    const columns = { ...jobToColumns(job), search_text: searchText };
    const names = Object.keys(columns);
    const sql = `INSERT INTO jobs (${names.join(', ')}) VALUES (${names.map((name) => `@${name}`).join(', ')})`;
    this.statement(sql).run(columns);
  }

  /** Removes a job the backend refused before anyone was told it existed. */
  deleteJob(id: JobId): void {
    this.statement('DELETE FROM job_events WHERE job_id = ?').run(id);
    this.statement('DELETE FROM jobs WHERE id = ?').run(id);
  }

  get(id: JobId): JobRecord | undefined {
    const row = this.statement('SELECT * FROM jobs WHERE id = ?', true).get(id) as Row | undefined;
    return row === undefined ? undefined : rowToJob(row);
  }

  exists(id: JobId): boolean {
    return this.statement('SELECT 1 FROM jobs WHERE id = ?').get(id) !== undefined;
  }

  update(id: JobId, patch: Partial<JobRecord>): void {
    const columns = jobToColumns(patch);
    delete columns.id;
    const names = Object.keys(columns);
    if (names.length === 0) {
      return;
    }
    const sql = `UPDATE jobs SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE id = @id`;
    this.statement(sql).run({ ...columns, id });
  }

  appendEvent(id: JobId, t: number, name: string, context: Record<string, unknown> | null): number {
    const info = this.statement('INSERT INTO job_events (job_id, t, name, context) VALUES (?, ?, ?, ?)').run(
      id,
      t,
      name,
      context === null ? null : JSON.stringify(context, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
    );
    return Number(info.lastInsertRowid);
  }

  events(id: JobId): StoredEvent[] {
    const rows = this.statement('SELECT seq, job_id, t, name, context FROM job_events WHERE job_id = ? ORDER BY seq', true).all(id) as Row[];
    return rows.map(eventFromRow);
  }

  /** Events after a global position, oldest first (for resumable event streams). */
  eventsAfter(seq: number, limit: number): StoredEvent[] {
    const rows = this.statement('SELECT seq, job_id, t, name, context FROM job_events WHERE seq > ? ORDER BY seq LIMIT ?', true).all(seq, limit) as Row[];
    return rows.map(eventFromRow);
  }

  lastEventSeq(): number {
    const value = this.statement('SELECT COALESCE(MAX(seq), 0) FROM job_events').pluck().get();
    return Number(value);
  }

  active(executor: string): JobRecord[] {
    const rows = this.statement("SELECT * FROM jobs WHERE executor = ? AND state <> 'INACTIVE' ORDER BY t_submit, id", true).all(executor) as Row[];
    return rows.map(rowToJob);
  }

  maxId(): JobId | null {
    const value = this.statement('SELECT MAX(id) FROM jobs', true).pluck().get() as bigint | null;
    return value ?? null;
  }

  countByState(): Record<string, number> {
    const rows = this.statement('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  }

  private where(filter: JobFilter, params: Record<string, unknown>): string {
    const clauses: string[] = [];
    if (filter.visibleTo !== undefined) {
      clauses.push('owner = @visibleTo');
      params.visibleTo = filter.visibleTo;
    }
    const text = filter.text?.trim().toLowerCase();
    if (text) {
      params.textUpper = text.toUpperCase();
      if (text.length >= 3) {
        params.fts = ftsPhrase(text);
        clauses.push('(id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH @fts) OR state = @textUpper OR result = @textUpper)');
      } else {
        params.like = `%${escapeLike(text)}%`;
        clauses.push("(search_text LIKE @like ESCAPE '\\' OR state = @textUpper OR result = @textUpper)");
      }
    }
    const list = (column: string, values: readonly string[] | undefined, key: string): void => {
      if (values === undefined || values.length === 0) {
        return;
      }
      const names = values.map((value, index) => {
        params[`${key}${index}`] = value;
        return `@${key}${index}`;
      });
      clauses.push(`${column} IN (${names.join(', ')})`);
    };
    list('state', filter.states, 'state');
    list('result', filter.results, 'result');
    list('owner', filter.owners, 'owner');
    list('name', filter.names, 'name');
    list('queue', filter.queues, 'queue');
    const range = (column: string, from: number | undefined, to: number | undefined, key: string): void => {
      if (from !== undefined) {
        clauses.push(`${column} >= @${key}From`);
        params[`${key}From`] = from;
      }
      if (to !== undefined) {
        clauses.push(`${column} <= @${key}To`);
        params[`${key}To`] = to;
      }
    };
    range('t_submit', filter.submittedFrom, filter.submittedTo, 'submitted');
    range('t_run', filter.startedFrom, filter.startedTo, 'started');
    range('t_inactive', filter.endedFrom, filter.endedTo, 'ended');
    for (const extra of filter.extra ?? []) {
      clauses.push(`(${extra.sql})`);
      Object.assign(params, extra.params);
    }
    return clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  }

  count(filter: JobFilter): number {
    const params: Record<string, unknown> = {};
    const where = this.where(filter, params);
    return Number(this.statement(`SELECT COUNT(*) FROM jobs ${where}`).pluck().get(params));
  }

  /** ORDER BY for a sort list: the chosen columns (empty values last), then newest first. */
  private orderBy(sort: JobQuery['sort'], params: Record<string, unknown>, nowSeconds: number): string {
    const order = sort.map(({ column, direction }) => `${SORT_COLUMNS[column]} ${direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`);
    order.push('t_submit DESC', 'id DESC');
    const sql = order.join(', ');
    if (sql.includes(':now')) {
      params.now = nowSeconds;
    }
    return sql.replaceAll(':now', '@now');
  }

  query(query: JobQuery, nowSeconds: number): JobRecord[] {
    const params: Record<string, unknown> = { limit: query.limit, offset: query.offset };
    const where = this.where(query, params);
    const order = this.orderBy(query.sort, params, nowSeconds);
    const sql = `SELECT * FROM jobs ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`;
    return (this.statement(sql, true).all(params) as Row[]).map(rowToJob);
  }

  /** Streams every matching row without holding them all (exports of 100,000 jobs). */
  *iterate(query: Omit<JobQuery, 'offset' | 'limit'>, nowSeconds: number): Generator<JobRecord> {
    const params: Record<string, unknown> = {};
    const where = this.where(query, params);
    const order = this.orderBy(query.sort, params, nowSeconds);
    for (const row of this.statement(`SELECT * FROM jobs ${where} ORDER BY ${order}`, true).iterate(params) as IterableIterator<Row>) {
      yield rowToJob(row);
    }
  }

  getMeta(key: string): string | undefined {
    const value = this.statement('SELECT value FROM meta WHERE key = ?').pluck().get(key);
    return value === undefined ? undefined : String(value);
  }

  setMeta(key: string, value: string): void {
    this.statement('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}

function eventFromRow(row: Row): StoredEvent {
  return {
    seq: Number(row.seq),
    jobId: typeof row.job_id === 'bigint' ? row.job_id : BigInt(String(row.job_id)),
    t: Number(row.t),
    name: String(row.name),
    context: row.context === null ? null : (JSON.parse(String(row.context)) as Record<string, unknown>),
  };
}
