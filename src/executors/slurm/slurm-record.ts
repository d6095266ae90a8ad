/**
 * What jobgate needs to know about one Slurm job, read from `squeue --json` (every job
 * slurmctld still holds, finished ones included for MinJobAge) or from the job-completion
 * record through `sacct -c` (finished jobs slurmctld has already forgotten). One pure parser
 * per source, so both can be tested against captured output.
 */

export interface SlurmJobRecord {
  jobId: number;
  /** Slurm's state name: PENDING, RUNNING, COMPLETING, COMPLETED, CANCELLED, TIMEOUT, ... */
  state: string;
  /** Why it is pending or how it ended (state_reason), '' when not given. */
  reason: string;
  /** Raw wait status of the batch script (`exit_code`), or null when not known yet. */
  exitStatus: number | null;
  /** Epoch seconds, 0 when unknown. */
  startTime: number;
  endTime: number;
  /** Hostlist of the allocation; '' while nothing is allocated (and for jobs that never ran). */
  nodes: string;
  nodeCount: number;
  cpus: number;
  /** Minutes, null for no limit. */
  timeLimit: number | null;
  partition: string;
}

import { refuseErrors } from './json-errors.js';
type Json = Record<string, unknown>;

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Parses `squeue --json` (OpenAPI v0.0.38 shape). Its filters are ignored, so this reads every job. */
export function parseSqueueJson(text: string): Map<number, SlurmJobRecord> {
  const parsed: unknown = JSON.parse(text);
  refuseErrors('squeue --json', parsed);
  const jobs = (parsed as Json | null)?.jobs;
  const records = new Map<number, SlurmJobRecord>();
  if (!Array.isArray(jobs)) {
    throw new Error('squeue --json: no "jobs" array in its answer');
  }
  for (const item of jobs as unknown[]) {
    if (typeof item !== 'object' || item === null) {
      continue;
    }
    const job = item as Json;
    const jobId = num(job.job_id, -1);
    if (jobId < 0) {
      continue;
    }
    const exit = job.exit_code;
    records.set(jobId, {
      jobId,
      state: str(job.job_state),
      reason: str(job.state_reason) === 'None' ? '' : str(job.state_reason),
      exitStatus: typeof exit === 'number' ? exit : null,
      startTime: num(job.start_time),
      endTime: num(job.end_time),
      nodes: str(job.nodes),
      nodeCount: num(job.node_count, 1),
      cpus: num(job.cpus, 1),
      timeLimit: typeof job.time_limit === 'number' ? job.time_limit : null,
      partition: str(job.partition),
    });
  }
  return records;
}

/** The `sacct -c` columns `parseSacct` reads, in order. */
export const SACCT_FIELDS = ['jobid', 'state', 'exitcode', 'start', 'end', 'nodelist', 'ncpus', 'nnodes', 'timelimit', 'partition'] as const;

/** `3:0` → wait status (code 3), `0:15` → wait status of signal 15. */
export function waitStatusOf(exitCode: string): number | null {
  const match = /^(\d+):(\d+)$/.exec(exitCode.trim());
  if (match === null || match[1] === undefined || match[2] === undefined) {
    return null;
  }
  const code = Number.parseInt(match[1], 10);
  const signal = Number.parseInt(match[2], 10);
  return signal !== 0 ? signal & 0x7f : (code & 0xff) << 8;
}

/** sacct prints local times without a zone (`2026-01-02T03:04:05`), or `Unknown`/`None`. */
function epochOf(text: string): number {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) {
    return 0;
  }
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms / 1000 : 0;
}

/** `UNLIMITED`, `5` (minutes), `01:00:00`, `1-00:00:00` → minutes. */
function minutesOf(text: string): number | null {
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+)(?::(\d+))?$/.exec(text.trim());
  if (match === null) {
    return null;
  }
  const [, days, first, second, third] = match;
  const n = (value: string | undefined): number => (value === undefined ? 0 : Number.parseInt(value, 10));
  if (third !== undefined) {
    // [D-]HH:MM:SS
    return n(days) * 1440 + n(first) * 60 + n(second) + Math.ceil(n(third) / 60);
  }
  if (first !== undefined) {
    // [D-]HH:MM (with days) or MM:SS
    return days !== undefined ? n(days) * 1440 + n(first) * 60 + n(second) : n(first) + Math.ceil(n(second) / 60);
  }
  return n(days) * 1440 + n(second);
}

/**
 * Parses `sacct -c -P -n -o <SACCT_FIELDS>` (the job-completion text file; slurmdbd is not
 * needed). Only whole jobs: step lines (`12.0`, `12.batch`) are skipped.
 */
export function parseSacct(text: string): Map<number, SlurmJobRecord> {
  const records = new Map<number, SlurmJobRecord>();
  for (const line of text.split('\n')) {
    const cols = line.split('|');
    if (cols.length < SACCT_FIELDS.length) {
      continue;
    }
    const [jobid = '', state = '', exitcode = '', start = '', end = '', nodelist = '', ncpus = '', nnodes = '', timelimit = '', partition = ''] = cols;
    if (!/^\d+$/.test(jobid)) {
      continue;
    }
    const nodes = nodelist === '(null)' || nodelist === 'None assigned' ? '' : nodelist;
    records.set(Number.parseInt(jobid, 10), {
      jobId: Number.parseInt(jobid, 10),
      // "CANCELLED by 1000" in some versions: the first word is the state.
      state: state.split(' ')[0] ?? '',
      reason: '',
      exitStatus: waitStatusOf(exitcode),
      startTime: epochOf(start),
      endTime: epochOf(end),
      nodes,
      nodeCount: Number.parseInt(nnodes, 10) || (nodes === '' ? 0 : 1),
      cpus: Number.parseInt(ncpus, 10) || 0,
      timeLimit: minutesOf(timelimit),
      partition,
    });
  }
  return records;
}
