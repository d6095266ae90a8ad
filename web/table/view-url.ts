/**
 * The table's view in the address bar (`?q=&state=&result=&owner=&tag=&held=&sort=&dir=&page=&len=`),
 * so a link reproduces it; defaults are left out to keep links short. The same view, as the
 * filters of `/v1/jobs/export`, is what the Export link downloads.
 */
import { COLUMNS, UNSORTED, type ColumnName } from './rows.js';

export interface View {
  search: string;
  state: string;
  result: string;
  owner: string;
  /** `type:name` or `name`, comma-separated: jobs carrying them all. */
  tag: string;
  /** '' any, 'true' only held jobs, 'false' no held jobs. */
  held: '' | 'true' | 'false';
  sort: ColumnName;
  dir: 'asc' | 'desc';
  /** 1-based. */
  page: number;
  length: number;
}

export const LENGTHS = [10, 25, 50, 100];
export const DEFAULT_VIEW: View = { search: '', state: '', result: '', owner: '', tag: '', held: '', sort: 't_submit', dir: 'desc', page: 1, length: 25 };

/** The columns of an export of the table (what it shows, and both forms of the id). */
const EXPORT_FIELDS = ['id', 'jobid', 'name', 'tags', 'owner', 'state', 'held', 'result', 'returncode', 't_submit', 'runtime', 'ntasks', 'nnodes', 'cpu_efficiency', 'peak_memory'];

export function isSortable(name: string): name is ColumnName {
  return (COLUMNS as readonly string[]).includes(name) && !UNSORTED.includes(name as ColumnName);
}

export function readView(query: string): View {
  const params = new URLSearchParams(query);
  const sort = params.get('sort') ?? '';
  const length = Number(params.get('len'));
  const page = Number(params.get('page'));
  const held = params.get('held');
  return {
    search: params.get('q') ?? '',
    state: params.get('state') ?? '',
    result: params.get('result') ?? '',
    owner: params.get('owner') ?? '',
    tag: params.get('tag') ?? '',
    held: held === 'true' || held === 'false' ? held : '',
    sort: isSortable(sort) ? sort : DEFAULT_VIEW.sort,
    dir: params.get('dir') === 'asc' ? 'asc' : params.get('dir') === 'desc' ? 'desc' : DEFAULT_VIEW.dir,
    page: Number.isInteger(page) && page > 0 ? page : 1,
    length: LENGTHS.includes(length) ? length : DEFAULT_VIEW.length,
  };
}

/** The query string for a view (without `?`; '' for the default view). */
export function viewQuery(view: View): string {
  const params = new URLSearchParams();
  const put = (name: string, value: string, fallback: string): void => {
    if (value !== fallback) {
      params.set(name, value);
    }
  };
  put('q', view.search, DEFAULT_VIEW.search);
  put('state', view.state, DEFAULT_VIEW.state);
  put('result', view.result, DEFAULT_VIEW.result);
  put('owner', view.owner, DEFAULT_VIEW.owner);
  put('tag', view.tag, DEFAULT_VIEW.tag);
  put('held', view.held, DEFAULT_VIEW.held);
  // Sort and direction go together (a link then says exactly what it shows).
  if (view.sort !== DEFAULT_VIEW.sort || view.dir !== DEFAULT_VIEW.dir) {
    params.set('sort', view.sort);
    params.set('dir', view.dir);
  }
  put('page', String(view.page), String(DEFAULT_VIEW.page));
  put('len', String(view.length), String(DEFAULT_VIEW.length));
  return params.toString();
}

/** Every job of the view (all pages), as CSV with a header row, sorted as the table is. */
export function exportUrl(view: View): string {
  const params = new URLSearchParams({ format: 'csv', fields: EXPORT_FIELDS.join(',') });
  const filters: [string, string][] = [['q', view.search], ['state', view.state], ['result', view.result], ['owner', view.owner], ['tag', view.tag], ['held', view.held]];
  for (const [name, value] of filters) {
    if (value.trim() !== '') {
      params.set(name, value.trim());
    }
  }
  params.set('sort', `${view.sort}:${view.dir}`);
  return `/v1/jobs/export?${params.toString()}`;
}
