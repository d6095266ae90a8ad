/**
 * `jobgate events`: job events (submit, alloc, finish, clean...) of the jobs you may see, one a
 * line with the state each left its job in. Without --follow: what happened so far (or since
 * --since), then exit. With --follow: live, resuming after dropped connections and restarts
 * exactly where it stopped (Last-Event-ID), until interrupted.
 */
import type { Command } from 'commander';
import { followEvents } from '../../client/job-events.js';
import type { FeedEvent } from '../../client/types.js';
import { paintState } from '../format/style.js';
import { localTime } from '../format/time.js';
import { addConnectionOptions, EXIT, type CliIo, type ClientContext, type ConnectionOptions } from './context.js';
import { reconnectOption } from './follow-job.js';
import { jobIdArgument, showId } from './job-words.js';
import { clientAction, collect, type Finish } from './run.js';
import { addSelectionOptions, selectionOf, type SelectionOptions } from './selection-options.js';

interface EventsOptions extends ConnectionOptions, Pick<SelectionOptions, 'state' | 'owner' | 'tag'> {
  job: string[];
  since?: string;
  follow?: boolean;
  reconnect?: number;
  json?: boolean;
}

function eventLine(context: ClientContext, event: FeedEvent): string {
  const word = event.state === 'INACTIVE' && event.result !== '' ? event.result : event.state;
  return `${localTime(event.t)}  ${showId(event.id, context.asciiIds)}  ${event.event.padEnd(9)} ${paintState(context.out, word.padEnd(9))}  ${event.name}\n`;
}

export function addEventsCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = addConnectionOptions(addSelectionOptions(program
    .command('events')
    .description('job events (state changes) of the jobs you may see; with --follow, live'), 'events')
    .option('-j, --job <jobid>', 'only this job (repeat for several)', collect, [])
    .option('--since <position>', 'start at: all (the whole log; default without --follow), now (default with --follow), or a position')
    .option('-f, --follow', 'keep following live events (resumes after dropped connections)')
    .option('--reconnect <duration>', 'with --follow: how long to keep trying to get a lost connection back (default 1m)', reconnectOption)
    .option('--json', 'one JSON object a line, as the API sends it (ids exact)'));
  command.action(clientAction<EventsOptions>(io, finish, async (context, options) => {
    const { states, results, owners, tags } = selectionOf(options);
    // Results are the states of ended jobs here: `--state failed` means jobs ending failed.
    const stateFilter = results !== undefined && results.length > 0 ? [...(states ?? []), 'INACTIVE'] : states;
    await followEvents(context.client, {
      selection: { states: stateFilter, owners, tags },
      jobs: options.job.map((text) => jobIdArgument(text).toString()),
      since: options.since ?? (options.follow === true ? 'now' : 'all'),
      follow: options.follow === true,
      ...(options.reconnect === undefined ? {} : { reconnectMs: options.reconnect * 1000 }),
      reconnecting: (attempt, reason) => io.stderr.write(`jobgate: ${reason}; reconnecting to ${context.url} (attempt ${attempt})\n`),
    }, (event, raw) => {
      // An ending passes by its state when asked for (`--state inactive`), else by its result.
      if (results !== undefined && results.length > 0 && event.state === 'INACTIVE' && !(states ?? []).includes('INACTIVE') && !results.includes(event.result)) {
        return;
      }
      io.stdout.write(options.json === true ? `${raw}\n` : eventLine(context, event));
    });
    return EXIT.ok;
  }));
}
