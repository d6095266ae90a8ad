/** `jobgate cancel`: ask for one or more jobs to be canceled. */
import type { Command } from 'commander';
import { ApiError } from '../../client/errors.js';
import { addConnectionOptions, EXIT, type CliIo, type ConnectionOptions } from './context.js';
import { jobIdArgument, showId } from './job-words.js';
import { clientAction, type Finish } from './run.js';

export function addCancelCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = program
    .command('cancel')
    .description('cancel jobs (pending ones never start; running ones get SIGTERM, then SIGKILL)')
    .argument('<jobid...>', 'the jobs')
    .option('-m, --reason <text>', 'why (kept with the job)');
  addConnectionOptions(command).action(clientAction<ConnectionOptions & { reason?: string }>(io, finish, async (context, options, texts) => {
    const ids = texts.map(jobIdArgument);
    let code: number = EXIT.ok;
    for (const id of ids) {
      const name = showId(id, context.asciiIds);
      try {
        await context.client.cancel(id, options.reason);
        io.stdout.write(`${name} cancel requested\n`);
      } catch (error: unknown) {
        // One refusal (already ended, not found) does not stop the others; the worst sets the exit code.
        if (!(error instanceof ApiError) || error.status === 401 || error.status === 403) {
          throw error;
        }
        io.stderr.write(`jobgate: ${name}: ${error.message}\n`);
        code = Math.max(code, error.status === 404 ? EXIT.notFound : EXIT.failed);
      }
    }
    return code;
  }));
}
