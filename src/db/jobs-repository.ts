/**
 * Named queries over jobs and their events. Every statement is prepared once. Listing and
 * search filter, sort and page in SQL: the page's ids are chosen over the narrow `jobs` table
 * (and indexes), then only those rows are joined with their specs — a deferred join, so a sort
 * over 100,000 jobs never drags whole records through the sorter.
 */
import { Repository } from './repository.js';
import { JOB_RESULTS, JOB_STATES, type JobRecord, type JobState } from '../model/job.js';
import { toF58, type JobId } from '../model/job-id.js';
import { jobToColumns, rowToJob, type Row } from './job-rows.js';
import { labelConditions } from './label-conditions.js';
import type { JobFilter, JobQuery, SortColumn } from '../model/job-query.js';
import type { StoredEvent } from '../model/job-event.js';

/** Each sort column's SQL expression (a whitelist: nothing else reaches SQL). */
const SORT_SQL: Readonly<Record<SortColumn, string>> = {
  id: 'j.id',
  name: 'j.name',
  owner: 'j.owner',
  state: "CASE j.state WHEN 'NEW' THEN 0 WHEN 'DEPEND' THEN 1 WHEN 'PRIORITY' THEN 2 WHEN 'SCHED' THEN 3 WHEN 'RUN' THEN 4 WHEN 'CLEANUP' THEN 5 ELSE 6 END",
  result: 'j.result',
  returncode: 'j.returncode',
  runtime: 'CASE WHEN j.t_run IS NULL THEN 0 ELSE COALESCE(j.t_cleanup, @now) - j.t_run END',
  t_submit: 'j.t_submit',
  t_run: 'j.t_run',
  t_inactive: 'j.t_inactive',
  urgency: 'j.urgency',
  priority: 'j.priority',
  ntasks: 'j.ntasks',
  ncores: 'j.ncores',
  nnodes: 'j.nnodes',
  duration: 'j.duration',
  nodelist: 'j.nodelist',
  ranks: 'j.ranks',
  expiration: 'j.expiration',
  waitstatus: 'j.waitstatus',
  exception: 'j.exception_note',
  queue: 'j.queue',
  ngpus: 'j.ngpus',
  cwd: 'j.cwd',
  t_sched: 'j.t_sched',
  t_cleanup: 'j.t_cleanup',
  cpu_efficiency: 'j.usage_cpu_efficiency',
  peak_memory: 'j.usage_peak_mem',
  cpu_seconds: 'j.usage_cpu_seconds',
  gpu_seconds: 'j.usage_gpu_seconds',
};

const JOB_COLUMNS = 'j.*, s.command, s.spec';
const SEARCHABLE = new Set(['name', 'owner', 'cwd', 'command']);

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** The text the search box matches for a job (lower case). */
function searchTextOf(job: Pick<JobRecord, 'id' | 'name' | 'command' | 'owner' | 'cwd'>): string {
  const f58 = toF58(job.id);
  return [job.id.toString(), f58, `f${f58.slice(1)}`, job.name, job.command.join(' '), job.owner, job.cwd ?? ''].join(' ').toLowerCase();
}

/** State and result names a search word stands for: exact, or a prefix of three letters or more. */
function namedBy<T extends string>(word: string, names: readonly T[]): T[] {
  const upper = word.toUpperCase();
  return names.filter((name) => name === upper || (upper.length >= 3 && name.startsWith(upper)));
}

interface Where {
  sql: string;
  /** The text filter alone, as a set of ids, when it is the only condition (counted without touching rows). */
  textOnly: string | null;
}

export class JobsRepository extends Repository {



  /** False after SQLite rolled a whole transaction back on its own (disk full, I/O error). */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  insert(job: JobRecord): void {
    const columns = jobToColumns(job);
    const names = Object.keys(columns);
    this.statement(`INSERT INTO jobs (${names.join(', ')}) VALUES (${names.map((name) => `@${name}`).join(', ')})`).run(columns);
    this.statement('INSERT INTO job_specs (id, command, spec) VALUES (?, ?, ?)').run(job.id, JSON.stringify(job.command), JSON.stringify(job.spec));
    this.statement('INSERT INTO job_search (id, text) VALUES (?, ?)').run(job.id, searchTextOf(job));
  }

  /** Removes a job the backend refused before anyone was told it existed. */
  deleteJob(id: JobId): void {
    for (const table of ['job_events', 'job_usage', 'job_search', 'job_specs', 'jobs']) {
      this.statement(`DELETE FROM ${table} WHERE ${table === 'job_events' || table === 'job_usage' ? 'job_id' : 'id'} = ?`).run(id);
    }
  }

  get(id: JobId): JobRecord | undefined {
    const row = this.statement(`SELECT ${JOB_COLUMNS} FROM jobs j JOIN job_specs s ON s.id = j.id WHERE j.id = ?`, true).get(id) as Row | undefined;
    return row === undefined ? undefined : rowToJob(row);
  }

  exists(id: JobId): boolean {
    return this.statement('SELECT 1 FROM jobs WHERE id = ?').get(id) !== undefined;
  }

  update(id: JobId, patch: Partial<JobRecord>): void {
    const columns = jobToColumns(patch);
    delete columns.id;
    const names = Object.keys(columns);
    if (names.length > 0) {
      this.statement(`UPDATE jobs SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE id = @id`).run({ ...columns, id });
    }
    if (patch.command !== undefined || patch.spec !== undefined) {
      const current = this.get(id);
      if (current !== undefined) {
        this.statement('UPDATE job_specs SET command = ?, spec = ? WHERE id = ?').run(JSON.stringify(patch.command ?? current.command), JSON.stringify(patch.spec ?? current.spec), id);
      }
    }
    if (Object.keys(patch).some((key) => SEARCHABLE.has(key))) {
      const current = this.get(id);
      if (current !== undefined) {
        this.statement('UPDATE job_search SET text = ? WHERE id = ?').run(searchTextOf(current), id);
      }
    }
  }

  /** Appends to a job's event log; `state` is the state the event left the job in (event streams filter on it). */
  appendEvent(id: JobId, t: number, name: string, context: Record<string, unknown> | null, state: JobState | null = null): number {
    const info = this.statement('INSERT INTO job_events (job_id, t, name, context, state) VALUES (?, ?, ?, ?, ?)').run(
      id,
      t,
      name,
      context === null ? null : JSON.stringify(context, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
      state,
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
    return Number(this.statement('SELECT COALESCE(MAX(seq), 0) FROM job_events').pluck().get());
  }

  active(executor: string): JobRecord[] {
    const rows = this.statement(`SELECT ${JOB_COLUMNS} FROM jobs j JOIN job_specs s ON s.id = j.id WHERE j.executor = ? AND j.state <> 'INACTIVE' ORDER BY j.t_submit, j.id`, true).all(executor) as Row[];
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

  /** The ids whose text matches: the trigram index for three characters or more, a scan of the narrow search table below that. */
  private textSet(text: string, params: Record<string, unknown>): string {
    const parts: string[] = [];
    if (text.length >= 3) {
      params.fts = ftsPhrase(text);
      parts.push('SELECT rowid FROM job_search_fts WHERE job_search_fts MATCH @fts');
    } else {
      params.like = `%${escapeLike(text)}%`;
      parts.push("SELECT id FROM job_search WHERE text LIKE @like ESCAPE '\\'");
    }
    namedBy(text, JOB_STATES).forEach((state, index) => {
      params[`textState${index}`] = state;
      parts.push(`SELECT id FROM jobs WHERE state = @textState${index}`);
    });
    namedBy(text, JOB_RESULTS).forEach((result, index) => {
      params[`textResult${index}`] = result;
      parts.push(`SELECT id FROM jobs WHERE result = @textResult${index}`);
    });
    return parts.join(' UNION ');
  }

  private where(filter: JobFilter, params: Record<string, unknown>): Where {
    const clauses: string[] = [];
    let textSet: string | null = null;
    if (filter.visibleTo !== undefined) {
      clauses.push('j.owner = @visibleTo');
      params.visibleTo = filter.visibleTo;
    }
    const text = filter.text?.trim().toLowerCase();
    if (text) {
      textSet = this.textSet(text, params);
      clauses.push(`j.id IN (${textSet})`);
    }
    const list = (column: string, values: readonly string[] | undefined, key: string): void => {
      if (values === undefined || values.length === 0) {
        return;
      }
      const names = values.map((value, index) => {
        params[`${key}${index}`] = value;
        return `@${key}${index}`;
      });
      clauses.push(`j.${column} IN (${names.join(', ')})`);
    };
    list('state', filter.states, 'state');
    list('result', filter.results, 'result');
    list('owner', filter.owners, 'owner');
    list('name', filter.names, 'name');
    list('queue', filter.queues, 'queue');
    const range = (column: string, from: number | undefined, to: number | undefined, key: string): void => {
      if (from !== undefined) {
        clauses.push(`j.${column} >= @${key}From`);
        params[`${key}From`] = from;
      }
      if (to !== undefined) {
        clauses.push(`j.${column} <= @${key}To`);
        params[`${key}To`] = to;
      }
    };
    range('t_submit', filter.submittedFrom, filter.submittedTo, 'submitted');
    range('t_run', filter.startedFrom, filter.startedTo, 'started');
    range('t_inactive', filter.endedFrom, filter.endedTo, 'ended');
    for (const condition of labelConditions(filter)) {
      clauses.push(`(${condition.sql})`);
      Object.assign(params, condition.params);
    }
    return {
      sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '',
      textOnly: clauses.length === 1 && textSet !== null ? textSet : null,
    };
  }

  count(filter: JobFilter): number {
    const params: Record<string, unknown> = {};
    const where = this.where(filter, params);
    const sql = where.textOnly !== null ? `SELECT COUNT(*) FROM (${where.textOnly})` : `SELECT COUNT(*) FROM jobs j ${where.sql}`;
    return Number(this.statement(sql).pluck().get(params));
  }

  /** ORDER BY for a sort list: the chosen columns (empty values last), then newest first. */
  private orderBy(sort: JobQuery['sort'], params: Record<string, unknown>, nowSeconds: number): string {
    // SQLite puts NULLs first when ascending: ask for them last there (descending already does).
    const order = sort.map(({ column, direction }) => `${SORT_SQL[column]} ${direction === 'asc' ? 'ASC NULLS LAST' : 'DESC'}`);
    order.push('j.t_submit DESC', 'j.id DESC');
    const sql = order.join(', ');
    if (sql.includes('@now')) {
      params.now = nowSeconds;
    }
    return sql;
  }

  query(query: JobQuery, nowSeconds: number): JobRecord[] {
    const params: Record<string, unknown> = { limit: query.limit, offset: query.offset };
    const where = this.where(query, params);
    const order = this.orderBy(query.sort, params, nowSeconds);
    const page = `SELECT j.id FROM jobs j ${where.sql} ORDER BY ${order} LIMIT @limit OFFSET @offset`;
    const sql = `SELECT ${JOB_COLUMNS} FROM jobs j JOIN job_specs s ON s.id = j.id WHERE j.id IN (${page}) ORDER BY ${order}`;
    return (this.statement(sql, true).all(params) as Row[]).map(rowToJob);
  }

  /**
   * A page and the number of matches before paging. Searches too short for the trigram index
   * must scan the search text anyway, so they get both from one scan (a window count over the
   * matches) instead of one scan to count and another to page.
   */
  page(query: JobQuery, nowSeconds: number): { rows: JobRecord[]; filtered: number } {
    const text = query.text?.trim() ?? '';
    if (text === '' || text.length >= 3) {
      const filtered = this.count(query);
      return { rows: query.offset >= filtered ? [] : this.query(query, nowSeconds), filtered };
    }
    const params: Record<string, unknown> = { limit: query.limit, offset: query.offset };
    const where = this.where(query, params);
    const order = this.orderBy(query.sort, params, nowSeconds);
    const page = `SELECT j.id, COUNT(*) OVER () AS filtered FROM jobs j ${where.sql} ORDER BY ${order} LIMIT @limit OFFSET @offset`;
    const ids = this.statement(page, true).all(params) as { id: bigint; filtered: bigint }[];
    const first = ids[0];
    if (first === undefined) {
      return { rows: [], filtered: query.offset === 0 ? 0 : this.count(query) };
    }
    const rowsParams: Record<string, unknown> = {};
    const rowsOrder = this.orderBy(query.sort, rowsParams, nowSeconds);
    const placeholders = ids.map((row, index) => {
      rowsParams[`id${index}`] = row.id;
      return `@id${index}`;
    });
    const sql = `SELECT ${JOB_COLUMNS} FROM jobs j JOIN job_specs s ON s.id = j.id WHERE j.id IN (${placeholders.join(', ')}) ORDER BY ${rowsOrder}`;
    return { rows: (this.db.prepare(sql).safeIntegers(true).all(rowsParams) as Row[]).map(rowToJob), filtered: Number(first.filtered) };
  }

  /** Streams every matching row without holding them all (exports of 100,000 jobs). */
  *iterate(query: Omit<JobQuery, 'offset' | 'limit'>, nowSeconds: number): Generator<JobRecord> {
    const params: Record<string, unknown> = {};
    const where = this.where(query, params);
    const order = this.orderBy(query.sort, params, nowSeconds);
    const sql = `SELECT ${JOB_COLUMNS} FROM jobs j JOIN job_specs s ON s.id = j.id ${where.sql} ORDER BY ${order}`;
    for (const row of this.statement(sql, true).iterate(params) as IterableIterator<Row>) {
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
