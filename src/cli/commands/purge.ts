/**
 * `jobgate purge`: remove ended jobs for good (their events, labels and output), chosen with the
 * filter options — `jobgate purge --ended ..30d --dry-run`. Superusers only; without a filter
 * the server refuses (every ended job: `--state inactive`).
 */
import type { Command } from 'commander';
import { purgeJobs } from '../../client/purge.js';
import { addConnectionOptions, EXIT, type CliIo, type ConnectionOptions } from './context.js';
import { clientAction, type Finish } from './run.js';
import { addSelectionOptions, selectionOf, type SelectionOptions } from './selection-options.js';

type PurgeOptions = ConnectionOptions & Partial<SelectionOptions> & { dryRun?: boolean; json?: boolean };

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function addPurgeCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = addSelectionOptions(program
    .command('purge')
    .description('remove ended jobs for good: their events, labels and output (superusers only), e.g. --ended ..30d')
    .option('-n, --dry-run', 'change nothing; say what would go')
    .option('--json', 'the answer as JSON'));
  addConnectionOptions(command).action(clientAction<PurgeOptions>(io, finish, async (context, options) => {
    const answer = await purgeJobs(context.client, selectionOf(options), options.dryRun === true);
    if (options.json === true) {
      io.stdout.write(`${JSON.stringify({ dry_run: answer.dry_run, jobs: answer.jobs, output_bytes: answer.output_bytes })}\n`);
      return EXIT.ok;
    }
    const verb = answer.dry_run ? 'would purge' : 'purged';
    io.stdout.write(`${verb} ${answer.jobs} ended job(s), ${mebibytes(answer.output_bytes)} of output\n`);
    return EXIT.ok;
  }));
}
