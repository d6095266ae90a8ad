/** Runs the real `bin/jobgate` (a child process) with a clean environment and its own config folder. */
import fs from 'node:fs';
import { execa } from 'execa';
import { JOBGATE_BIN } from './child-server.js';
import { makeTempDir } from './test-server.js';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  /** The config folder (`XDG_CONFIG_HOME`) where `login` keeps tokens; one per test by default. */
  configHome: string;
  env: Record<string, string>;
  run(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<CliRun>;
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
    cleanup: () => fs.rmSync(configHome, { recursive: true, force: true }),
  };
}
