/** Runs the real `bin/jobgate` (a child process) with a clean environment and its own config folder. */
import fs from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import type { TestFn } from 'ava';
import { parseJobId } from '../../src/model/job-id.js';
import { JOBGATE_BIN } from './child-server.js';
import { makeTempDir, startTestServer, type TestServer, type TestServerOptions } from './test-server.js';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A command still running (a follower): what it printed so far, and its end. */
export interface CliProcess {
  stdout(): string;
  stderr(): string;
  /** Ends it with SIGTERM (as a person's Ctrl-C would) and waits for it. */
  stop(): Promise<CliRun>;
}

export interface CliEnv {
  /** The config folder (`XDG_CONFIG_HOME`) where `login` keeps tokens; one per test by default. */
  configHome: string;
  env: Record<string, string>;
  run(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<CliRun>;
  start(args: string[]): CliProcess;
  cleanup(): void;
}

/** A user's shell for the CLI: only PATH, HOME, LANG and what the test sets; never the runner's JOBGATE_* or FLUX_*. */
export function cliEnv(env: Record<string, string> = {}): CliEnv {
  const configHome = makeTempDir('jobgate-cli-');
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: configHome, LANG: 'C.UTF-8', XDG_CONFIG_HOME: configHome, ...env };
  return {
    configHome,
    env: base,
    run: async (args, options = {}) => {
      const result = await execa('node', [JOBGATE_BIN, ...args], {
        env: { ...base, ...options.env },
        extendEnv: false,
        input: options.input ?? '',
        reject: false,
        timeout: 60_000,
      });
      return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    start: (args) => {
      const child: ResultPromise = execa('node', [JOBGATE_BIN, ...args], { env: base, extendEnv: false, input: '', reject: false, timeout: 60_000 });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (data: Buffer) => {
        stdout += data.toString();
      });
      child.stderr?.on('data', (data: Buffer) => {
        stderr += data.toString();
      });
      return {
        stdout: () => stdout,
        stderr: () => stderr,
        stop: async () => {
          child.kill('SIGTERM');
          const result = await child;
          return { exitCode: result.exitCode ?? -1, stdout, stderr };
        },
      };
    },
    cleanup: () => fs.rmSync(configHome, { recursive: true, force: true }),
  };
}

/** A test file's jobgate and a CLI pointed at it, started before its tests and stopped after them. */
export interface CliSuite {
  readonly server: TestServer;
  readonly cli: CliEnv;
}

/** `prepare` runs once both are up (ava may run a file's `before` hooks at once, so it goes here). */
export function useCliServer(test: TestFn, options: TestServerOptions = {}, prepare?: (suite: CliSuite) => Promise<void>): CliSuite {
  let server: TestServer | undefined;
  let cli: CliEnv | undefined;
  test.before(async () => {
    server = await startTestServer(options);
    cli = cliEnv({ JOBGATE_URL: server.url });
    await prepare?.({ server, cli });
  });
  test.after.always(async () => {
    await server?.close();
    cli?.cleanup();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) {
      throw new Error('the suite has not started');
    }
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get cli() {
      return started(cli);
    },
  };
}

/** The id a command printed (F58 or decimal), as the decimal the API uses. */
export function decimal(printed: string): string {
  const id = parseJobId(printed.trim());
  if (id === null) {
    throw new Error(`not an id: ${printed}`);
  }
  return id.toString();
}

/** `jobgate submit ARGS`, which must succeed; returns the decimal id. */
export async function cliSubmit(cli: CliEnv, args: string[]): Promise<string> {
  const run = await cli.run(['submit', ...args]);
  if (run.exitCode !== 0) {
    throw new Error(`submit ${args.join(' ')}: ${run.exitCode} ${run.stderr}`);
  }
  return decimal(run.stdout);
}
