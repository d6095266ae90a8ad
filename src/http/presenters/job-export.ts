/**
 * Job rows as CSV (RFC 4180, header row first) or JSON. Field values come from one table so
 * both formats agree; ids stay exact 64-bit integers in JSON. In CSV, text that a spreadsheet
 * would run as a formula (starting with = + - @) is prefixed with an apostrophe, as OWASP
 * advises for exports opened in spreadsheets; numbers are written as they are.
 */
import { toF58 } from '../../model/job-id.js';
import { stringifyJson } from '../../lib/json.js';
import { runtimeOf } from '../../model/job.js';
import type { ExportRow } from '../../domain/job-exports.js';
import { isHeld } from './job-labels.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type TimeStyle = 'epoch' | 'iso';

type Value = string | number | boolean | bigint | null | string[] | Record<string, string> | { type: string; name: string }[];
type Getter = (row: ExportRow, now: number) => Value;

const TIME_FIELDS = new Set(['t_submit', 't_depend', 't_priority', 't_sched', 't_run', 't_cleanup', 't_inactive', 'expiration']);

const FIELDS: Record<string, Getter> = {
  id: ({ job }) => job.id,
  jobid: ({ job }) => toF58(job.id),
  name: ({ job }) => job.name,
  owner: ({ job }) => job.owner,
  state: ({ job }) => job.state,
  result: ({ job }) => job.result,
  returncode: ({ job }) => job.returncode,
  success: ({ job }) => job.success,
  waitstatus: ({ job }) => job.waitstatus,
  exception_type: ({ job }) => job.exception.type,
  exception_note: ({ job }) => job.exception.note,
  urgency: ({ job }) => job.urgency,
  priority: ({ job }) => job.priority,
  held: ({ job }) => isHeld(job),
  hold_reason: ({ job, labels }) => (isHeld(job) ? (labels?.hold?.reason ?? null) : null),
  queue: ({ job }) => job.queue,
  ntasks: ({ job }) => job.ntasks,
  ncores: ({ job }) => job.ncores,
  ngpus: ({ job }) => job.ngpus,
  nnodes: ({ job }) => job.nnodes,
  nodelist: ({ job }) => job.nodelist,
  duration: ({ job }) => job.duration,
  runtime: ({ job }, now) => runtimeOf(job, now),
  cwd: ({ job }) => job.cwd,
  command: ({ job }) => job.command,
  executor: ({ job }) => job.executor,
  t_submit: ({ job }) => job.t_submit,
  t_depend: ({ job }) => job.t_depend,
  t_priority: ({ job }) => job.t_priority,
  t_sched: ({ job }) => job.t_sched,
  t_run: ({ job }) => job.t_run,
  t_cleanup: ({ job }) => job.t_cleanup,
  t_inactive: ({ job }) => job.t_inactive,
  expiration: ({ job }) => job.expiration,
  cpu_seconds: ({ job }) => job.usage?.cpuSeconds ?? null,
  cpu_efficiency: ({ job }) => job.usage?.cpuEfficiency ?? null,
  peak_memory: ({ job }) => job.usage?.peakMemBytes ?? null,
  gpu_seconds: ({ job }) => job.usage?.gpuSeconds ?? null,
  tags: ({ labels }) => labels?.tags ?? [],
  metadata: ({ labels }) => labels?.metadata ?? {},
};

export const EXPORT_FIELDS = Object.keys(FIELDS);
export const DEFAULT_EXPORT_FIELDS = ['id', 'jobid', 'name', 'owner', 'state', 'result', 'returncode', 'queue', 'ntasks', 'ncores', 'runtime', 't_submit', 't_run', 't_inactive'];
export const LABEL_FIELDS = new Set(['tags', 'metadata', 'hold_reason']);

function isoTime(value: Value): Value {
  return typeof value === 'number' ? new Date(value * 1000).toISOString() : value;
}

/** A word quoted for a POSIX shell only when it needs it (commands in CSV read like command lines). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function csvText(value: Value): string {
  if (value === null) return '';
  if (Array.isArray(value)) {
    return value.map((item) => (typeof item === 'string' ? shellWord(item) : `${item.type}:${item.name}`)).join(value.every((item) => typeof item === 'string') ? ' ' : ';');
  }
  if (typeof value === 'object' && typeof value !== 'bigint') {
    return Object.entries(value).map(([key, item]) => `${key}=${item}`).join(';');
  }
  return String(value);
}

function csvCell(value: Value): string {
  let text = csvText(value);
  if (typeof value === 'string' || Array.isArray(value) || (typeof value === 'object' && value !== null)) {
    if (/^[=+\-@\t\r]/.test(text)) {
      text = `'${text}`;
    }
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export class ExportWriter {
  constructor(
    private readonly format: ExportFormat,
    private readonly fields: readonly string[],
    private readonly times: TimeStyle,
    private readonly now: number,
  ) {}

  get contentType(): string {
    return { csv: 'text/csv; charset=utf-8; header=present', json: 'application/json; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' }[this.format];
  }

  head(): string {
    if (this.format === 'csv') return `${this.fields.map((field) => csvCell(field)).join(',')}\r\n`;
    return this.format === 'json' ? '[' : '';
  }

  row(row: ExportRow, first: boolean): string {
    const values = this.fields.map((field): Value => {
      const value = (FIELDS[field] ?? (() => null))(row, this.now);
      return this.times === 'iso' && TIME_FIELDS.has(field) ? isoTime(value) : value;
    });
    if (this.format === 'csv') {
      return `${values.map(csvCell).join(',')}\r\n`;
    }
    const object = stringifyJson(Object.fromEntries(this.fields.map((field, index) => [field, values[index]])));
    return this.format === 'json' ? `${first ? '\n' : ',\n'}${object}` : `${object}\n`;
  }

  tail(rows: number): string {
    return this.format === 'json' ? (rows > 0 ? '\n]\n' : ']\n') : '';
  }
}
