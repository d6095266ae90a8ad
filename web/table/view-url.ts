/**
 * The table's view in the address bar (`?q=&state=&result=&owner=&sort=&dir=&page=&len=`), so
 * a link reproduces it. Defaults are left out to keep links short.
 */
import { COLUMNS, type ColumnName } from './rows.js';

export interface View {
  search: string;
  state: string;
  result: string;
  owner: string;
  sort: ColumnName;
  dir: 'asc' | 'desc';
  /** 1-based. */
  page: number;
  length: number;
}

export const LENGTHS = [10, 25, 50, 100];
export const DEFAULT_VIEW: View = { search: '', state: '', result: '', owner: '', sort: 't_submit', dir: 'desc', page: 1, length: 25 };

export function readView(query: string): View {
  const params = new URLSearchParams(query);
  const sort = params.get('sort') ?? '';
  const length = Number(params.get('len'));
  const page = Number(params.get('page'));
  return {
    search: params.get('q') ?? '',
    state: params.get('state') ?? '',
    result: params.get('result') ?? '',
    owner: params.get('owner') ?? '',
    sort: (COLUMNS as readonly string[]).includes(sort) && sort !== 'select' ? (sort as ColumnName) : DEFAULT_VIEW.sort,
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
  // Sort and direction go together (a link then says exactly what it shows).
  if (view.sort !== DEFAULT_VIEW.sort || view.dir !== DEFAULT_VIEW.dir) {
    params.set('sort', view.sort);
    params.set('dir', view.dir);
  }
  put('page', String(view.page), String(DEFAULT_VIEW.page));
  put('len', String(view.length), String(DEFAULT_VIEW.length));
  return params.toString();
}
