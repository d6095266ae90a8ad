/** Builds the executor the configuration names. */
import type { Config } from '../config/schema.js';
import type { Executor } from './types.js';
import { LocalExecutor } from './local/local-executor.js';
import { createSlurmExecutor } from './slurm/index.js';

/** `env` is jobgate's environment (the slurm executor finds its allocation and settings there). */
export function createExecutor(config: Config, env: Readonly<Record<string, string | undefined>> = process.env): Executor {
  switch (config.executor) {
    case 'local':
      return new LocalExecutor({ cores: config.cores, gpus: config.gpus, killGraceSeconds: config.killGraceSeconds });
    case 'slurm':
      return createSlurmExecutor({ env, killGraceSeconds: config.killGraceSeconds });
    case 'flux':
      throw new Error(`the ${config.executor} executor is not available in this build`);
  }
}
