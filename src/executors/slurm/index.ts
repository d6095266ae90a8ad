/**
 * The slurm executor: job steps with `srun` inside an allocation (SLURM_JOB_ID set), batch jobs
 * with `sbatch` outside one.
 */
import type { Executor } from '../types.js';
import { allocationFromEnv } from './allocation.js';
import { SlurmBatchExecutor } from './batch-executor.js';
import { findProgram, SlurmCli } from './slurm-cli.js';
import { SlurmStepExecutor } from './step-executor.js';

export interface SlurmExecutorOptions {
  /** jobgate's environment: where Slurm's commands and settings are found. */
  env: Readonly<Record<string, string | undefined>>;
  killGraceSeconds: number;
  pollMs?: number;
}

/** Slurm's own settings that its commands need wherever they run (passed to srun and sbatch too). */
const SLURM_SETTINGS = ['SLURM_CONF'] as const;

export function createSlurmExecutor(options: SlurmExecutorOptions): Executor {
  const cli = new SlurmCli(options.env);
  const slurmSettings: Record<string, string> = {};
  for (const name of SLURM_SETTINGS) {
    const value = options.env[name];
    if (value !== undefined && value !== '') {
      slurmSettings[name] = value;
    }
  }
  const srunPath = findProgram('srun', options.env.PATH ?? '');
  const allocation = allocationFromEnv(options.env);
  if (allocation !== null) {
    return new SlurmStepExecutor({ cli, allocation, slurmSettings, srunPath, killGraceSeconds: options.killGraceSeconds });
  }
  return new SlurmBatchExecutor({ cli, slurmSettings, srunPath, pollMs: options.pollMs });
}
