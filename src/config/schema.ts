/**
 * The one configuration schema. Every key is documented here, next to its rule; `load.ts`
 * gathers the raw values (CLI flags over JOBGATE_* variables over the original's FLUX_*
 * variables over defaults) and validates them once at start, reporting every problem at once.
 */
import { z } from 'zod';

export const EXECUTORS = ['local', 'flux', 'slurm'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Who may read /metrics: loopback peers without credentials (others need a superuser), anyone, only superusers, or nobody. */
export const METRICS_ACCESS = ['loopback', 'public', 'superuser', 'off'] as const;
export type MetricsAccess = (typeof METRICS_ACCESS)[number];

export const configSchema = z.object({
  /** Address to bind. Loopback by default: auth is off by default. */
  host: z.string().min(1),
  /** TCP port (0 picks a free one, used by tests). */
  port: z.number().int().min(0).max(65535),
  /** Which backend runs jobs; `auto` is resolved before validation. */
  executor: z.enum(EXECUTORS),
  /** Where the database, job output and keys live. Created with mode 0700. */
  dataDir: z.string().min(1),
  /** Working directory of jobs that do not name one (relative workdirs are resolved against it). */
  defaultWorkdir: z.string().min(1),
  /** Cores the local executor hands out; defaults to the machine's. */
  cores: z.number().int().min(1).max(65536),
  /** GPUs the local executor hands out; defaults to the NVIDIA devices found. */
  gpus: z.number().int().min(0).max(1024),
  /** Largest num_nodes accepted (FLUX_NUMBER_NODES); null: the executor's size (Flux's, read from it; 1 elsewhere). */
  maxNodes: z.number().int().min(1).nullable(),
  /** Seconds between SIGTERM and SIGKILL when a job is canceled or runs out of time. */
  killGraceSeconds: z.number().min(0).max(3600),
  /** Default shell options applied to every submit (FLUX_OPTION_FLAGS), e.g. `-ompi=openmpi@5`. */
  defaultOptionFlags: z.record(z.string(), z.string()),
  /** Require credentials (FLUX_REQUIRE_AUTH: any non-empty value, as in flux-restful-api). */
  requireAuth: z.boolean(),
  /** Permit binding a non-loopback address with auth off (prints a warning). */
  allowUnauthenticated: z.boolean(),
  /** Superuser created or updated at start (FLUX_USER / FLUX_TOKEN). */
  superuser: z.object({ name: z.string().min(1), password: z.string().min(1) }).nullable(),
  /** Shared secret that signs a client's `/v1/token` request (FLUX_SECRET_KEY). Never signs access tokens. */
  clientSecret: z.string().min(1).nullable(),
  /** Key that signs access tokens; generated once and kept in the data dir when not given. */
  tokenSigningKey: z.string().min(32).nullable(),
  /** Access-token lifetime in minutes (FLUX_ACCESS_TOKEN_EXPIRES_MINUTES). */
  tokenLifetimeMinutes: z.number().int().min(1).max(60 * 24 * 365),
  /** Largest request body accepted, in bytes (413 above). */
  maxBodyBytes: z.number().int().min(1024),
  /** Largest page of the search and listing routes. */
  maxPageLength: z.number().int().min(1).max(100000),
  /** Logging. */
  logLevel: z.enum(LOG_LEVELS),
  /** Access to /metrics (JOBGATE_METRICS); its labels never name jobs or users. */
  metricsAccess: z.enum(METRICS_ACCESS),
  /** Seconds to wait for running work to drain on stop before forcing it. */
  shutdownGraceSeconds: z.number().min(0).max(3600),
  /**
   * A token bucket per client (user when auth is on, else address) over the whole API:
   * `perSecond` sustained (0: off), `burst` at once; loopback clients only when `limitLoopback`.
   */
  rateLimit: z.object({
    perSecond: z.number().min(0).max(1_000_000),
    burst: z.number().int().min(1).max(1_000_000),
    limitLoopback: z.boolean(),
  }),
  /**
   * Flux executor: what service/stop ends with (JOBGATE_FLUX_ROLE). `initial-program`: exit (the
   * instance ends with its initial program); `beside`: run `flux shutdown`; `auto`: tell by the
   * process tree (a broker among jobgate's ancestors means initial program).
   */
  fluxRole: z.enum(['auto', 'initial-program', 'beside']),
  /**
   * Addresses and subnets that may call the admin routes (service/stop, users, purge), as
   * written in JOBGATE_ADMIN_ALLOW (`127.0.0.1,10.0.0.0/8`); null: any address (a superuser is
   * still needed).
   */
  adminAllow: z.array(z.string().min(1)).min(1).nullable(),
  /** Seconds after its end an ended job is removed with its output and labels (JOBGATE_RETENTION); null: kept forever. */
  retentionSeconds: z.number().positive().nullable(),
  /** Seconds between samples of what running jobs use (JOBGATE_USAGE_INTERVAL; 0 or off: no sampling). */
  usageIntervalSeconds: z.number().min(0).max(3600).refine((value) => value === 0 || value >= 0.2, 'must be 0 (off) or at least 0.2 seconds'),
});

export type Config = Readonly<z.infer<typeof configSchema>>;
