/**
 * `jobgate cancel`: cancel jobs by id (one request each, as flux-restful-api takes them), or the
 * active jobs filter options choose (and --dry-run) in one bulk request.
 */
import type { Command } from 'commander';
import { ApiError } from '../../client/errors.js';
import { EXIT, type CliIo, type ClientContext } from './context.js';
import { showId } from './job-words.js';
import { clientAction, type Finish } from './run.js';
import { addActionOptions, manyJobs, type ActionOptions } from './control.js';

async function cancelOne(context: ClientContext, id: bigint, options: ActionOptions): Promise<number> {
  const name = showId(id, context.asciiIds);
  try {
    await context.client.cancel(id, options.reason);
    context.io.stdout.write(`${name} cancel requested\n`);
    return EXIT.ok;
  } catch (error: unknown) {
    // One refusal (already ended, not found) does not stop the others; the worst sets the exit code.
    if (!(error instanceof ApiError) || error.status === 401 || error.status === 403) {
      throw error;
    }
    context.io.stderr.write(`jobgate: ${name}: ${error.message}\n`);
    return error.status === 404 ? EXIT.notFound : EXIT.failed;
  }
}

export function addCancelCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = addActionOptions(program
    .command('cancel')
    .description('cancel jobs (pending ones never start; running ones get SIGTERM, then SIGKILL), by id or the active jobs filter options choose')
    .argument('[jobid...]', 'the jobs'), true);
  command.action(clientAction<ActionOptions>(io, finish, manyJobs('cancel', cancelOne)));
}
