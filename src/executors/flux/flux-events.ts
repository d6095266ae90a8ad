/**
 * From Flux's job events (the job-manager journal, or a job's main eventlog) to jobgate's
 * ExecutorEvents, and what the journal carries beside them: R with the `alloc` event (ranks,
 * nodes, cores, expiration) and the redacted jobspec with `submit` (what an external job is).
 *
 * Events that are Flux's bookkeeping only (`validate`, `annotations`, `debug`, `memo`,
 * `flux-restart`, `dependency-*`) map to nothing.
 */
import path from 'node:path';
import type { JobId } from '../../model/job-id.js';
import type { ExecutorEvent, ExternalJob } from '../../model/executor-events.js';
import { formatIdset, parseIdset } from './idset.js';

/** One eventlog entry, as Flux writes it (RFC 18). */
export interface EventlogEntry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

/** One journal response: a job's events (several in the backlog, one when live), with jobspec/R. */
export interface JournalEntry {
  /** null for the sentinel that ends the backlog (Flux sends id -1). */
  id: JobId | null;
  events: EventlogEntry[];
  jobspec?: unknown;
  R?: unknown;
}

/** Events the journal sends that are not in the job's eventlog (so not counted when deduplicating). */
export const JOURNAL_ONLY_EVENTS: ReadonlySet<string> = new Set(['annotations']);

export interface Allocation {
  ranks: string;
  rankList: number[];
  nodelist: string;
  nnodes: number;
  ncores: number;
  expiration?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** R (RFC 20) → what the job record shows: `ranks` as job-list writes it (`0`, `[0-1]`), nodes, cores. */
export function parseR(R: unknown): Allocation | null {
  if (typeof R === 'string') {
    try {
      return parseR(JSON.parse(R) as unknown);
    } catch {
      return null;
    }
  }
  if (!isRecord(R) || !isRecord(R.execution) || !Array.isArray(R.execution.R_lite)) {
    return null;
  }
  const ranks = new Set<number>();
  let ncores = 0;
  try {
    for (const entry of R.execution.R_lite) {
      if (!isRecord(entry)) {
        continue;
      }
      const entryRanks = parseIdset(str(entry.rank));
      entryRanks.forEach((rank) => ranks.add(rank));
      const children = isRecord(entry.children) ? entry.children : {};
      ncores += entryRanks.length * parseIdset(str(children.core)).length;
    }
  } catch {
    return null;
  }
  const nodelistParts = Array.isArray(R.execution.nodelist) ? R.execution.nodelist.filter((part): part is string => typeof part === 'string') : [];
  const rankList = [...ranks].sort((a, b) => a - b);
  const expiration = num(R.execution.expiration);
  return {
    ranks: formatIdset(rankList, true),
    rankList,
    nodelist: nodelistParts.join(','),
    nnodes: rankList.length,
    ncores,
    ...(expiration > 0 ? { expiration } : {}),
  };
}

/** `resource_summary` of an alloc event's annotations (`rank0/core0`): what is known without R. */
export function allocationFromSummary(context: Record<string, unknown> | undefined): Allocation | null {
  const annotations = isRecord(context?.annotations) ? context.annotations : {};
  const sched = isRecord(annotations.sched) ? annotations.sched : {};
  const summary = str(sched.resource_summary);
  const match = /^rank(\S+?)\/core(\S+)$/.exec(summary);
  if (match === null) {
    return null;
  }
  try {
    const rankList = parseIdset(match[1] ?? '');
    const cores = parseIdset(match[2] ?? '');
    return { ranks: formatIdset(rankList, true), rankList, nodelist: '', nnodes: rankList.length, ncores: rankList.length * cores.length };
  } catch {
    return null;
  }
}

/** Maps one Flux event; null when jobgate has nothing to record for it. */
export function toExecutorEvent(id: JobId, entry: EventlogEntry, allocation: Allocation | null): ExecutorEvent | null {
  const t = entry.timestamp;
  const context = entry.context ?? {};
  switch (entry.name) {
    case 'depend':
    case 'start':
    case 'release':
    case 'free':
    case 'clean':
      return { id, t, name: entry.name };
    case 'priority':
      return { id, t, name: 'priority', priority: num(context.priority) };
    case 'urgency':
      return { id, t, name: 'urgency', urgency: num(context.urgency) };
    case 'alloc': {
      const found = allocation ?? allocationFromSummary(context);
      return {
        id,
        t,
        name: 'alloc',
        ranks: found?.ranks ?? '',
        nodelist: found?.nodelist ?? '',
        nnodes: found?.nnodes ?? 0,
        ...(found !== null && found.ncores > 0 ? { ncores: found.ncores } : {}),
        ...(found?.expiration !== undefined ? { expiration: found.expiration } : {}),
      };
    }
    case 'exception':
      return { id, t, name: 'exception', type: str(context.type), severity: num(context.severity), note: str(context.note) };
    case 'finish':
      return { id, t, name: 'finish', status: num(context.status) };
    default:
      return null;
  }
}

/** Tasks and cores a (redacted) jobspec asks for: slots × nodes, as RFC 14 counts them. */
function countsOf(jobspec: Record<string, unknown>): { ntasks: number; ncores: number } {
  let slots = 1;
  let coresPerSlot = 1;
  const walk = (resources: unknown, multiplier: number): void => {
    if (!Array.isArray(resources)) {
      return;
    }
    for (const resource of resources) {
      if (!isRecord(resource)) {
        continue;
      }
      const count = num(resource.count, 1);
      if (resource.type === 'slot') {
        slots = multiplier * count;
        const children = Array.isArray(resource.with) ? resource.with : [];
        const core = children.find((child) => isRecord(child) && child.type === 'core');
        coresPerSlot = isRecord(core) ? num(core.count, 1) : 1;
        return;
      }
      walk(resource.with, multiplier * count);
    }
  };
  walk(jobspec.resources, 1);
  const tasks = Array.isArray(jobspec.tasks) ? jobspec.tasks : [];
  const first = isRecord(tasks[0]) ? tasks[0] : {};
  const count = isRecord(first.count) ? first.count : {};
  const ntasks = typeof count.total === 'number' ? count.total : slots * num(count.per_slot, 1);
  return { ntasks, ncores: slots * coresPerSlot };
}

/** What the journal's `submit` event tells about a job someone else submitted. */
export function externalJob(entry: EventlogEntry, jobspec: unknown, ownerOf: (userid: number) => string): ExternalJob {
  const spec = isRecord(jobspec) ? jobspec : {};
  const tasks = Array.isArray(spec.tasks) ? spec.tasks : [];
  const first = isRecord(tasks[0]) ? tasks[0] : {};
  const command = Array.isArray(first.command) ? first.command.map((word) => String(word)) : [];
  const attributes = isRecord(spec.attributes) ? spec.attributes : {};
  const system = isRecord(attributes.system) ? attributes.system : {};
  const job = isRecord(system.job) ? system.job : {};
  const context = entry.context ?? {};
  const userid = num(context.userid);
  const { ntasks, ncores } = countsOf(spec);
  return {
    owner: ownerOf(userid),
    userid,
    name: str(job.name) || path.basename(command[0] ?? '') || 'job',
    command,
    ntasks,
    ncores,
    duration: num(system.duration),
    cwd: typeof system.cwd === 'string' ? system.cwd : null,
    urgency: num(context.urgency, 16),
    t_submit: entry.timestamp,
  };
}
