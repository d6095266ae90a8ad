/**
 * A job as its page shows it: every attribute, grouped and formatted for people (times in
 * UTC, which the page's script turns into the reader's local time; durations as 1h30m; the
 * command as one shell-quoted line that can be pasted back). Values stay plain text: the
 * templates escape them.
 */
import { join as shellJoin } from 'shlex';
import { toF58 } from '../../model/job-id.js';
import { formatDuration } from '../../lib/parse.js';
import { runtimeOf, type JobRecord } from '../../model/job.js';
import type { StoredEvent } from '../../model/job-event.js';

export interface Attribute {
  /** The API field it comes from (the page's script refreshes values by it). */
  key: string;
  label: string;
  value: string;
  /** An epoch time as ISO 8601: rendered as <time> for the script to show in local time. */
  time?: string;
  /** Code-like values (commands, paths) get a monospace font. */
  mono?: boolean;
}

export interface AttributeGroup {
  title: string;
  rows: Attribute[];
}

export interface EventRow {
  name: string;
  /** ISO 8601. */
  time: string;
  /** UTC, for people (the script shows local time). */
  when: string;
  context: string;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

export function utcText(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/**
 * Control characters (an ESC in a command, a BEL in a name) in caret notation (`^[`, `^G`, as
 * `cat -v` shows them) instead of invisible or garbled glyphs.
 */
export function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (ch) => `^${String.fromCharCode(ch.charCodeAt(0) ^ 0x40)}`);
}

function text(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

function timeRow(key: string, label: string, seconds: number | null): Attribute {
  return seconds === null ? { key, label, value: '—' } : { key, label, value: utcText(seconds), time: iso(seconds) };
}

/** argv as one shell-quoted line that splits back into the same words. */
export function commandLine(argv: readonly string[]): string {
  return shellJoin(argv);
}

export function jobAttributes(job: JobRecord, nowSeconds: number): AttributeGroup[] {
  const done = job.state === 'INACTIVE';
  const exception = job.exception.occurred
    ? [job.exception.type, job.exception.severity === null ? null : `severity ${job.exception.severity}`, job.exception.note].filter((part) => part !== null && part !== '').join(', ')
    : done ? 'none' : '—';
  const flags = Object.entries(job.spec.optionFlags).map(([key, value]) => `${key}=${value}`).join(', ');
  return [
    {
      title: 'Job',
      rows: [
        { key: 'id', label: 'ID', value: job.id.toString(), mono: true },
        { key: 'jobid', label: 'F58 ID', value: toF58(job.id), mono: true },
        { key: 'name', label: 'Name', value: visible(job.name) },
        { key: 'owner', label: 'Owner', value: `${job.owner} (uid ${job.userid})` },
        { key: 'state', label: 'State', value: job.state },
        { key: 'result', label: 'Result', value: text(done ? job.result : null) },
        { key: 'returncode', label: 'Return code', value: text(done ? job.returncode : null) },
        { key: 'waitstatus', label: 'Wait status', value: text(done ? job.waitstatus : null) },
        { key: 'success', label: 'Success', value: done ? (job.success ? 'yes' : 'no') : '—' },
        { key: 'exception', label: 'Exception', value: exception },
        { key: 'runtime', label: 'Runtime', value: formatDuration(runtimeOf(job, nowSeconds)) },
        { key: 'executor', label: 'Executor', value: job.executor },
        // The backend's own id (a Slurm job or step id), as the API shows it (`slurm_id`); other
        // executors keep an internal reference there (the local one: JSON), not an id for people.
        ...(job.executor !== 'slurm' || job.backendRef === null ? [] : [{ key: 'slurm_id', label: 'Slurm id', value: job.backendRef, mono: true }]),
      ],
    },
    {
      title: 'Request',
      rows: [
        { key: 'command', label: 'Command', value: visible(commandLine(job.command)), mono: true },
        { key: 'cwd', label: 'Working directory', value: text(job.cwd ?? job.spec.workdir), mono: true },
        { key: 'duration', label: 'Time limit', value: job.duration > 0 ? formatDuration(job.duration) : 'none' },
        { key: 'option_flags', label: 'Option flags', value: text(flags), mono: true },
        { key: 'exclusive', label: 'Exclusive', value: job.spec.exclusive ? 'yes' : 'no' },
        { key: 'tty', label: 'Terminal (pty)', value: job.spec.tty ? 'yes' : 'no' },
        { key: 'queue', label: 'Queue', value: text(job.queue) },
      ],
    },
    {
      title: 'Resources',
      rows: [
        { key: 'ntasks', label: 'Tasks', value: String(job.ntasks) },
        { key: 'ncores', label: 'Cores', value: String(job.ncores) },
        { key: 'ngpus', label: 'GPUs', value: String(job.ngpus) },
        { key: 'nnodes', label: 'Nodes', value: text(job.nnodes) },
        { key: 'nodelist', label: 'Node list', value: text(job.nodelist), mono: true },
        { key: 'ranks', label: 'Ranks', value: text(job.ranks), mono: true },
        { key: 'urgency', label: 'Urgency', value: `${job.urgency}${job.urgency === 0 ? ' (held)' : job.urgency === 31 ? ' (expedited)' : ''}` },
        { key: 'priority', label: 'Priority', value: text(job.priority) },
      ],
    },
    {
      title: 'Times',
      rows: [
        timeRow('t_submit', 'Submitted', job.t_submit),
        timeRow('t_depend', 'Dependencies', job.t_depend),
        timeRow('t_priority', 'Priority set', job.t_priority),
        timeRow('t_sched', 'Scheduled', job.t_sched),
        timeRow('t_run', 'Started', job.t_run),
        timeRow('t_cleanup', 'Finished', job.t_cleanup),
        timeRow('t_inactive', 'Inactive', job.t_inactive),
        timeRow('expiration', 'Expires', job.expiration),
      ],
    },
  ];
}

export function environmentOf(job: JobRecord): { name: string; value: string }[] {
  return Object.entries(job.spec.envars).map(([name, value]) => ({ name, value: visible(value) }));
}

export function eventRows(events: StoredEvent[]): EventRow[] {
  return events.map((event) => ({ name: event.name, time: iso(event.t), when: utcText(event.t), context: event.context === null ? '' : JSON.stringify(event.context, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)) }));
}
