/** The `jobgate` command line. */
import { Command, Option } from 'commander';
import { version } from '../version.js';
import { serve } from './serve.js';
import { addUsersCommand } from './users.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program.name('jobgate').description('Run, follow and manage jobs in an HPC allocation over HTTP.').version(version);
  program.exitOverride();
  let exitCode = 0;

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
    .action(async (options: Record<string, string | boolean | undefined>) => {
      exitCode = await serve({
        host: options.host as string | undefined,
        port: options.port as string | undefined,
        executor: options.executor as string | undefined,
        dataDir: options.dataDir as string | undefined,
        workdir: options.workdir as string | undefined,
        cores: options.cores as string | undefined,
        gpus: options.gpus as string | undefined,
        logLevel: options.logLevel as string | undefined,
        requireAuth: options.requireAuth === true ? true : undefined,
        allowUnauthenticated: options.allowUnauthenticated === true ? true : undefined,
      });
    });

  addUsersCommand(program, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error: unknown) {
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'number') {
      return code;
    }
    throw error;
  }
  return exitCode;
}
