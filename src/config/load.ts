/**
 * Builds the Config from CLI flags, environment and defaults. Pure: takes the environment and
 * flags as arguments and returns either a frozen Config or the full list of problems, each
 * naming where the bad value came from.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { split } from 'shlex';
import { configSchema, EXECUTORS, LOG_LEVELS, METRICS_ACCESS, type Config, type ExecutorName } from './schema.js';
import { parseBoolean, parseInteger, parseDuration } from '../lib/parse.js';
import { USER_NAME } from '../model/user.js';
import { parseAddressList } from '../lib/address-list.js';

/** Flags given on the command line (already parsed by the CLI), all optional strings. */
export interface ConfigFlags {
  host?: string;
  port?: string;
  executor?: string;
  dataDir?: string;
  workdir?: string;
  cores?: string;
  gpus?: string;
  logLevel?: string;
  metrics?: string;
  requireAuth?: boolean;
  allowUnauthenticated?: boolean;
  usageInterval?: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export type LoadResult = { ok: true; config: Config; notes: string[] } | { ok: false; problems: string[] };

interface Source {
  value: string;
  from: string;
}

function pick(env: Environment, flag: string | undefined, flagName: string, names: string[]): Source | undefined {
  if (flag !== undefined) {
    return { value: flag, from: flagName };
  }
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      return { value, from: name };
    }
  }
  return undefined;
}

function countNvidiaGpus(): number {
  try {
    return fs.readdirSync('/dev').filter((name) => /^nvidia\d+$/.test(name)).length;
  } catch {
    return 0;
  }
}

/** `auto`: inside a Flux instance when FLUX_URI is set, inside a Slurm allocation when SLURM_JOB_ID is. */
function resolveExecutor(requested: string, env: Environment): ExecutorName | undefined {
  if (requested === 'auto') {
    if (env.FLUX_URI) {
      return 'flux';
    }
    if (env.SLURM_JOB_ID) {
      return 'slurm';
    }
    return 'local';
  }
  return (EXECUTORS as readonly string[]).includes(requested) ? (requested as ExecutorName) : undefined;
}

/** FLUX_OPTION_FLAGS: a shell-split list like `-ompi=openmpi@5 -okey=value`; a leading `-o` is dropped. */
function parseOptionFlagList(text: string): Record<string, string> | string {
  const flags: Record<string, string> = {};
  let words: string[];
  try {
    words = split(text);
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
  for (const word of words) {
    const item = word.startsWith('-o') ? word.slice(2) : word;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      return `'${word}' is not key=value`;
    }
    flags[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return flags;
}

export function loadConfig(env: Environment, flags: ConfigFlags = {}, cwd = process.cwd()): LoadResult {
  const problems: string[] = [];
  const notes: string[] = [];

  const integer = (source: Source | undefined, fallback: number): number => {
    if (source === undefined) {
      return fallback;
    }
    const value = parseInteger(source.value);
    if (value === undefined) {
      problems.push(`${source.from}: expected a whole number, got '${source.value}'`);
      return fallback;
    }
    return value;
  };
  const boolean = (source: Source | undefined, fallback: boolean): boolean => {
    if (source === undefined) {
      return fallback;
    }
    const value = parseBoolean(source.value);
    if (value === undefined) {
      problems.push(`${source.from}: expected true or false, got '${source.value}'`);
      return fallback;
    }
    return value;
  };
  const seconds = (source: Source | undefined, fallback: number): number => {
    if (source === undefined) {
      return fallback;
    }
    const value = parseDuration(source.value);
    if (value === undefined) {
      problems.push(`${source.from}: expected a duration such as 5, 5s or 1m, got '${source.value}'`);
      return fallback;
    }
    return value;
  };

  // A sampling interval: a duration, or off (0).
  const offOrSeconds = (source: Source | undefined, fallback: number): number => {
    if (source !== undefined && parseBoolean(source.value) === false) {
      return 0;
    }
    return seconds(source, fallback);
  };

  // Requests per second: a number, or off (0).
  const rate = (source: Source | undefined, fallback: number): number => {
    if (source === undefined) {
      return fallback;
    }
    if (parseBoolean(source.value) === false) {
      return 0;
    }
    const value = Number(source.value.trim());
    if (source.value.trim() === '' || !Number.isFinite(value) || value < 0) {
      problems.push(`${source.from}: expected requests per second (a number, 0 or off to turn limiting off), got '${source.value}'`);
      return fallback;
    }
    return value;
  };

  const executorSource = pick(env, flags.executor, '--executor', ['JOBGATE_EXECUTOR']) ?? { value: 'auto', from: 'default' };
  const executor = resolveExecutor(executorSource.value, env);
  if (executor === undefined) {
    problems.push(`${executorSource.from}: executor must be one of local, flux, slurm, auto; got '${executorSource.value}'`);
  }

  // FLUX_REQUIRE_AUTH keeps the original's meaning (any non-empty value turns auth on, even
  // "false"); JOBGATE_REQUIRE_AUTH is ours and takes a clear true/false.
  let requireAuth = false;
  if (flags.requireAuth !== undefined) {
    requireAuth = flags.requireAuth;
  } else if (env.JOBGATE_REQUIRE_AUTH !== undefined && env.JOBGATE_REQUIRE_AUTH !== '') {
    requireAuth = boolean({ value: env.JOBGATE_REQUIRE_AUTH, from: 'JOBGATE_REQUIRE_AUTH' }, false);
  } else if (env.FLUX_REQUIRE_AUTH !== undefined && env.FLUX_REQUIRE_AUTH !== '') {
    requireAuth = true;
    if (parseBoolean(env.FLUX_REQUIRE_AUTH) === false) {
      notes.push(`FLUX_REQUIRE_AUTH='${env.FLUX_REQUIRE_AUTH}' turns auth ON (any non-empty value does, as in flux-restful-api); use JOBGATE_REQUIRE_AUTH=false to turn it off`);
    }
  }

  const optionFlagsText = env.FLUX_OPTION_FLAGS ?? '';
  let defaultOptionFlags: Record<string, string> = {};
  if (optionFlagsText.trim() !== '') {
    const parsed = parseOptionFlagList(optionFlagsText);
    if (typeof parsed === 'string') {
      problems.push(`FLUX_OPTION_FLAGS: ${parsed}`);
    } else {
      defaultOptionFlags = parsed;
    }
  }

  const userName = env.FLUX_USER;
  const userPassword = env.FLUX_TOKEN;
  if ((userName && !userPassword) || (!userName && userPassword)) {
    problems.push('FLUX_USER and FLUX_TOKEN: set both (the superuser name and password) or neither');
  }

  if (userName && !USER_NAME.test(userName)) {
    problems.push(`FLUX_USER: '${userName}' is not a usable user name (1-64 letters, digits or . _ @ + -, starting with a letter or digit)`);
  }
  problems.push(...authProblems(env));
  if (requireAuth) {
    notes.push(...authNotes(env));
  }

  const dataDir = resolveDataDir(env, flags.dataDir, cwd);
  const gpusSource = pick(env, flags.gpus, '--gpus', ['JOBGATE_GPUS']);
  const hasGpusFlag = env.FLUX_HAS_GPUS !== undefined && env.FLUX_HAS_GPUS !== '';
  const detectedGpus = countNvidiaGpus();
  const logLevelSource = pick(env, flags.logLevel, '--log-level', ['JOBGATE_LOG_LEVEL']) ?? { value: 'info', from: 'default' };
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelSource.value)) {
    problems.push(`${logLevelSource.from}: log level must be one of ${LOG_LEVELS.join(', ')}; got '${logLevelSource.value}'`);
  }

  const metricsSource = pick(env, flags.metrics, '--metrics', ['JOBGATE_METRICS']) ?? { value: 'loopback', from: 'default' };
  if (!(METRICS_ACCESS as readonly string[]).includes(metricsSource.value)) {
    problems.push(`${metricsSource.from}: metrics access must be one of ${METRICS_ACCESS.join(', ')}; got '${metricsSource.value}'`);
  }
  let fluxRole = pick(env, undefined, '', ['JOBGATE_FLUX_ROLE'])?.value ?? 'auto';
  if (!['auto', 'initial-program', 'beside'].includes(fluxRole)) {
    problems.push(`JOBGATE_FLUX_ROLE: must be auto, initial-program or beside; got '${fluxRole}'`);
    fluxRole = 'auto';
  }

  let adminAllow: string[] | null = null;
  const adminAllowText = pick(env, undefined, '', ['JOBGATE_ADMIN_ALLOW'])?.value;
  if (adminAllowText !== undefined) {
    const parsed = parseAddressList(adminAllowText);
    if ('problems' in parsed) {
      problems.push(...parsed.problems.map((problem) => `JOBGATE_ADMIN_ALLOW: ${problem}`));
    } else {
      adminAllow = parsed.entries;
    }
  }
  // Retention: a duration (30d, 12h, 2s); off, 0 or unset keep ended jobs forever.
  const retentionSource = pick(env, undefined, '', ['JOBGATE_RETENTION']);
  const retentionSeconds = retentionSource === undefined || parseBoolean(retentionSource.value) === false ? 0 : seconds(retentionSource, 0);

  const nodesSource = pick(env, undefined, '', ['FLUX_NUMBER_NODES']);
  const raw = {
    host: pick(env, flags.host, '--host', ['JOBGATE_HOST', 'HOST'])?.value ?? '127.0.0.1',
    port: integer(pick(env, flags.port, '--port', ['JOBGATE_PORT', 'PORT']), 5000),
    executor: executor ?? 'local',
    dataDir,
    defaultWorkdir: path.resolve(cwd, pick(env, flags.workdir, '--workdir', ['JOBGATE_WORKDIR'])?.value ?? cwd),
    cores: integer(pick(env, flags.cores, '--cores', ['JOBGATE_CORES']), os.availableParallelism()),
    gpus: integer(gpusSource, hasGpusFlag ? Math.max(detectedGpus, 1) : detectedGpus),
    // Unset: the executor says (a Flux instance's real size).
    maxNodes: nodesSource === undefined ? null : integer(nodesSource, 1),
    killGraceSeconds: seconds(pick(env, undefined, '', ['JOBGATE_KILL_GRACE']), 5),
    defaultOptionFlags,
    requireAuth,
    allowUnauthenticated: flags.allowUnauthenticated ?? boolean(pick(env, undefined, '', ['JOBGATE_ALLOW_UNAUTHENTICATED']), false),
    superuser: userName && userPassword ? { name: userName, password: userPassword } : null,
    clientSecret: env.FLUX_SECRET_KEY ? env.FLUX_SECRET_KEY : null,
    tokenSigningKey: env.JOBGATE_TOKEN_SIGNING_KEY ? env.JOBGATE_TOKEN_SIGNING_KEY : null,
    tokenLifetimeMinutes: integer(pick(env, undefined, '', ['JOBGATE_TOKEN_LIFETIME_MINUTES', 'FLUX_ACCESS_TOKEN_EXPIRES_MINUTES']), 600),
    maxBodyBytes: integer(pick(env, undefined, '', ['JOBGATE_MAX_BODY_BYTES']), 1024 * 1024),
    maxPageLength: integer(pick(env, undefined, '', ['JOBGATE_MAX_PAGE_LENGTH']), 1000),
    logLevel: logLevelSource.value,
    metricsAccess: metricsSource.value,
    shutdownGraceSeconds: seconds(pick(env, undefined, '', ['JOBGATE_SHUTDOWN_GRACE']), 10),
    rateLimit: {
      perSecond: rate(pick(env, undefined, '', ['JOBGATE_RATE_LIMIT']), 20),
      burst: integer(pick(env, undefined, '', ['JOBGATE_RATE_LIMIT_BURST']), 100),
      limitLoopback: boolean(pick(env, undefined, '', ['JOBGATE_RATE_LIMIT_LOOPBACK']), false),
    },
    fluxRole,
    adminAllow,
    retentionSeconds: retentionSeconds > 0 ? retentionSeconds : null,
    usageIntervalSeconds: offOrSeconds(pick(env, flags.usageInterval, '--usage-interval', ['JOBGATE_USAGE_INTERVAL']), 5),
  };

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.') || 'config'}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    return { ok: false, problems: [...new Set(problems)] };
  }
  return { ok: true, config: Object.freeze(parsed.data), notes };
}

/** Loopback addresses, where running without auth is allowed by default. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Where the database, output and keys live: --data-dir, else JOBGATE_DATA_DIR, else ./data. */
export function resolveDataDir(env: Environment, flag: string | undefined, cwd = process.cwd()): string {
  return path.resolve(cwd, pick(env, flag, '--data-dir', ['JOBGATE_DATA_DIR'])?.value ?? 'data');
}

/** Values published in flux-restful-api's Dockerfile, entrypoint and examples: anyone can guess them. */
const PUBLISHED_SECRETS = new Set(['notsecrethoo', 'notsosecrethoo', 'takeovertheworld']);
const PUBLISHED_PASSWORDS = new Set(['12345', 'thebrain', 'root']);

function authProblems(env: Environment): string[] {
  const signing = env.JOBGATE_TOKEN_SIGNING_KEY;
  if (signing && env.FLUX_SECRET_KEY && signing === env.FLUX_SECRET_KEY) {
    // The whole point of a separate key: every client holds FLUX_SECRET_KEY.
    return ['JOBGATE_TOKEN_SIGNING_KEY: must differ from FLUX_SECRET_KEY (every client knows that one, so it could mint access tokens)'];
  }
  return [];
}

function authNotes(env: Environment): string[] {
  const notes: string[] = [];
  if (!env.FLUX_SECRET_KEY) {
    notes.push('FLUX_SECRET_KEY is not set: POST /v1/token (the flux-restful-client handshake) denies every request; /v1/login/access-token and the login page still work');
  } else if (PUBLISHED_SECRETS.has(env.FLUX_SECRET_KEY)) {
    notes.push('FLUX_SECRET_KEY is a value published in flux-restful-api\'s examples; choose your own');
  }
  if (env.FLUX_TOKEN && (PUBLISHED_PASSWORDS.has(env.FLUX_TOKEN) || env.FLUX_TOKEN.length < 8)) {
    notes.push('FLUX_TOKEN (the superuser\'s password) is short or a published example value; choose a long random one');
  }
  return notes;
}
