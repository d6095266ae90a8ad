/**
 * `jobgate hold`, `release` and `priority`: a pending job waits (held) until released, or gets
 * another urgency (0 holds, 16 is the default, 31 expedites). One job by id goes to its own
 * route; several, or filter options, or --dry-run, go through one bulk request.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { holdJob, releaseJob, setPriority, type BulkAction } from '../../client/job-control.js';
import { ApiError } from '../../client/errors.js';
import type { ControlAnswer } from '../../client/types.js';
import { stringifyJson } from '../../lib/json.js';
import { addConnectionOptions, EXIT, type CliIo, type ClientContext, type ConnectionOptions } from './context.js';
import { jobIdArgument, showId } from './job-words.js';
import { clientAction, type Finish } from './run.js';
import { addSelectionOptions, selectionOf, type SelectionOptions } from './selection-options.js';
import { reportJob, runBulk, type BulkOptions } from './bulk.js';

export interface ActionOptions extends ConnectionOptions, SelectionOptions, BulkOptions {}

/** The options every many-jobs action takes. */
export function addActionOptions(command: Command, withReason: boolean): Command {
  if (withReason) {
    command.option('-m, --reason <text>', 'why (kept with the job)');
  }
  return addConnectionOptions(addSelectionOptions(command)
    .option('-n, --dry-run', 'only say which jobs it would act on, and which would be refused')
    .option('--json', 'JSON: the answer of the API'));
}

/** One job by its own route; an API refusal becomes its line on stderr and exit code. */
async function single(context: ClientContext, action: Exclude<BulkAction, 'cancel'>, id: bigint, options: ActionOptions): Promise<number> {
  let answer: ControlAnswer;
  try {
    answer = action === 'hold' ? await holdJob(context.client, id, options.reason) : await releaseJob(context.client, id);
  } catch (error: unknown) {
    if (!(error instanceof ApiError) || error.status === 401 || error.status === 403 || error.status >= 500) {
      throw error;
    }
    const code = (error.body as { error?: { code?: string } } | undefined)?.error?.code ?? '';
    return reportJob(context, action, id, { ok: false, changed: false, error: { code, message: error.message } }, false);
  }
  if (options.json === true) {
    context.io.stdout.write(`${stringifyJson(answer, 2)}\n`);
    return EXIT.ok;
  }
  return reportJob(context, action, id, { ok: true, changed: answer.changed }, false);
}

/** Runs hold, release or cancel over the ids or the selection. */
export function manyJobs(action: BulkAction, one?: (context: ClientContext, id: bigint, options: ActionOptions) => Promise<number>) {
  return async (context: ClientContext, options: ActionOptions, texts: string[]): Promise<number> => {
    const ids = texts.map(jobIdArgument);
    const selection = selectionOf(options);
    // Cancel by ids takes flux-restful-api's route (one request each); hold and release take their own for one job.
    const byOwnRoute = action === 'cancel' ? options.json !== true : ids.length === 1;
    if (one !== undefined && ids.length > 0 && Object.keys(selection).length === 0 && options.dryRun !== true && byOwnRoute) {
      let code: number = EXIT.ok;
      for (const id of ids) {
        code = Math.max(code, await one(context, id, options));
      }
      return code;
    }
    return runBulk(context, action, ids, selection, options);
  };
}

const URGENCY_WORDS = ['hold', 'default', 'expedite'];

function urgency(text: string): number | string {
  const word = text.trim().toLowerCase();
  if (URGENCY_WORDS.includes(word)) {
    return word;
  }
  if (!/^\d{1,2}$/.test(word) || Number(word) > 31) {
    throw new InvalidArgumentError('expected 0-31 (0 holds, 16 default, 31 expedites), hold, default or expedite');
  }
  return Number(word);
}

export function addControlCommands(program: Command, io: CliIo, finish: Finish): void {
  const hold = addActionOptions(program
    .command('hold')
    .description('keep pending jobs from starting until released (by id, or the pending jobs filter options choose)')
    .argument('[jobid...]', 'the jobs'), true);
  hold.action(clientAction<ActionOptions>(io, finish, manyJobs('hold', (context, id, options) => single(context, 'hold', id, options))));

  const release = addActionOptions(program
    .command('release')
    .description('let held jobs start again, at the urgency they had (by id, or the held jobs filter options choose)')
    .argument('[jobid...]', 'the jobs'), false);
  release.action(clientAction<ActionOptions>(io, finish, manyJobs('release', (context, id, options) => single(context, 'release', id, options))));

  const priority = addConnectionOptions(program
    .command('priority')
    .description('set the urgency of a pending job: 0-31, hold (0), default (16) or expedite (31)')
    .argument('<jobid>', 'the job')
    .argument('<urgency>', '0-31, hold, default or expedite', urgency)
    .option('--json', 'JSON: the answer of the API'));
  priority.action(clientAction<ConnectionOptions & { json?: boolean }>(io, finish, async (context, options, [text, level]) => {
    const id = jobIdArgument(text ?? '');
    const answer = await setPriority(context.client, id, /^\d+$/.test(level ?? '') ? Number(level) : (level ?? ''));
    if (options.json === true) {
      io.stdout.write(`${stringifyJson(answer, 2)}\n`);
    } else {
      io.stdout.write(`${showId(id, context.asciiIds)} urgency ${answer.urgency}${answer.held ? ' (held)' : ''}${answer.changed ? '' : ' (unchanged)'}\n`);
    }
    return EXIT.ok;
  }));
}

