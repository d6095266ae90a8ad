/**
 * Wires one running jobgate: data directory, store, output, executor, domain, HTTP server,
 * and the ordered stop (stop accepting → stop the executor → end streams → close the store).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/schema.js';
import { isLoopback } from './config/load.js';
import { closeDatabase, openDatabase, type Db } from './db/database.js';
import { JobsRepository } from './db/jobs-repository.js';
import { UsageRepository } from './db/usage-repository.js';
import { UsageService } from './domain/usage/usage-service.js';
import { JobService } from './domain/jobs-service.js';
import { baseEnvironment } from './domain/job-environment.js';
import { OutputStore } from './output/output-store.js';
import { createExecutor } from './executors/select.js';
import type { Executor, StopMode } from './executors/types.js';
import { openAuthenticator, type Authenticator } from './http/middleware/auth.js';
import { credentialsAuthenticator } from './http/middleware/credentials.js';
import { AuthService } from './auth/auth-service.js';
import { loadSigningKey } from './auth/signing-key.js';
import { keepStorePrivate } from './auth/private-files.js';
import { createApp } from './app.js';
import { createExtendedServices } from './domain/extended-services.js';
import { lockDataDir } from './data-dir-lock.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics/metrics.js';
import { version } from './version.js';

export interface RunningServer {
  url: string;
  port: number;
  jobs: JobService;
  /** Stops everything; resolves when the store is closed. */
  stop(mode: StopMode, reason: string): Promise<void>;
  /** Resolves with the reason once a stop has completed (e.g. after service/stop). */
  stopped: Promise<string>;
}

export interface ServerOptions {
  config: Config;
  logger: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  /** Overrides for tests and other executors. */
  executor?: Executor;
  authenticator?: Authenticator;
}

export class StartupError extends Error {}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  if (!config.requireAuth && !isLoopback(config.host)) {
    if (!config.allowUnauthenticated) {
      throw new StartupError(
        `refusing to listen on ${config.host} without authentication: anyone who can reach it could run commands as ${os.userInfo().username}. ` +
          'Turn auth on (FLUX_REQUIRE_AUTH=true with FLUX_USER, FLUX_TOKEN, FLUX_SECRET_KEY) or pass --allow-unauthenticated.',
      );
    }
    logger.warn({ host: config.host }, 'WARNING: listening on a non-loopback address with authentication OFF; anyone who can reach this port can run commands');
  }

  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDataDir(config.dataDir);
  let db: Db | null = null;
  try {
    db = openDatabase({ file: path.join(config.dataDir, 'jobgate.db') });
    const auth = await startAuth(config, db, logger);
    return await serveOn(options, db, auth, unlock);
  } catch (error: unknown) {
    if (db !== null) {
      closeDatabase(db);
    }
    unlock();
    throw error;
  }
}

async function serveOn(options: ServerOptions, db: Db, auth: AuthService, unlock: () => void): Promise<RunningServer> {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const repo = new JobsRepository(db);
  const executor = options.executor ?? createExecutor(config, env);
  const metrics = new Metrics({ version, executor: executor.name });
  const output = new OutputStore({
    dataDir: config.dataDir,
    warn: (message, id) => logger.warn({ job: id.toString() }, message),
    onBytes: (stream, bytes) => metrics.countOutput(stream, bytes),
  });
  const jobs = new JobService({
    repo,
    executor,
    output,
    spec: { maxNodes: config.maxNodes, defaultWorkdir: config.defaultWorkdir, defaultOptionFlags: config.defaultOptionFlags },
    baseEnv: baseEnvironment(env),
    userid: process.getuid?.() ?? 0,
    logger,
  });
  metrics.watch(jobs, output);
  try {
    await jobs.start();
  } catch (error: unknown) {
    // The backend is unreachable or misconfigured: say so in one line, and free the data dir.
    closeDatabase(db);
    unlock();
    throw new StartupError(`cannot start the ${executor.name} executor: ${error instanceof Error ? error.message : String(error)}`);
  }
  const usage = new UsageService({ repo: new UsageRepository(db), jobs, executor, intervalSeconds: config.usageIntervalSeconds, logger, now: () => Date.now() / 1000 });
  usage.start();
  const extended = createExtendedServices(db, jobs, () => Date.now() / 1000, output, usage);
  metrics.watchAllocation(jobs, extended.stats, usage);
  if (config.retentionSeconds !== null) {
    extended.purge.startRetention(
      config.retentionSeconds,
      (error) => logger.error({ err: error }, 'retention: purging ended jobs failed; trying again later'),
      (report) => logger.info({ jobs: report.jobs, outputBytes: report.outputBytes }, 'retention: ended jobs purged'),
    );
  }

  let resolveStopped: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<void> | null = null;

  const authenticator = options.authenticator ?? (config.requireAuth ? credentialsAuthenticator(auth) : openAuthenticator(os.userInfo().username));
  const { app } = createApp({
    config,
    jobs,
    output,
    authenticator,
    auth,
    logger,
    metrics,
    extended,
    requestStop: (reason) => {
      void stop('cancel-jobs', reason);
    },
  });
  const server = http.createServer({ maxHeaderSize: 64 * 1024, requestTimeout: 0 }, app.callback());
  server.keepAliveTimeout = 65_000;
  // Once a stop begins, every answer closes its connection: a client that keeps a connection
  // busy (a submit loop) would otherwise hold the drain open until the grace period forces it.
  server.on('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
    if (stopping !== null && !response.headersSent) {
      response.setHeader('Connection', 'close');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;

  function stop(mode: StopMode, reason: string): Promise<void> {
    if (stopping !== null) {
      return stopping;
    }
    stopping = (async () => {
      logger.info({ reason, mode }, 'stopping');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      usage.stop();
      await jobs.stop(mode);
      // Streams have had their final event ('stopping'); drop idle keep-alive connections.
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceSeconds * 1000);
      force.unref();
      await closed;
      clearTimeout(force);
      await extended.purge.stop();
      output.shutdown();
      closeDatabase(db);
      unlock();
      logger.info({ reason }, 'stopped');
      resolveStopped(reason);
    })();
    return stopping;
  }

  logger.info({ url, executor: executor.name, dataDir: config.dataDir, auth: config.requireAuth }, 'jobgate listening');
  return { url, port: address.port, jobs, stop, stopped };
}

/**
 * Users, tokens and sessions: the signing key (given, or generated once in the data dir), and
 * the FLUX_USER superuser brought up to date with FLUX_TOKEN.
 */
async function startAuth(config: Config, db: ReturnType<typeof openDatabase>, logger: Logger): Promise<AuthService> {
  keepStorePrivate(config.dataDir);
  const auth = new AuthService(db, {
    signingKey: loadSigningKey(config.dataDir, config.tokenSigningKey),
    clientSecret: config.clientSecret,
    lifetimeSeconds: config.tokenLifetimeMinutes * 60,
  });
  if (config.superuser !== null) {
    try {
      const outcome = await auth.users.ensureSuperuser(config.superuser.name, config.superuser.password);
      logger.info({ user: config.superuser.name, outcome }, 'superuser from FLUX_USER / FLUX_TOKEN');
    } catch (error: unknown) {
      throw new StartupError(`FLUX_USER '${config.superuser.name}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (config.requireAuth && auth.users.count() === 0) {
    logger.warn('authentication is on but there are no users: set FLUX_USER and FLUX_TOKEN, or add one with `jobgate users add`');
  }
  return auth;
}
