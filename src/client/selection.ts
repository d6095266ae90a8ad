/**
 * Which jobs a request means, as `/v1/jobs/query`, `/v1/jobs/export` and `/v1/events` read it
 * from a query string and `/v1/jobs/bulk` from a JSON `filter`: one description, both forms.
 * Lists travel comma-separated; times as epoch seconds or ISO 8601, as the server reads them.
 */

/** Either edge may be left open. */
export interface TimeWindow {
  from?: string;
  to?: string;
}

export interface JobSelection {
  states?: string[];
  results?: string[];
  owners?: string[];
  names?: string[];
  queues?: string[];
  /** `type:name`, or `name` under any type. */
  tags?: string[];
  held?: boolean;
  /** Text in the id, name, command, owner or working directory. */
  text?: string;
  /** Key → exact value; null: the key is set, whatever its value. */
  metadata?: Record<string, string | null>;
  submitted?: TimeWindow;
  started?: TimeWindow;
  ended?: TimeWindow;
}

export type QueryParams = Record<string, string | undefined>;

const WINDOWS = ['submitted', 'started', 'ended'] as const;

function list(values: readonly string[] | undefined): string | undefined {
  return values === undefined || values.length === 0 ? undefined : values.join(',');
}

/** The selection as query parameters (unset ones left out). */
export function selectionQuery(selection: JobSelection): QueryParams {
  const query: QueryParams = {
    state: list(selection.states),
    result: list(selection.results),
    owner: list(selection.owners),
    name: list(selection.names),
    queue: list(selection.queues),
    tag: list(selection.tags),
    held: selection.held === undefined ? undefined : String(selection.held),
    q: selection.text,
  };
  for (const [key, value] of Object.entries(selection.metadata ?? {})) {
    query[`meta[${key}]`] = value ?? '';
  }
  for (const window of WINDOWS) {
    query[`${window}[from]`] = selection[window]?.from;
    query[`${window}[to]`] = selection[window]?.to;
  }
  return query;
}

/** The selection as the JSON `filter` of a bulk request. */
export function selectionFilter(selection: JobSelection): Record<string, unknown> {
  const filter: Record<string, unknown> = {
    state: selection.states,
    result: selection.results,
    owner: selection.owners,
    name: selection.names,
    queue: selection.queues,
    tag: selection.tags,
    held: selection.held,
    q: selection.text,
    metadata: selection.metadata,
  };
  for (const window of WINDOWS) {
    filter[window] = selection[window];
  }
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0)));
}

/** Whether the selection says anything (an empty one would mean every job). */
export function isEmptySelection(selection: JobSelection): boolean {
  return Object.keys(selectionFilter(selection)).length === 0;
}
