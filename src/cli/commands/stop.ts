/** `jobgate stop`: end the service (POST /v1/service/stop), after a confirmation. */
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { addConnectionOptions, CliExit, EXIT, type CliIo, type ConnectionOptions } from './context.js';
import { clientAction, type Finish } from './run.js';

export function addStopCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = program
    .command('stop')
    .description('stop the jobgate service: running jobs are canceled and it exits (under flux start, the instance ends); superusers only')
    .option('-y, --yes', 'do not ask for confirmation');
  addConnectionOptions(command).action(clientAction<ConnectionOptions & { yes?: boolean }>(io, finish, async (context, options) => {
    if (options.yes !== true) {
      if (io.stdin.isTTY !== true) {
        throw new CliExit(EXIT.usage, 'stopping cancels every running job: confirm with --yes');
      }
      const prompt = readline.createInterface({ input: io.stdin, output: process.stderr });
      const answer = await prompt.question(`Stop jobgate at ${context.url}? Running jobs will be canceled. [y/N] `);
      prompt.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.stderr.write('not stopped\n');
        return EXIT.failed;
      }
    }
    io.stdout.write(`${await context.client.stopService()}\n`);
    return EXIT.ok;
  }));
}
