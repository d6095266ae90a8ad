/**
 * A real jobgate for tests: a throwaway data directory, the real store, output and executor,
 * listening on a free loopback port. `request` is supertest bound to it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { loadConfig, type ConfigFlags, type Environment } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  config: Config;
  request: ReturnType<typeof supertest>;
  /** Stops the server (canceling its jobs) and removes the data directory. */
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Environment;
  flags?: ConfigFlags;
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  keepDataDir?: boolean;
  overrides?: Partial<Pick<ServerOptions, 'executor' | 'authenticator'>>;
}

export function makeTempDir(prefix = 'jobgate-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? makeTempDir();
  const env: Environment = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', JOBGATE_KILL_GRACE: '1', ...options.env };
  const loaded = loadConfig(env, { port: '0', host: '127.0.0.1', executor: 'local', dataDir, logLevel: 'silent', ...options.flags });
  if (!loaded.ok) {
    throw new Error(`test config: ${loaded.problems.join('; ')}`);
  }
  const logger = createLogger(loaded.config.logLevel);
  const server = await startServer({ config: loaded.config, logger, env, ...options.overrides });
  return {
    ...server,
    dataDir,
    config: loaded.config,
    request: supertest(server.url),
    close: async () => {
      await server.stop('cancel-jobs', 'test finished');
      if (!options.keepDataDir && options.dataDir === undefined) {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15000, what = 'condition', everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Parses a JSON response text keeping 64-bit integers exact (bigint). */
export { parseJsonLossless as parseExact } from '../../src/lib/json.js';

/** Waits for a job to be INACTIVE and returns its detail. */
export async function waitForJobEnd(server: Pick<TestServer, 'request'>, id: bigint | number | string, timeoutMs = 20000): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const response = await server.request.get(`/v1/jobs/${id.toString()}`);
    const body = response.body as Record<string, unknown>;
    return body.state === 'INACTIVE' ? body : undefined;
  }, timeoutMs, `job ${id.toString()} to end`);
}

/** Submits through the API (query string, as the Python client does) and returns the id text (exact). */
export async function submitJob(server: Pick<TestServer, 'request'>, params: Record<string, string | number | boolean>, envars?: Record<string, string>): Promise<string> {
  let request = server.request.post('/v1/jobs/submit').query(params);
  if (envars !== undefined) {
    request = request.set('Content-Type', 'application/json').send(JSON.stringify(envars));
  }
  const response = await request;
  if (response.status !== 200) {
    throw new Error(`submit failed: ${response.status} ${response.text}`);
  }
  const match = /"id":\s*(\d+)/.exec(response.text);
  if (match === null || match[1] === undefined) {
    throw new Error(`no id in ${response.text}`);
  }
  return match[1];
}
