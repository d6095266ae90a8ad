/** `jobgate output`: what a job wrote (stdout to stdout, stderr to stderr), or follow it live. */
import { InvalidArgumentError, type Command } from 'commander';
import { addConnectionOptions, EXIT, type CliIo, type ConnectionOptions } from './context.js';
import { chunkBytes, followJob, reconnectOption, writeTo } from './follow-job.js';
import { jobIdArgument } from './job-words.js';
import { clientAction, wholeNumber, type Finish } from './run.js';

interface OutputOptions extends ConnectionOptions {
  follow?: boolean;
  reconnect?: number;
  tail?: number;
  stream: string;
}

function streamName(text: string): string {
  if (!['stdout', 'stderr', 'all'].includes(text)) {
    throw new InvalidArgumentError('expected stdout, stderr or all');
  }
  return text;
}

export function addOutputCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = program
    .command('output')
    .alias('logs')
    .description("a job's output so far; with --follow, live until the job ends (and its return code as exit code)")
    .argument('<jobid>', 'the job (decimal, F58, hex...)')
    .option('-f, --follow', "keep following until the job ends, resuming after dropped connections; exit with the job's return code")
    .option('-n, --tail <lines>', 'start at the last n lines', wholeNumber(0))
    .option('--stream <name>', 'stdout, stderr or all (in the order written)', streamName, 'all')
    .option('--reconnect <duration>', 'with --follow: how long to keep trying to get a lost connection back (default 1m)', reconnectOption);
  addConnectionOptions(command).action(clientAction<OutputOptions>(io, finish, async (context, options, [text]) => {
    const id = jobIdArgument(text ?? '');
    if (options.follow === true) {
      return followJob(context, id, { stream: options.stream, ...(options.tail === undefined ? {} : { tail: options.tail }), ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }) });
    }
    // Page by cursor until everything written so far has been shown; never waits for more.
    let since: number | undefined;
    for (;;) {
      const page = await context.client.output(id, { stream: options.stream, ...(since === undefined ? { tail: options.tail } : { since }) });
      for (const chunk of page.chunks) {
        await writeTo(chunk.stream === 'stderr' ? io.stderr : io.stdout, chunkBytes(chunk));
      }
      if (!page.truncated || page.chunks.length === 0) {
        return EXIT.ok;
      }
      since = page.cursor;
    }
  }));
}
