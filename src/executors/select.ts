/** Builds the executor the configuration names. */
import type { Config } from '../config/schema.js';
import type { Executor } from './types.js';
import { LocalExecutor } from './local/local-executor.js';
import { createSlurmExecutor } from './slurm/index.js';
import { FluxExecutor } from './flux/flux-executor.js';
import { commandEnvironment } from './flux/command-environment.js';

/** `env`: jobgate's environment, from which backend commands (flux, srun...) get theirs and the slurm executor finds its allocation. */
export function createExecutor(config: Config, env: Readonly<Record<string, string | undefined>> = process.env): Executor {
  switch (config.executor) {
    case 'local':
      return new LocalExecutor({ cores: config.cores, gpus: config.gpus, killGraceSeconds: config.killGraceSeconds });
    case 'flux':
      return new FluxExecutor({ env: commandEnvironment(env), role: config.fluxRole, drainTimeoutMs: (config.killGraceSeconds + 25) * 1000 });
    case 'slurm':
      return createSlurmExecutor({ env, killGraceSeconds: config.killGraceSeconds });
  }
}
