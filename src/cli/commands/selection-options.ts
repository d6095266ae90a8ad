/**
 * The options that say which jobs a command means, the same for `list`, `search`, `export`, the
 * bulk forms of `cancel`/`hold`/`release`, and (a few of them) `events`: states and results in
 * one vocabulary (`--state run,failed`), owners, names, queues, tags, metadata, held or not,
 * and time windows (`--submitted 2h..`, `--ended 2024-05-01..2024-05-02`).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { JobSelection, TimeWindow } from '../../client/selection.js';
import { parseDuration } from '../../lib/parse.js';
import { CliExit, EXIT } from './context.js';
import { collect, keyValues } from './run.js';

const STATES = ['DEPEND', 'PRIORITY', 'SCHED', 'RUN', 'CLEANUP', 'INACTIVE'];
const RESULTS = ['COMPLETED', 'FAILED', 'CANCELED', 'TIMEOUT'];
const ALIASES: Record<string, string[]> = { RUNNING: ['RUN'], PENDING: ['DEPEND', 'PRIORITY', 'SCHED'], ACTIVE: ['DEPEND', 'PRIORITY', 'SCHED', 'RUN', 'CLEANUP'], DONE: ['INACTIVE'], CANCELLED: ['CANCELED'] };

export interface SelectionOptions {
  state: string[];
  owner: string[];
  name: string[];
  queue: string[];
  tag: string[];
  meta: string[];
  held?: boolean;
  submitted?: TimeWindow;
  started?: TimeWindow;
  ended?: TimeWindow;
}

/** One edge of a window: a duration ago (`2h`, `1d12h`), epoch seconds, or an ISO 8601 date or date-time. */
function timeEdge(text: string, nowSeconds: number): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || /^\d+(\.\d+)?$/.test(trimmed) || /^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    return trimmed === '' ? undefined : trimmed;
  }
  const seconds = parseDuration(trimmed);
  if (seconds === undefined) {
    throw new InvalidArgumentError(`'${trimmed}' is not a time: a duration ago (2h, 1d), epoch seconds, or an ISO 8601 date-time`);
  }
  return String(Math.floor(nowSeconds - seconds));
}

/** `FROM..TO`, `FROM..`, `..TO`, or `FROM` alone (since then). */
function timeWindow(text: string, nowSeconds = Date.now() / 1000): TimeWindow {
  const [from = '', to = ''] = text.includes('..') ? text.split('..', 2) : [text, ''];
  const window = { from: timeEdge(from, nowSeconds), to: timeEdge(to, nowSeconds) };
  if (window.from === undefined && window.to === undefined) {
    throw new InvalidArgumentError('give a start, an end or both: FROM..TO');
  }
  return window;
}

/** `--state run,failed`: states and results are one vocabulary on the command line. */
function statesAndResults(values: readonly string[]): Pick<JobSelection, 'states' | 'results'> {
  const words = values.flatMap((value) => value.split(',')).map((word) => word.trim().toUpperCase()).filter((word) => word !== '');
  const resolved = words.flatMap((word) => ALIASES[word] ?? [word]);
  const unknown = resolved.filter((word) => !STATES.includes(word) && !RESULTS.includes(word));
  if (unknown.length > 0) {
    throw new CliExit(EXIT.usage, `--state: unknown ${unknown.join(', ')} (one of ${[...STATES, ...RESULTS].join(', ')}, or active, pending)`);
  }
  return { states: resolved.filter((word) => STATES.includes(word)), results: resolved.filter((word) => RESULTS.includes(word)) };
}


const commaList = (values: readonly string[]): string[] => values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');

/** Adds the options; `events` takes only states, owners and tags. */
export function addSelectionOptions(command: Command, scope: 'jobs' | 'events' = 'jobs'): Command {
  command
    .option('-s, --state <states>', 'states or results, comma-separated or repeated (run, sched, pending, active, completed, failed...)', collect, [])
    .option('-u, --owner <user>', "this user's jobs (repeat for several)", collect, [])
    .option('--tag <tag>', 'jobs carrying this tag: type:name, or name for any type (repeat: all of them)', collect, []);
  if (scope === 'events') {
    return command;
  }
  return command
    .option('--name <name>', 'jobs of this exact name (repeat for several)', collect, [])
    .option('--queue <queue>', 'jobs in this queue (repeat for several)', collect, [])
    .option('--meta <key=value>', 'jobs whose metadata key has this value; key alone: the key is set (repeat: all of them)', collect, [])
    .option('--held', 'only held jobs')
    .option('--no-held', 'no held jobs')
    .option('--submitted <range>', 'submitted within FROM..TO (2h.., ..2024-05-01, 1d..12h; times: a duration ago, epoch seconds or ISO 8601 in UTC)', (text) => timeWindow(text))
    .option('--started <range>', 'started within FROM..TO', (text) => timeWindow(text))
    .option('--ended <range>', 'ended within FROM..TO', (text) => timeWindow(text));
}

export function selectionOf(options: Partial<SelectionOptions>): JobSelection {
  const selection: JobSelection = {
    ...statesAndResults(options.state ?? []),
    owners: commaList(options.owner ?? []),
    names: options.name ?? [],
    queues: commaList(options.queue ?? []),
    tags: commaList(options.tag ?? []),
    held: options.held,
    // `key=value`: exactly that value; `key`: the key is set.
    metadata: (options.meta ?? []).length === 0 ? undefined : keyValues('--meta', options.meta ?? [], null),
    submitted: options.submitted,
    started: options.started,
    ended: options.ended,
  };
  return Object.fromEntries(Object.entries(selection).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0))) as JobSelection;
}
