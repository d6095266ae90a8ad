/**
 * The job table: DataTables in server-side mode against /v1/jobs/search. The view (search,
 * filters, sort, page, page length) lives in the URL, so a link reproduces it; rows refresh
 * every few seconds without losing it; rows can be selected (across pages and refreshes) and
 * cancelled together. Every value is escaped before DataTables inserts it as HTML.
 */
import type { AjaxData, Api, Config, DataTablesStatic } from 'datatables.net';
import { escapeHtml, html, postWithCsrf, required, visibleControls } from './lib/dom.js';
import { formatDuration, formatTime } from './lib/format.js';
import { f58ToDecimal } from './lib/jobid.js';

interface JobRow {
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
}

interface SearchAnswer {
  draw: number;
  recordsTotal: number;
  recordsFiltered: number;
  data: JobRow[];
}

/** Columns in table order; `data` is the search field each one sorts by. */
const COLUMNS = ['select', 'id', 'name', 'owner', 'state', 'result', 'returncode', 't_submit', 'runtime', 'ntasks'] as const;
type ColumnName = (typeof COLUMNS)[number];
const DEFAULT_SORT: { column: ColumnName; dir: 'asc' | 'desc' } = { column: 't_submit', dir: 'desc' };
const DEFAULT_LENGTH = 25;
const LENGTHS = [10, 25, 50, 100];
const REFRESH_MS = 5000;

const DataTable = (globalThis as { DataTable?: DataTablesStatic }).DataTable;
if (DataTable === undefined) {
  throw new Error('DataTables did not load');
}

const tableElement = required('#jobs', HTMLTableElement);
const stateFilter = required('#filter-state', HTMLSelectElement);
const resultFilter = required('#filter-result', HTMLSelectElement);
const ownerFilter = document.querySelector<HTMLInputElement>('#filter-owner');
const live = required('#live-refresh', HTMLInputElement);
const selectPage = required('#select-page', HTMLInputElement);
const cancelButton = required('#cancel-selected', HTMLButtonElement);
const clearButton = required('#clear-selection', HTMLButtonElement);
const selectedCount = required('#selected-count', HTMLElement);
const bulkStatus = required('#bulk-status', HTMLElement);

/** Selected job ids (exact decimal), kept across pages and refreshes. */
const selected = new Set<string>();
let loading = false;
let lastAnswer: SearchAnswer = { draw: 0, recordsTotal: 0, recordsFiltered: 0, data: [] };

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
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
  };
}

// ---- the view in the URL ----

interface ViewState {
  search: string;
  state: string;
  result: string;
  owner: string;
  sort: ColumnName;
  dir: 'asc' | 'desc';
  page: number;
  length: number;
}

function readUrl(): ViewState {
  const params = new URLSearchParams(window.location.search);
  const sort = params.get('sort') ?? '';
  const length = Number(params.get('len'));
  const page = Number(params.get('page'));
  return {
    search: params.get('q') ?? '',
    state: params.get('state') ?? '',
    result: params.get('result') ?? '',
    owner: params.get('owner') ?? '',
    sort: (COLUMNS as readonly string[]).includes(sort) && sort !== 'select' ? (sort as ColumnName) : DEFAULT_SORT.column,
    dir: params.get('dir') === 'asc' ? 'asc' : params.get('dir') === 'desc' ? 'desc' : DEFAULT_SORT.dir,
    page: Number.isInteger(page) && page > 0 ? page : 1,
    length: LENGTHS.includes(length) ? length : DEFAULT_LENGTH,
  };
}

function writeUrl(table: Api<JobRow>): void {
  const [first] = table.order() as unknown as [number, string][];
  const column = COLUMNS[first?.[0] ?? -1] ?? DEFAULT_SORT.column;
  const dir = first?.[1] === 'asc' ? 'asc' : 'desc';
  const info = table.page.info();
  const params = new URLSearchParams();
  const put = (name: string, value: string, fallback: string): void => {
    if (value !== fallback) {
      params.set(name, value);
    }
  };
  const term = table.search();
  put('q', typeof term === 'string' ? term : '', '');
  put('state', stateFilter.value, '');
  put('result', resultFilter.value, '');
  put('owner', ownerFilter?.value.trim() ?? '', '');
  put('sort', column, DEFAULT_SORT.column);
  put('dir', dir, column === DEFAULT_SORT.column ? DEFAULT_SORT.dir : 'asc');
  put('page', String(info.page + 1), '1');
  put('len', String(info.length), String(DEFAULT_LENGTH));
  const query = params.toString();
  const url = `${window.location.pathname}${query === '' ? '' : `?${query}`}`;
  if (url !== `${window.location.pathname}${window.location.search}`) {
    window.history.replaceState(null, '', url);
  }
}

// ---- requests ----

/** DataTables' request in the bracketed query form the search endpoint reads, plus the filters. */
function searchQuery(data: AjaxData): string {
  const params = new URLSearchParams();
  params.set('draw', String(data.draw ?? 1));
  params.set('start', String(data.start ?? 0));
  params.set('length', String(data.length ?? DEFAULT_LENGTH));
  params.set('search[value]', data.search?.value ?? '');
  const filters: Partial<Record<ColumnName, string>> = { state: stateFilter.value, result: resultFilter.value, owner: ownerFilter?.value.trim() ?? '' };
  COLUMNS.forEach((name, index) => {
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

async function fetchPage(data: AjaxData): Promise<SearchAnswer> {
  const response = await fetch(`/v1/jobs/search?${searchQuery(data)}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) {
    throw new Error('signed-out');
  }
  if (!response.ok) {
    throw new Error(`The job list could not be loaded (HTTP ${response.status}).`);
  }
  const body = (await response.json()) as { draw?: unknown; recordsTotal?: unknown; recordsFiltered?: unknown; data?: unknown };
  const rows = Array.isArray(body.data) ? body.data.map(toRow).filter((row): row is JobRow => row !== null) : [];
  return {
    draw: typeof body.draw === 'number' ? body.draw : (data.draw ?? 0),
    recordsTotal: typeof body.recordsTotal === 'number' ? body.recordsTotal : 0,
    recordsFiltered: typeof body.recordsFiltered === 'number' ? body.recordsFiltered : 0,
    data: rows,
  };
}

function showProblem(message: string, signedOut = false): void {
  bulkStatus.replaceChildren();
  if (signedOut) {
    const link = document.createElement('a');
    link.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    link.textContent = 'Your session ended: sign in again.';
    bulkStatus.append(link);
  } else {
    bulkStatus.textContent = message;
  }
  bulkStatus.className = 'problem';
}

// ---- cells (every value escaped: DataTables inserts rendered strings as HTML) ----

function badge(kind: 'state' | 'result', value: string): string {
  return value === '' ? '<span class="muted">—</span>' : html`<span class="badge ${kind} ${kind}-${value.toLowerCase()}">${value}</span>`;
}

type Render = (value: unknown, type: string, row: JobRow) => string;

const renderers: Record<ColumnName, Render> = {
  select: (_value, _type, row) =>
    `<input type="checkbox" class="row-select" data-id="${escapeHtml(row.id)}" aria-label="Select job ${escapeHtml(row.id)}"${row.state === 'INACTIVE' ? ' disabled title="Ended: nothing to cancel"' : ''}${selected.has(row.id) ? ' checked' : ''}>`,
  id: (_value, _type, row) => html`<a class="mono" href="/job/${row.id}">${row.id}</a>`,
  name: (_value, _type, row) => html`<a href="/job/${row.id}">${visibleControls(row.name)}</a>`,
  owner: (_value, _type, row) => escapeHtml(row.owner),
  state: (_value, _type, row) => badge('state', row.state),
  result: (_value, _type, row) => badge('result', row.result),
  returncode: (_value, _type, row) => (row.returncode === '' ? '<span class="muted">—</span>' : escapeHtml(row.returncode)),
  t_submit: (_value, _type, row) => html`<time datetime="${new Date(row.t_submit * 1000).toISOString()}">${formatTime(row.t_submit)}</time>`,
  runtime: (_value, _type, row) => escapeHtml(row.state === 'INACTIVE' || row.runtime > 0 ? formatDuration(row.runtime) : '—'),
  ntasks: (_value, _type, row) => escapeHtml(`${row.ntasks} / ${row.nnodes === '' ? '—' : row.nnodes}`),
};

// ---- the table ----

const initial = readUrl();
stateFilter.value = initial.state;
resultFilter.value = initial.result;
if (ownerFilter !== null) {
  ownerFilter.value = initial.owner;
}

const table: Api<JobRow> = new DataTable<JobRow>(tableElement, {
  serverSide: true,
  processing: true,
  searchDelay: 300,
  pageLength: initial.length,
  lengthMenu: LENGTHS,
  displayStart: (initial.page - 1) * initial.length,
  order: [[COLUMNS.indexOf(initial.sort), initial.dir]],
  // DataTables reads `search.search` as the initial term (its types leave the field out).
  search: { search: initial.search } as unknown as Config['search'],
  autoWidth: false,
  columns: COLUMNS.map((name) => ({
    data: name === 'select' ? null : name,
    name,
    orderable: name !== 'select',
    // Two states only (no "unsorted"); ids, times and runtimes start newest/longest first.
    orderSequence: name === 'id' || name === 't_submit' || name === 'runtime' ? ['desc', 'asc'] : ['asc', 'desc'],
    searchable: false,
    className: `col-${name}`,
    render: renderers[name],
  })),
  language: {
    search: 'Search:',
    searchPlaceholder: 'id, name, command, owner, state…',
    emptyTable: 'No jobs yet.',
    zeroRecords: 'No job matches.',
    info: 'Jobs _START_ to _END_ of _TOTAL_',
    infoEmpty: 'No jobs',
    infoFiltered: '(of _MAX_ in all)',
    lengthMenu: '_MENU_ per page',
  },
  ajax: (data: AjaxData, callback: (answer: SearchAnswer) => void) => {
    loading = true;
    fetchPage(data)
      .then((answer) => {
        lastAnswer = answer;
        if (bulkStatus.className === 'problem') {
          bulkStatus.textContent = '';
          bulkStatus.className = '';
        }
        callback(answer);
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        showProblem(message, message === 'signed-out');
        // Keep showing the last rows rather than an empty table.
        callback({ ...lastAnswer, draw: data.draw ?? lastAnswer.draw });
      })
      .finally(() => {
        loading = false;
      });
  },
  drawCallback: () => {
    syncSelection();
    writeUrl(table);
  },
});

function visibleBoxes(): HTMLInputElement[] {
  return [...tableElement.querySelectorAll<HTMLInputElement>('tbody input.row-select')];
}

function syncSelection(): void {
  const boxes = visibleBoxes().filter((box) => !box.disabled);
  for (const box of boxes) {
    box.checked = selected.has(box.dataset.id ?? '');
  }
  selectPage.checked = boxes.length > 0 && boxes.every((box) => box.checked);
  selectPage.indeterminate = !selectPage.checked && boxes.some((box) => box.checked);
  selectedCount.textContent = selected.size === 0 ? 'No jobs selected' : `${selected.size} job${selected.size === 1 ? '' : 's'} selected`;
  cancelButton.disabled = selected.size === 0;
  clearButton.disabled = selected.size === 0;
}

tableElement.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.classList.contains('row-select')) {
    return;
  }
  const id = box.dataset.id ?? '';
  if (box.checked) {
    selected.add(id);
  } else {
    selected.delete(id);
  }
  syncSelection();
});

selectPage.addEventListener('change', () => {
  for (const box of visibleBoxes().filter((candidate) => !candidate.disabled)) {
    const id = box.dataset.id ?? '';
    if (selectPage.checked) {
      selected.add(id);
    } else {
      selected.delete(id);
    }
  }
  syncSelection();
});

clearButton.addEventListener('click', () => {
  selected.clear();
  syncSelection();
});

cancelButton.addEventListener('click', () => {
  void cancelSelected();
});

async function cancelSelected(): Promise<void> {
  const ids = [...selected];
  if (ids.length === 0 || !window.confirm(`Cancel ${ids.length} job${ids.length === 1 ? '' : 's'}?`)) {
    return;
  }
  cancelButton.disabled = true;
  bulkStatus.className = '';
  bulkStatus.textContent = `Cancelling ${ids.length}…`;
  const outcomes = await Promise.all(ids.map(async (id) => {
    try {
      return (await postWithCsrf(`/v1/jobs/${encodeURIComponent(id)}/cancel`)).status;
    } catch {
      return 0;
    }
  }));
  const requested = outcomes.filter((code) => code === 200).length;
  const ended = outcomes.filter((code) => code === 409).length;
  const failed = outcomes.length - requested - ended;
  selected.clear();
  bulkStatus.textContent = [
    `Cancel requested for ${requested} job${requested === 1 ? '' : 's'}.`,
    ended > 0 ? `${ended} had already ended.` : '',
    failed > 0 ? `${failed} could not be cancelled.` : '',
  ].filter(Boolean).join(' ');
  table.ajax.reload(undefined, false);
}

for (const filter of [stateFilter, resultFilter]) {
  filter.addEventListener('change', () => table.draw());
}
let ownerTimer: number | undefined;
ownerFilter?.addEventListener('input', () => {
  window.clearTimeout(ownerTimer);
  ownerTimer = window.setTimeout(() => table.draw(), 300);
});
required('#job-filters', HTMLFormElement).addEventListener('submit', (event) => event.preventDefault());

required('#reset-view', HTMLButtonElement).addEventListener('click', () => {
  stateFilter.value = '';
  resultFilter.value = '';
  if (ownerFilter !== null) {
    ownerFilter.value = '';
  }
  table.search('').order([[COLUMNS.indexOf(DEFAULT_SORT.column), DEFAULT_SORT.dir]]).page.len(DEFAULT_LENGTH).draw();
});

// Live rows: redraw in place (same page, sort and search) while the tab is visible.
window.setInterval(() => {
  if (live.checked && !loading && document.visibilityState === 'visible') {
    table.ajax.reload(undefined, false);
  }
}, REFRESH_MS);
