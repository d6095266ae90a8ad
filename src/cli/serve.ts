/** `jobgate serve`: load the configuration, start, and stop cleanly on signals or service/stop. */
import { loadConfig, type ConfigFlags } from '../config/load.js';
import { createLogger } from '../logger.js';
import { startServer, StartupError } from '../server.js';

export async function serve(flags: ConfigFlags): Promise<number> {
  const loaded = loadConfig(process.env, flags);
  if (!loaded.ok) {
    process.stderr.write(`jobgate: the configuration has ${loaded.problems.length} problem(s):\n${loaded.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
    return 2;
  }
  const logger = createLogger(loaded.config.logLevel);
  for (const note of loaded.notes) {
    logger.warn(note);
  }
  let server;
  try {
    server = await startServer({ config: loaded.config, logger });
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof StartupError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE' || /in use by another jobgate/.test(message)) {
      process.stderr.write(`jobgate: ${message}\n`);
      return 1;
    }
    throw error;
  }
  process.stderr.write(`jobgate ${server.url} (executor ${loaded.config.executor}, data ${loaded.config.dataDir})\n`);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    // A signal (a restart, a Ctrl-C, `flux shutdown`'s SIGHUP) leaves local tasks running:
    // they are detached, and the next start re-attaches to them. service/stop cancels them.
    void server.stop('leave-jobs', `signal ${signal}`);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, onSignal);
  }
  // Both a signal and service/stop end in a clean stop: exit 0 (under `flux start` that ends
  // the instance normally).
  await server.stopped;
  logger.flush?.();
  return 0;
}
