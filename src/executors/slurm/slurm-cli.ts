/**
 * Slurm's commands as jobgate calls them (squeue, sacct, sinfo, sbatch, scancel, scontrol),
 * with their failures turned into ExecutorErrors that carry Slurm's own message.
 */
import { runCommand, type CommandResult } from '../process.js';
import { ExecutorError } from '../types.js';
import { parseSacct, parseSqueueJson, SACCT_FIELDS, type SlurmJobRecord } from './slurm-record.js';
import { parseSinfoJson, type SlurmNode } from './slurm-nodes.js';
import { SlurmAnswerError } from './json-errors.js';
import { resolveExecutable } from '../resolve-executable.js';

/** Slurm prefixes its messages with `sbatch: error: `; the message is the rest. */
function slurmMessage(result: CommandResult, program: string): string {
  if (result.startError !== null) {
    return `${program}: ${result.startError}`;
  }
  const lines = result.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.replace(/^\w+: (error|fatal): /, ''));
  if (lines.length > 0) {
    return lines.join('; ');
  }
  return result.timedOut ? `${program} did not answer in time` : `${program} exited with status ${result.exitCode ?? `signal ${result.signal ?? '?'}`}`;
}

/** The controller cannot be reached: try again later (503), not the request's fault (400). */
function isUnreachable(message: string): boolean {
  return /Unable to contact slurm controller|Socket timed out|Connection refused|Zero Bytes were transmitted|Communication connection failure|could not start|ENOENT/i.test(message);
}

function failure(result: CommandResult, program: string): ExecutorError {
  const message = slurmMessage(result, program);
  return new ExecutorError(isUnreachable(message) || result.startError !== null || result.timedOut ? 'unavailable' : 'invalid', message);
}

/** A JSON answer that says slurmctld could not be read: unavailable (503), never "no jobs". */
function unavailableOnRefusal<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error: unknown) {
    if (error instanceof SlurmAnswerError) {
      throw new ExecutorError('unavailable', error.message);
    }
    throw error;
  }
}

/** Finds a program on a PATH (the full path goes into batch scripts, whose PATH is the job's). */
export function findProgram(name: string, searchPath: string): string {
  const found = resolveExecutable(name, searchPath, process.cwd());
  return found.ok ? found.file : name;
}

/** What the executors need from Slurm (an interface, so tests can stand in for the cluster). */
export interface SlurmCommands {
  squeue(): Promise<Map<number, SlurmJobRecord>>;
  completed(jobIds: number[]): Promise<Map<number, SlurmJobRecord>>;
  nodes(): Promise<SlurmNode[]>;
  sbatch(args: string[], script: string, env: Record<string, string>): Promise<number>;
  scancel(target: string, signal?: string): Promise<void>;
  scontrol(args: string[]): Promise<void>;
  version(): Promise<string>;
  ping(): Promise<boolean>;
}

export class SlurmCli implements SlurmCommands {
  constructor(
    /** jobgate's environment for Slurm's commands (SLURM_CONF and the like). */
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly timeoutMs = 30_000,
  ) {}

  private async run(program: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CommandResult> {
    return runCommand(program, args, { env: options.env ?? { ...this.env }, input: options.input, timeoutMs: this.timeoutMs });
  }

  /** Every job slurmctld holds, in one call (`squeue --json` ignores filters anyway). */
  async squeue(): Promise<Map<number, SlurmJobRecord>> {
    const result = await this.run('squeue', ['--json']);
    if (result.exitCode !== 0) {
      throw failure(result, 'squeue');
    }
    return unavailableOnRefusal(() => parseSqueueJson(result.stdout));
  }

  /** Finished jobs from the job-completion record (works without slurmdbd). */
  async completed(jobIds: number[]): Promise<Map<number, SlurmJobRecord>> {
    if (jobIds.length === 0) {
      return new Map();
    }
    const result = await this.run('sacct', ['-c', '-P', '-n', '-o', SACCT_FIELDS.join(','), '-j', jobIds.join(',')]);
    if (result.exitCode !== 0) {
      throw failure(result, 'sacct');
    }
    return parseSacct(result.stdout);
  }

  async nodes(): Promise<SlurmNode[]> {
    const result = await this.run('sinfo', ['--json']);
    if (result.exitCode !== 0) {
      throw failure(result, 'sinfo');
    }
    return unavailableOnRefusal(() => parseSinfoJson(result.stdout));
  }

  /** Submits a batch script; `env` is the job's (sbatch hands it on). Returns the job id. */
  async sbatch(args: string[], script: string, env: Record<string, string>): Promise<number> {
    const result = await this.run('sbatch', args, { env, input: script });
    if (result.exitCode !== 0) {
      throw failure(result, 'sbatch');
    }
    // --parsable prints "jobid" or "jobid;cluster".
    const match = /^(\d+)/.exec(result.stdout.trim());
    if (match === null || match[1] === undefined) {
      throw new ExecutorError('unavailable', `sbatch answered without a job id: ${result.stdout.trim()}`);
    }
    return Number.parseInt(match[1], 10);
  }

  /** `scancel [--signal=SIG] TARGET`; a job that already ended is 'inactive'. */
  async scancel(target: string, signal?: string): Promise<void> {
    const result = await this.run('scancel', [...(signal !== undefined ? [`--signal=${signal}`] : []), target]);
    const message = slurmMessage(result, 'scancel');
    // scancel may exit 0 and still say the job is gone.
    if (result.exitCode !== 0 || /already completing or completed|Invalid job id/i.test(result.stderr)) {
      if (/already completing or completed|Invalid job id|does not exist/i.test(message)) {
        throw new ExecutorError('inactive', message);
      }
      throw failure(result, 'scancel');
    }
  }

  async scontrol(args: string[]): Promise<void> {
    const result = await this.run('scontrol', args);
    if (result.exitCode !== 0) {
      throw failure(result, 'scontrol');
    }
  }

  async version(): Promise<string> {
    const result = await this.run('sinfo', ['--version']);
    return result.exitCode === 0 ? result.stdout.trim() : 'slurm (version unknown)';
  }

  /** Whether slurmctld answers. */
  async ping(): Promise<boolean> {
    const result = await this.run('scontrol', ['ping']);
    return result.exitCode === 0 && /UP/.test(result.stdout);
  }
}
