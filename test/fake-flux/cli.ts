/**
 * The double's `flux` command (bin/flux runs it; `flux python` and `flux start` are handled
 * there). Each subcommand prints what flux-core 0.88 printed in the recordings — same words,
 * same formats, same exit codes — for the commands jobgate runs and those the recordings
 * exercise around them. transcripts.test.ts replays the recordings against it.
 */
import path from 'node:path';
import { cancel, getattr, queue, resource, shutdown, submit } from './cli-instance.js';
import { job } from './cli-job.js';
import { connect, err, Exit } from './cli-support.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'job':
      return job(rest);
    case 'cancel':
      return cancel(rest);
    case 'submit':
      return submit(rest);
    case 'resource':
      return resource(rest);
    case 'getattr':
      return getattr(rest);
    case 'queue':
      return queue(rest);
    case 'shutdown':
      return shutdown();
    case 'jobs':
      // Only its connection error is reproduced (the recordings' unreachable-instance case).
      (await connect('jobs')).close();
      throw new Exit(2, 'flux-jobs: not implemented by the double\n');
    default:
      throw new Exit(1, `flux: \`${command ?? ''}' is not a flux command.  See 'flux --help'\n`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof Exit) {
      err(error.stderr);
      process.exit(error.code);
    }
    err(`fake flux (${path.basename(process.argv[1] ?? 'flux')}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(70);
  },
);
