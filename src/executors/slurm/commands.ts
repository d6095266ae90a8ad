/**
 * The Slurm command lines jobgate runs for a job: `srun` for a step inside an allocation,
 * `sbatch` (script on stdin) outside one. Pure functions of the request, so what reaches
 * Slurm can be read and tested without a cluster.
 *
 * Environment: the job's environment (a clean base plus its envars, never jobgate's own) is
 * the environment of srun/sbatch, which hand it on to the tasks (`--export=ALL`). Variables
 * named SLURM_*, SBATCH_*, SRUN_* or SALLOC_* would be read by srun/sbatch as options, so
 * those are kept out of that environment and set on the task's command line by `env`
 * instead; `env` also starts the program, so a missing command fails as it does under Flux
 * (exit 127, the reason on stderr) rather than through a shell's message.
 */
import type { JobSpec } from '../../model/job.js';

/** Absolute: a job's own PATH may not contain /usr/bin. */
const ENV_PROGRAM = '/usr/bin/env';
const RESERVED = /^(SLURM_|SBATCH_|SRUN_|SALLOC_)/;

export interface SplitEnvironment {
  /** For the srun/sbatch process (and through it the tasks). */
  process: Record<string, string>;
  /** For `env NAME=value` in front of the command. */
  onCommandLine: Record<string, string>;
}

/** Separates the variables srun/sbatch would take as options; adds Slurm's own settings (SLURM_CONF...). */
export function splitEnvironment(jobEnv: Readonly<Record<string, string>>, slurmSettings: Readonly<Record<string, string>>): SplitEnvironment {
  const processEnv: Record<string, string> = {};
  const onCommandLine: Record<string, string> = {};
  for (const [name, value] of Object.entries(jobEnv)) {
    if (RESERVED.test(name)) {
      onCommandLine[name] = value;
    } else {
      processEnv[name] = value;
    }
  }
  return { process: { ...processEnv, ...slurmSettings }, onCommandLine };
}

/** The argv each task runs: `env [-u NAME]... [NAME=value]... command...`. */
export function taskArgv(command: readonly string[], onCommandLine: Readonly<Record<string, string>>, unset: readonly string[] = []): string[] {
  return [
    ENV_PROGRAM,
    ...unset.flatMap((name) => ['-u', name]),
    ...Object.entries(onCommandLine).map(([name, value]) => `${name}=${value}`),
    ...command,
  ];
}

/**
 * Slurm counts time limits in whole minutes (and checks them about every 30 s). A runtime it
 * can express exactly is left to Slurm; any other is rounded up for Slurm and enforced to the
 * second by jobgate.
 */
export function timeLimitMinutes(runtimeSeconds: number): number | null {
  return runtimeSeconds > 0 ? Math.ceil(runtimeSeconds / 60) : null;
}

export function jobgateEnforcesRuntime(runtimeSeconds: number): boolean {
  return runtimeSeconds > 0 && runtimeSeconds % 60 !== 0;
}

/** Options shared by srun and sbatch: name, tasks, cores, nodes, GPUs, time limit, working directory. */
function resourceOptions(spec: JobSpec, cpusPerTask = true): string[] {
  const args = [`--job-name=${spec.name}`, `--ntasks=${spec.numTasks}`, ...(cpusPerTask ? [`--cpus-per-task=${spec.coresPerTask}`] : [])];
  if (spec.numNodes !== null) {
    args.push(`--nodes=${spec.numNodes}`);
  }
  if (spec.gpusPerTask > 0) {
    args.push(`--gpus-per-task=${spec.gpusPerTask}`);
  }
  const minutes = timeLimitMinutes(spec.runtime);
  if (minutes !== null) {
    args.push(`--time=${minutes}`);
  }
  if (spec.workdir !== null) {
    args.push(`--chdir=${spec.workdir}`);
  }
  return args;
}

/** srun's debug level rides along to the tasks in SRUN_DEBUG; `env -u` takes it out again. */
const SRUN_VERBOSE_VARIABLE = 'SRUN_DEBUG';

/**
 * `srun` for one job step in the allocation. Verbose, because that is where srun names the
 * step and reports each task's wait status (see srun-stderr.ts). Not exclusive: `--exact`, so
 * steps share the allocation's CPUs instead of each taking whole nodes, and a share of its
 * memory when it has any (a step otherwise asks for all of it). Exclusive: whole nodes, which
 * needs both left out, and --cpus-per-task too (it implies --exact).
 */
export function srunArgs(spec: JobSpec, allocation: { jobId: string; memPerCpu: number | null }, onCommandLine: Readonly<Record<string, string>>): string[] {
  return [
    `--jobid=${allocation.jobId}`,
    '--verbose',
    '--export=ALL',
    '--input=none',
    ...resourceOptions(spec, !spec.exclusive),
    ...(spec.exclusive ? [] : ['--exact']),
    ...(spec.exclusive || allocation.memPerCpu === null ? [] : [`--mem-per-cpu=${allocation.memPerCpu}`]),
    ...taskArgv(spec.command, onCommandLine, [SRUN_VERBOSE_VARIABLE]),
  ];
}

/** Slurm expands %j, %u ... in output file names; a literal % is written %%. */
function literalPath(file: string): string {
  return file.replace(/%/g, '%%');
}

export interface BatchFiles {
  stdout: string;
  stderr: string;
}

/** `sbatch` options; the script comes on stdin. */
export function sbatchArgs(spec: JobSpec, files: BatchFiles): string[] {
  return [
    '--parsable',
    '--export=ALL',
    ...resourceOptions(spec),
    ...(spec.exclusive ? ['--exclusive'] : []),
    ...(spec.queue !== null ? [`--partition=${spec.queue}`] : []),
    ...(spec.urgency === 0 ? ['--hold'] : []),
    `--output=${literalPath(files.stdout)}`,
    `--error=${literalPath(files.stderr)}`,
    // jobgate created the files and indexes them by size: never truncate them (e.g. on requeue).
    '--open-mode=append',
  ];
}

/** Quotes one word for POSIX sh. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The batch script: the tasks replace the shell (`exec`), so signals reach them directly.
 * One task runs in the batch step itself; more are one `srun` step that takes its size from
 * the allocation. srun is named by its full path: the job's own PATH may not lead to it.
 */
export function batchScript(spec: JobSpec, onCommandLine: Readonly<Record<string, string>>, label: string, srunPath: string): string {
  const task = taskArgv(spec.command, onCommandLine).map(shQuote).join(' ');
  // srun does not take --cpus-per-task over from sbatch (Slurm 22.05 and later): say it again.
  const srun = [srunPath, '--export=ALL', '--input=none', `--cpus-per-task=${spec.coresPerTask}`].map(shQuote).join(' ');
  const launch = spec.numTasks > 1 ? `exec ${srun} ${task}` : `exec ${task}`;
  return `#!/bin/sh\n# ${label.replace(/[\r\n]/g, ' ')}\n${launch}\n`;
}
