/**
 * The job table: DataTables in server-side mode against /v1/jobs/search. The view (search,
 * filters, sort, page, page length) lives in the URL, so a link reproduces it, and the Export
 * link downloads it whole; rows refresh every few seconds without losing it; rows can be
 * selected (across pages and refreshes) and cancelled, held or released together.
 */
import type { AjaxData, Api, Config, DataTablesStatic } from 'datatables.net';
import { required } from './lib/dom.js';
import { bulkAction, type BulkAction } from './table/bulk.js';
import { cellRenderers } from './table/cells.js';
import { COLUMNS, fetchRows, SignedOut, UNSORTED, type Filters, type JobRow, type SearchAnswer } from './table/rows.js';
import { DEFAULT_VIEW, exportUrl, LENGTHS, readView, viewQuery, type View } from './table/view-url.js';

const REFRESH_MS = 5000;

const DataTable = (globalThis as { DataTable?: DataTablesStatic }).DataTable;
if (DataTable === undefined) {
  throw new Error('DataTables did not load');
}

const tableElement = required('#jobs', HTMLTableElement);
const stateFilter = required('#filter-state', HTMLSelectElement);
const resultFilter = required('#filter-result', HTMLSelectElement);
const ownerFilter = document.querySelector<HTMLInputElement>('#filter-owner');
const tagFilter = required('#filter-tag', HTMLInputElement);
const heldFilter = required('#filter-held', HTMLSelectElement);
const live = required('#live-refresh', HTMLInputElement);
const selectPage = required('#select-page', HTMLInputElement);
const actionButtons = [...document.querySelectorAll<HTMLButtonElement>('#bulk-bar button[data-action]')];
const clearButton = required('#clear-selection', HTMLButtonElement);
const exportLink = required('#export-view', HTMLAnchorElement);
const selectedCount = required('#selected-count', HTMLElement);
const bulkStatus = required('#bulk-status', HTMLElement);

/** Selected job ids (exact decimal), kept across pages and refreshes. */
const selected = new Set<string>();
let loading = false;
let lastAnswer: SearchAnswer = { draw: 0, recordsTotal: 0, recordsFiltered: 0, data: [] };

function heldValue(): View['held'] {
  return heldFilter.value === 'true' || heldFilter.value === 'false' ? heldFilter.value : '';
}

function filters(): Filters {
  return { state: stateFilter.value, result: resultFilter.value, owner: ownerFilter?.value.trim() ?? '', tags: tagFilter.value.trim(), held: heldValue() };
}

function currentView(table: Api<JobRow>): View {
  const [first] = table.order() as unknown as [number, string][];
  const term = table.search();
  const info = table.page.info();
  return {
    search: typeof term === 'string' ? term : '',
    state: stateFilter.value,
    result: resultFilter.value,
    owner: ownerFilter?.value.trim() ?? '',
    tag: tagFilter.value.trim(),
    held: heldValue(),
    sort: COLUMNS[first?.[0] ?? -1] ?? DEFAULT_VIEW.sort,
    dir: first?.[1] === 'asc' ? 'asc' : 'desc',
    page: info.page + 1,
    length: info.length,
  };
}

/** The view into the address bar and the Export link. */
function writeUrl(table: Api<JobRow>): void {
  const view = currentView(table);
  const query = viewQuery(view);
  const url = `${window.location.pathname}${query === '' ? '' : `?${query}`}`;
  if (url !== `${window.location.pathname}${window.location.search}`) {
    window.history.replaceState(null, '', url);
  }
  exportLink.href = exportUrl(view);
}

function showProblem(error: unknown): void {
  bulkStatus.replaceChildren();
  if (error instanceof SignedOut) {
    const link = document.createElement('a');
    link.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    link.textContent = 'Your session ended: sign in again.';
    bulkStatus.append(link);
  } else {
    bulkStatus.textContent = error instanceof Error ? error.message : String(error);
  }
  bulkStatus.className = 'problem';
}

const initial = readView(window.location.search);
stateFilter.value = initial.state;
resultFilter.value = initial.result;
if (ownerFilter !== null) {
  ownerFilter.value = initial.owner;
}
tagFilter.value = initial.tag;
heldFilter.value = initial.held;
const renderers = cellRenderers(selected);

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
    orderable: !UNSORTED.includes(name),
    // Two states only (no "unsorted"); ids, times, runtimes and memory start newest/largest
    // first; efficiency lowest first (the jobs that waste their cores).
    orderSequence: name === 'id' || name === 't_submit' || name === 'runtime' || name === 'peak_memory' ? ['desc', 'asc'] : ['asc', 'desc'],
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
    fetchRows(data, filters())
      .then((answer) => {
        lastAnswer = answer;
        if (bulkStatus.className === 'problem') {
          bulkStatus.textContent = '';
          bulkStatus.className = '';
        }
        callback(answer);
      })
      .catch((error: unknown) => {
        showProblem(error);
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

// ---- selection, and acting on it together ----

function visibleBoxes(): HTMLInputElement[] {
  return [...tableElement.querySelectorAll<HTMLInputElement>('tbody input.row-select')].filter((box) => !box.disabled);
}

function syncSelection(): void {
  const boxes = visibleBoxes();
  for (const box of boxes) {
    box.checked = selected.has(box.dataset.id ?? '');
  }
  selectPage.checked = boxes.length > 0 && boxes.every((box) => box.checked);
  selectPage.indeterminate = !selectPage.checked && boxes.some((box) => box.checked);
  selectedCount.textContent = selected.size === 0 ? 'No jobs selected' : `${selected.size} job${selected.size === 1 ? '' : 's'} selected`;
  for (const button of actionButtons) {
    button.disabled = selected.size === 0;
  }
  clearButton.disabled = selected.size === 0;
}

function choose(box: HTMLInputElement, on: boolean): void {
  const id = box.dataset.id ?? '';
  if (on) {
    selected.add(id);
  } else {
    selected.delete(id);
  }
}

tableElement.addEventListener('change', (event) => {
  const box = event.target;
  if (box instanceof HTMLInputElement && box.classList.contains('row-select')) {
    choose(box, box.checked);
    syncSelection();
  }
});

selectPage.addEventListener('change', () => {
  for (const box of visibleBoxes()) {
    choose(box, selectPage.checked);
  }
  syncSelection();
});

clearButton.addEventListener('click', () => {
  selected.clear();
  syncSelection();
});

async function act(action: BulkAction): Promise<void> {
  const ids = [...selected];
  if (ids.length === 0) {
    return;
  }
  for (const button of actionButtons) {
    button.disabled = true;
  }
  bulkStatus.className = '';
  try {
    const done = await bulkAction(action, ids);
    if (done !== '') {
      selected.clear();
      bulkStatus.textContent = done;
      table.ajax.reload(undefined, false);
    }
  } catch (error: unknown) {
    showProblem(error);
  } finally {
    syncSelection();
  }
}

for (const button of actionButtons) {
  button.addEventListener('click', () => {
    const action = button.dataset.action;
    if (action === 'cancel' || action === 'hold' || action === 'release') {
      void act(action);
    }
  });
}

// ---- filters, reset, live refresh ----

for (const filter of [stateFilter, resultFilter, heldFilter]) {
  filter.addEventListener('change', () => table.draw());
}
// Typed filters redraw once typing pauses.
let typingTimer: number | undefined;
for (const filter of [ownerFilter, tagFilter]) {
  filter?.addEventListener('input', () => {
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(() => table.draw(), 300);
  });
}
required('#job-filters', HTMLFormElement).addEventListener('submit', (event) => event.preventDefault());

required('#reset-view', HTMLButtonElement).addEventListener('click', () => {
  stateFilter.value = '';
  resultFilter.value = '';
  tagFilter.value = '';
  heldFilter.value = '';
  if (ownerFilter !== null) {
    ownerFilter.value = '';
  }
  table.search('').order([[COLUMNS.indexOf(DEFAULT_VIEW.sort), DEFAULT_VIEW.dir]]).page.len(DEFAULT_VIEW.length).draw();
});

// Live rows: redraw in place (same page, sort and search) while the tab is visible.
window.setInterval(() => {
  if (live.checked && !loading && document.visibilityState === 'visible') {
    table.ajax.reload(undefined, false);
  }
}, REFRESH_MS);
