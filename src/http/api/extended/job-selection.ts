/**
 * Which jobs a request means, said the same way in a query string (listing, export, events)
 * and in a JSON body (bulk): states, results, owners, names, queues, tags, metadata, held,
 * text, and submit/start/end windows; and in which order (any sortable column, asc or desc).
 */
import { isSortColumn, SORT_COLUMNS, type JobFilter, type JobQuery } from '../../../model/job-query.js';
import type { TagRef } from '../../../model/job-labels.js';
import { z } from 'zod';
import { checkMetadata, checkTags } from '../../../domain/job-labels.js';
import type { JobResult, JobState } from '../../../model/job.js';
import { validationError, type FieldError } from '../../../errors.js';
import { param } from '../../validation.js';
import { resultList, stateList, stringList, tagList, timeValue } from './filter-values.js';

const windowDoc = (what: string, edge: 'from' | 'to') =>
  `${what} ${edge === 'from' ? 'at or after' : 'at or before'} this time: epoch seconds or ISO 8601 (UTC unless an offset is given).`;

/** Filter parameters of the query-string routes. */
export const filterQueryShape = {
  state: stateList().meta({ description: 'States (NEW, DEPEND, PRIORITY, SCHED, RUN, CLEANUP, INACTIVE; any case), or the groups pending and active. Repeat or separate with commas.' }),
  result: resultList().meta({ description: 'Results of ended jobs: COMPLETED, FAILED, CANCELED, TIMEOUT.' }),
  owner: stringList(128).meta({ description: 'Owners (a user only ever sees their own jobs).' }),
  name: stringList(256).meta({ description: 'Exact job names.' }),
  queue: stringList(64).meta({ description: 'Queues (Slurm partitions).' }),
  tag: tagList().meta({ description: 'Tags the job must all carry: `type:name`, or `name` for any type.' }),
  held: param.bool().meta({ description: 'true: only held jobs (urgency 0, not started); false: no held jobs.' }),
  q: param.string(1024).meta({ description: 'Text in the id, name, command, owner or working directory (as the search box).' }),
  'submitted[from]': timeValue().meta({ description: windowDoc('Submitted', 'from') }),
  'submitted[to]': timeValue().meta({ description: windowDoc('Submitted', 'to') }),
  'started[from]': timeValue().meta({ description: windowDoc('Started', 'from') }),
  'started[to]': timeValue().meta({ description: windowDoc('Started', 'to') }),
  'ended[from]': timeValue().meta({ description: windowDoc('Ended', 'from') }),
  'ended[to]': timeValue().meta({ description: windowDoc('Ended', 'to') }),
};

export const sortQueryShape = {
  sort: stringList(64).meta({ description: `Columns to sort by, first one first: \`name\`, \`-t_submit\` (descending) or \`name:desc\`. Columns: ${SORT_COLUMNS.join(', ')}. Newest first by default.` }),
  order: param.enumOf(['asc', 'desc'] as const).meta({ description: 'Direction of the sort columns that do not say theirs (default asc).' }),
};

const METADATA_PARAM = /^meta\[(.+)\]$/;
export const metadataParamDoc = 'Also `meta[<key>]=<value>`: jobs whose metadata key has exactly that value (`meta[<key>]=` with nothing: the key is set).';

const span = z.strictObject({ from: timeValue(), to: timeValue() }).optional();

/** The same filter as a JSON object (bulk operations). */
export const filterBodySchema = z.strictObject({
  state: stateList(),
  result: resultList(),
  owner: stringList(128),
  name: stringList(256),
  queue: stringList(64),
  tag: tagList(),
  held: z.boolean().optional(),
  q: z.string().max(1024).optional(),
  metadata: z.record(z.string(), z.string().nullable()).optional().meta({ description: 'Key → exact value (null: the key is set).' }),
  submitted: span,
  started: span,
  ended: span,
}).meta({ description: 'Which jobs: the same conditions as the listing\'s query parameters; windows as {from, to}.' });

export interface SelectionInput {
  state?: JobState[];
  result?: JobResult[];
  owner?: string[];
  name?: string[];
  queue?: string[];
  tag?: TagRef[];
  held?: boolean;
  q?: string;
  metadata?: Record<string, string | undefined>;
  submitted?: { from?: number; to?: number };
  started?: { from?: number; to?: number };
  ended?: { from?: number; to?: number };
}

/** Whether a selection says anything at all (bulk refuses an empty one rather than acting on every job). */
export function isEmptySelection(input: SelectionInput): boolean {
  const says = ([key, value]: [string, unknown]): boolean => {
    if (value === undefined || value === null) return false;
    if (Array.isArray(value)) return value.length > 0;
    // metadata {key: undefined} means "the key is set"; a window says something only with an edge.
    if (key === 'metadata') return Object.keys(value).length > 0;
    if (typeof value === 'object') return Object.values(value).some((edge) => edge !== undefined);
    return typeof value !== 'string' || value.trim() !== '';
  };
  return !Object.entries(input).some(says);
}

export function toJobFilter(input: SelectionInput): JobFilter {
  const problems: FieldError[] = [...checkTags(input.tag ?? [], 'tag')];
  const metadata = input.metadata ?? {};
  problems.push(...checkMetadata(Object.fromEntries(Object.keys(metadata).map((key) => [key, null])), 'meta'));
  for (const [name, range] of Object.entries({ submitted: input.submitted, started: input.started, ended: input.ended })) {
    if (range?.from !== undefined && range.to !== undefined && range.from > range.to) {
      problems.push({ field: `${name}[from]`, message: `is after ${name}[to]` });
    }
  }
  if (problems.length > 0) {
    throw validationError(problems);
  }
  const filter: JobFilter = {
    ...(input.q?.trim() ? { text: input.q } : {}),
    states: input.state,
    results: input.result,
    owners: input.owner,
    names: input.name,
    queues: input.queue,
    submittedFrom: input.submitted?.from,
    submittedTo: input.submitted?.to,
    startedFrom: input.started?.from,
    startedTo: input.started?.to,
    endedFrom: input.ended?.from,
    endedTo: input.ended?.to,
    tags: input.tag,
    metadata,
    held: input.held,
  };
  for (const key of Object.keys(filter) as (keyof JobFilter)[]) {
    if (filter[key] === undefined) {
      delete filter[key];
    }
  }
  return filter;
}

type FilterQuery = z.output<z.ZodObject<typeof filterQueryShape>>;

/** The selection a query string makes; `raw` is the unparsed query (for `meta[...]`). */
export function selectionFromQuery(query: FilterQuery, raw: Readonly<Record<string, unknown>>): SelectionInput {
  const metadata: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(raw)) {
    const match = METADATA_PARAM.exec(key);
    if (match?.[1] !== undefined) {
      const single = Array.isArray(value) ? value[value.length - 1] : value;
      metadata[match[1]] = typeof single === 'string' && single !== '' ? single : undefined;
    }
  }
  const range = (from: number | undefined, to: number | undefined) => (from === undefined && to === undefined ? undefined : { from, to });
  return {
    state: query.state,
    result: query.result,
    owner: query.owner,
    name: query.name,
    queue: query.queue,
    tag: query.tag,
    held: query.held,
    q: query.q,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    submitted: range(query['submitted[from]'], query['submitted[to]']),
    started: range(query['started[from]'], query['started[to]']),
    ended: range(query['ended[from]'], query['ended[to]']),
  };
}

/** Refuses parameters a route does not know (a mistyped filter must not silently match everything). */
export function rejectUnknownParams(raw: Readonly<Record<string, unknown>>, known: readonly string[], allowMetadata: boolean): void {
  const allowed = new Set([...known, '_']);
  const unknown = Object.keys(raw).filter((key) => !allowed.has(key) && !(allowMetadata && METADATA_PARAM.test(key)));
  if (unknown.length > 0) {
    throw validationError(unknown.map((key) => ({ field: key, message: 'unknown parameter' })));
  }
}

export function parseSort(items: readonly string[] | undefined, order: 'asc' | 'desc' | undefined): JobQuery['sort'] {
  const sort: JobQuery['sort'] = [];
  const problems: FieldError[] = [];
  for (const item of items ?? []) {
    const [head = '', suffix] = item.split(':', 2);
    const descending = head.startsWith('-');
    const column = head.replace(/^[-+]/, '');
    const direction = suffix === undefined ? (descending ? 'desc' : head.startsWith('+') ? 'asc' : (order ?? 'asc')) : suffix.toLowerCase();
    if (!isSortColumn(column)) {
      problems.push({ field: 'sort', message: `'${column}' is not a sortable column (${SORT_COLUMNS.join(', ')})` });
    } else if (direction !== 'asc' && direction !== 'desc') {
      problems.push({ field: 'sort', message: `'${suffix ?? ''}' is not a direction (asc, desc)` });
    } else {
      sort.push({ column, direction });
    }
  }
  if (problems.length > 0) {
    throw validationError(problems);
  }
  return sort;
}
