/**
 * How each column's cell is drawn. DataTables inserts what a renderer returns as HTML, so
 * every value goes through escaping (`html` tags escape each interpolation).
 */
import { escapeHtml, html, visibleControls } from '../lib/dom.js';
import { formatDuration, formatTime } from '../lib/format.js';
import type { ColumnName, JobRow, Tag } from './rows.js';

type Render = (value: unknown, type: string, row: JobRow) => string;

const NONE = '<span class="muted">—</span>';

function badge(kind: 'state' | 'result', value: string): string {
  return value === '' ? NONE : html`<span class="badge ${kind} ${kind}-${value.toLowerCase()}">${value}</span>`;
}

/** A tag as it is typed (`name` for the default type), linking to the table of the jobs carrying it. */
export function tagText(tag: Tag): string {
  return tag.type === 'default' ? tag.name : `${tag.type}:${tag.name}`;
}

function tagChips(tags: readonly Tag[]): string {
  return tags.length === 0 ? '' : tags.map((tag) => html`<a class="tag" href="/jobs?tag=${encodeURIComponent(`${tag.type}:${tag.name}`)}">${visibleControls(tagText(tag))}</a>`).join(' ');
}

function memoryText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib.toFixed(mib < 10 ? 1 : 0)} MiB`;
}

/** Renderers by column; `selected` says which rows have their box ticked. */
export function cellRenderers(selected: ReadonlySet<string>): Record<ColumnName, Render> {
  return {
    select: (_value, _type, row) =>
      `<input type="checkbox" class="row-select" data-id="${escapeHtml(row.id)}" aria-label="Select job ${escapeHtml(row.id)}"${row.state === 'INACTIVE' ? ' disabled title="Ended: nothing to do"' : ''}${selected.has(row.id) ? ' checked' : ''}>`,
    id: (_value, _type, row) => html`<a class="mono" href="/job/${row.id}">${row.id}</a>`,
    name: (_value, _type, row) => html`<a href="/job/${row.id}">${visibleControls(row.name)}</a>`,
    tags: (_value, _type, row) => tagChips(row.tags),
    owner: (_value, _type, row) => escapeHtml(row.owner),
    state: (_value, _type, row) => badge('state', row.state) + (row.held ? ' <span class="badge held" title="Held: it starts once released">held</span>' : ''),
    result: (_value, _type, row) => badge('result', row.result),
    returncode: (_value, _type, row) => (row.returncode === '' ? NONE : escapeHtml(row.returncode)),
    t_submit: (_value, _type, row) => html`<time datetime="${new Date(row.t_submit * 1000).toISOString()}">${formatTime(row.t_submit)}</time>`,
    runtime: (_value, _type, row) => (row.state === 'INACTIVE' || row.runtime > 0 ? escapeHtml(formatDuration(row.runtime)) : NONE),
    ntasks: (_value, _type, row) => escapeHtml(`${row.ntasks} / ${row.nnodes === '' ? '—' : row.nnodes}`),
    cpu_efficiency: (_value, _type, row) => (row.cpu_efficiency === null ? NONE : escapeHtml(`${(row.cpu_efficiency * 100).toFixed(0)} %`)),
    peak_memory: (_value, _type, row) => (row.peak_memory === null ? NONE : escapeHtml(memoryText(row.peak_memory))),
  };
}
