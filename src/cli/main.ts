/** The `jobgate` command line: the service (`serve`, `users`) and a client for a running jobgate. */
import { Command, Option } from 'commander';
import { version } from '../version.js';
import { addUsersCommand } from './users.js';
import { addClientCommands } from './commands/index.js';
import { EXIT } from './commands/context.js';

/**
 * A reader that stops early (`jobgate list | head`) closes the pipe: that is the end of the
 * command's output, not an error to crash on.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.exit(0);
    }
    throw error;
  });
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe(process.stdout);
  const program = new Command();
  program.name('jobgate').description('Run, follow and manage jobs in an HPC allocation over HTTP.').version(version);
  program.exitOverride();
  // `jobgate submit -n 2 cmd -x`: options after the command belong to the command.
  program.enablePositionalOptions();
  let exitCode = 0;
  const finish = (code: number): void => {
    exitCode = code;
  };

  program.commandsGroup('Client commands (talk to a running jobgate):');
  addClientCommands(program, finish);
  program.commandsGroup('Service commands:');

  program
    .command('serve')
    .description('start the jobgate service')
    .option('--host <address>', 'address to bind (env JOBGATE_HOST, HOST)', undefined)
    .option('--port <port>', 'port to listen on (env JOBGATE_PORT, PORT; default 5000)')
    .addOption(new Option('--executor <name>', 'what runs jobs (env JOBGATE_EXECUTOR; auto: flux when FLUX_URI is set, slurm when SLURM_JOB_ID is set, else local)').choices(['auto', 'local', 'flux', 'slurm']))
    .option('--data-dir <dir>', 'database, output and keys (env JOBGATE_DATA_DIR; default ./data)')
    .option('--workdir <dir>', 'working directory of jobs that name none (env JOBGATE_WORKDIR; default: the current directory)')
    .option('--cores <n>', 'cores the local executor hands out (env JOBGATE_CORES; default: all)')
    .option('--gpus <n>', 'GPUs the local executor hands out (env JOBGATE_GPUS; default: NVIDIA devices found)')
    .addOption(new Option('--log-level <level>', 'log level (env JOBGATE_LOG_LEVEL)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .option('--require-auth', 'require credentials (env FLUX_REQUIRE_AUTH, JOBGATE_REQUIRE_AUTH)')
    .option('--allow-unauthenticated', 'allow a non-loopback address without auth (prints a warning)')
    .addOption(new Option('--metrics <access>', 'who may read /metrics (env JOBGATE_METRICS): loopback (default), public, superuser, off').choices(['loopback', 'public', 'superuser', 'off']))
    .action(async (options: Record<string, string | boolean | undefined>) => {
      // Loaded here: the client commands never load the server (store, executors).
      const { serve } = await import('./serve.js');
      exitCode = await serve({
        host: options.host as string | undefined,
        port: options.port as string | undefined,
        executor: options.executor as string | undefined,
        dataDir: options.dataDir as string | undefined,
        workdir: options.workdir as string | undefined,
        cores: options.cores as string | undefined,
        gpus: options.gpus as string | undefined,
        logLevel: options.logLevel as string | undefined,
        metrics: options.metrics as string | undefined,
        requireAuth: options.requireAuth === true ? true : undefined,
        allowUnauthenticated: options.allowUnauthenticated === true ? true : undefined,
      });
    });

  addUsersCommand(program, finish);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error: unknown) {
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'number') {
      // Help and --version exit 0; commander's other exits are usage errors.
      return code === 0 ? 0 : EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}
