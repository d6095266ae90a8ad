/** The job table's rows: what it asks /v1/jobs/search for, and the rows it keeps from the answer. */
import type { AjaxData } from 'datatables.net';
import { f58ToDecimal } from '../lib/jobid.js';

/** Columns in table order; each name is the search field it shows and sorts by (`select` is the checkbox). */
export const COLUMNS = ['select', 'id', 'name', 'tags', 'owner', 'state', 'result', 'returncode', 't_submit', 'runtime', 'ntasks', 'cpu_efficiency', 'peak_memory'] as const;
export type ColumnName = (typeof COLUMNS)[number];

/** Columns that cannot be sorted by (the checkbox; tags are many per job). */
export const UNSORTED: readonly ColumnName[] = ['select', 'tags'];

export interface Tag {
  type: string;
  name: string;
}

export interface JobRow {
  /** Exact decimal id (from the F58 text: JSON numbers past 2^53 are rounded). */
  id: string;
  name: string;
  owner: string;
  state: string;
  result: string;
  returncode: string;
  t_submit: number;
  runtime: number;
  ntasks: number;
  nnodes: string;
  tags: Tag[];
  /** Urgency 0 and not started. */
  held: boolean;
  /** Measured CPU efficiency (0..1) and peak resident bytes; null until measured. */
  cpu_efficiency: number | null;
  peak_memory: number | null;
}

export interface SearchAnswer {
  draw: number;
  recordsTotal: number;
  recordsFiltered: number;
  data: JobRow[];
}

/** Column filters (state, result, owner, tags) sent as DataTables column searches; `held` has no column of its own. */
export type Filters = Partial<Record<ColumnName | 'held', string>>;

export class SignedOut extends Error {}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function tagsOf(value: unknown): Tag[] {
  return Array.isArray(value)
    ? value.filter((tag): tag is Tag => typeof tag === 'object' && tag !== null && typeof (tag as Tag).type === 'string' && typeof (tag as Tag).name === 'string')
    : [];
}

function measured(usage: unknown, key: string): number | null {
  const value = typeof usage === 'object' && usage !== null ? (usage as Record<string, unknown>)[key] : null;
  return typeof value === 'number' ? value : null;
}

function toRow(value: unknown): JobRow | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const record = value as Record<string, unknown>;
  const id = f58ToDecimal(text(record.jobid));
  if (id === null) {
    return null;
  }
  return {
    id,
    name: text(record.name),
    owner: text(record.owner),
    state: text(record.state),
    result: text(record.result),
    returncode: text(record.returncode),
    t_submit: typeof record.t_submit === 'number' ? record.t_submit : 0,
    runtime: typeof record.runtime === 'number' ? record.runtime : 0,
    ntasks: typeof record.ntasks === 'number' ? record.ntasks : 0,
    nnodes: text(record.nnodes),
    tags: tagsOf(record.tags),
    held: record.held === true,
    cpu_efficiency: measured(record.usage, 'cpu_efficiency'),
    peak_memory: measured(record.usage, 'peak_memory'),
  };
}

/** DataTables' request in the bracketed query form the search endpoint reads, plus the filters. */
export function searchQuery(data: AjaxData, filters: Filters): string {
  const params = new URLSearchParams();
  params.set('draw', String(data.draw ?? 1));
  params.set('start', String(data.start ?? 0));
  params.set('length', String(data.length ?? 25));
  params.set('search[value]', data.search?.value ?? '');
  // The table's columns, then `held` as one more (a filter without a column of its own).
  [...COLUMNS, 'held' as const].forEach((name, index) => {
    params.set(`columns[${index}][data]`, name === 'select' ? '' : name);
    const filter = filters[name] ?? '';
    if (filter !== '') {
      params.set(`columns[${index}][search][value]`, filter);
    }
  });
  (data.order ?? []).forEach((order, index) => {
    params.set(`order[${index}][column]`, String(order.column));
    params.set(`order[${index}][dir]`, order.dir === 'asc' ? 'asc' : 'desc');
  });
  return params.toString();
}

export async function fetchRows(data: AjaxData, filters: Filters): Promise<SearchAnswer> {
  const response = await fetch(`/v1/jobs/search?${searchQuery(data, filters)}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) {
    throw new SignedOut('signed out');
  }
  if (!response.ok) {
    throw new Error(`The job list could not be loaded (HTTP ${response.status}).`);
  }
  const body = (await response.json()) as { draw?: unknown; recordsTotal?: unknown; recordsFiltered?: unknown; data?: unknown };
  return {
    draw: typeof body.draw === 'number' ? body.draw : (data.draw ?? 0),
    recordsTotal: typeof body.recordsTotal === 'number' ? body.recordsTotal : 0,
    recordsFiltered: typeof body.recordsFiltered === 'number' ? body.recordsFiltered : 0,
    data: Array.isArray(body.data) ? body.data.map(toRow).filter((row): row is JobRow => row !== null) : [],
  };
}
