/** Builds the executor the configuration names. */
import type { Config } from '../config/schema.js';
import type { Executor } from './types.js';
import { LocalExecutor } from './local/local-executor.js';

export function createExecutor(config: Config): Executor {
  switch (config.executor) {
    case 'local':
      return new LocalExecutor({ cores: config.cores, gpus: config.gpus, killGraceSeconds: config.killGraceSeconds });
    case 'flux':
    case 'slurm':
      throw new Error(`the ${config.executor} executor is not available in this build`);
  }
}
