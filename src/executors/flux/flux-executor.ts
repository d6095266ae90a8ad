/**
 * The flux executor: jobs run in a Flux instance, driven through Flux's own tools.
 *
 * - Submit builds the jobspec (jobspec.ts) and hands it to the connection: the bridge
 *   pipelines any number of concurrent submits; the id Flux assigns is the job's id.
 * - State comes from one stream for all jobs, the job-manager journal. Its events for a job
 *   may arrive before that job's submit has returned its id; they wait until it has (the
 *   domain stores the job after submit returns), or until every submit in flight has
 *   returned without that id: then the job was submitted by someone else and is adopted.
 * - Output: one watch on a job's output eventlog from its `start` until it is clean; `clean`
 *   waits (briefly) for the rest of the output so followers that see the end saw everything.
 * - Restarts and reconnects replay the journal; TrackedJob drops what was seen already.
 * - stop: drain (cancel, wait for clean), then end the instance: jobgate exits when it is the
 *   initial program, or runs `flux shutdown` when it is beside the instance (instance-role.ts).
 */
import type { JobId } from '../../model/job-id.js';
import type { JobSpec } from '../../model/job.js';
import {
  ExecutorError,
  type ActiveJob,
  type Executor,
  type ExecutorSink,
  type FieldProblem,
  type JobLaunch,
  type NodeInfo,
  type StopMode,
  type SubmitOutcome,
} from '../types.js';
import type { UsageReading } from '../../model/usage.js';
import { EnvironSampler } from '../usage/environ-sampler.js';
import type { ExecutorEvent } from '../../model/executor-events.js';
import { SinkSlot } from '../sink-slot.js';
import type { ConnectionHandlers, FluxConnection } from './connection.js';
import { reconcileBacklog } from './backlog-reconcile.js';
import { answersWithin, openConnection, Reconnector } from './instance-link.js';
import { JOURNAL_ONLY_EVENTS, parseR, toExecutorEvent, type EventlogEntry, type JournalEntry } from './flux-events.js';
import { resolveRole, shutdownInstance, type FluxRole } from './instance-role.js';
import { buildJobspec, jobspecProblems } from './jobspec.js';
import { readInstanceSize } from './instance-size.js';
import { readNodes, RecentNodes } from './node-list.js';
import { OutputWatch } from './output-watch.js';
import { JobCorrelation } from './job-correlation.js';
import { STATE_RANK, type TrackedJob } from './tracked-job.js';
import { userName } from './user-names.js';

export interface FluxExecutorOptions {
  /** The `flux` command (default: `flux`, found on PATH). */
  flux?: string;
  /** Environment of `flux` and the bridge: jobgate's, without its secrets. */
  env: Record<string, string>;
  /** What service/stop does at the end (see instance-role.ts). */
  role: 'auto' | FluxRole;
  /** How long `clean` waits for a job's remaining output (ms). */
  outputGraceMs?: number;
  /** How long stop waits for canceled jobs to be clean (ms). */
  drainTimeoutMs?: number;
  /** How long `flux shutdown` may take (ms). */
  shutdownTimeoutMs?: number;
  /** Longest wait between reconnection attempts (ms). */
  reconnectMaxMs?: number;
  ownerOf?: (userid: number) => string;
}

export class FluxExecutor implements Executor {
  private usage: EnvironSampler | null = null;
  readonly name = 'flux' as const;
  readonly assignsIds = true;
  private readonly reporter = new SinkSlot('flux');
  private conn: FluxConnection | null = null;
  private readonly jobs = new Map<JobId, TrackedJob>();
  private readonly restoring = new Map<JobId, ActiveJob>();
  private readonly correlation: JobCorrelation;
  private readonly watch: OutputWatch;
  private backlogIds = new Set<JobId>();
  private backlogDone = false;
  private backlogFinished: (() => void) | null = null;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private lostReason: string | null = null;
  private readonly reconnector: Reconnector;
  private rolePromise: Promise<FluxRole> | null = null;
  private readonly recentNodes = new RecentNodes();
  /** Nodes in the instance, read at each connection (a reconnect may find another instance). */
  private instanceSize = 1;

  constructor(private readonly options: FluxExecutorOptions) {
    const reconnectFailed = (error: unknown): void => this.reporter.sink.log('warn', 'reconnecting to Flux failed', { error: error instanceof Error ? error.message : String(error) });
    this.reconnector = new Reconnector(() => this.connect(), reconnectFailed, options.reconnectMaxMs ?? 30000);
    this.correlation = new JobCorrelation({
      reporter: this.reporter,
      jobs: this.jobs,
      restoring: this.restoring,
      ownerOf: options.ownerOf ?? userName,
      sameInstance: (restored) => this.sameInstance(restored),
      follow: (id) => this.conn?.follow(id),
      deliver: (job, entry) => this.deliver(job, entry),
      emit: (event) => this.emit(event),
    });
    this.watch = new OutputWatch({
      reporter: this.reporter,
      jobs: this.jobs,
      connection: () => this.conn,
      stopping: () => this.stopping,
      cleaned: (job, t) => {
        this.jobs.delete(job.id);
        this.emit({ id: job.id, t, name: 'clean' });
      },
      ...(options.outputGraceMs !== undefined ? { outputGraceMs: options.outputGraceMs } : {}),
    });
  }

  private get flux(): string {
    return this.options.flux ?? 'flux';
  }

  check(spec: JobSpec): FieldProblem[] {
    return jobspecProblems(spec);
  }

  async start(sink: ExecutorSink, active: ActiveJob[]): Promise<void> {
    this.reporter.set(sink);
    for (const job of active) {
      this.restoring.set(job.id, job);
    }
    this.rolePromise = resolveRole(this.options.role, this.flux, this.options.env);
    await this.connect();
  }

  // ------------------------------------------------------------------ connection

  private handlers(): ConnectionHandlers {
    return {
      journal: (entry) => this.onJournal(entry),
      output: (id, entry) => this.watch.onOutput(id, entry),
      outputEnd: (id, error) => this.watch.onOutputEnd(id, error),
      lost: (reason) => this.onLost(reason),
      log: (level, message, fields) => this.reporter.sink.log(level, message, fields),
    };
  }

  /** Connects, then replays the journal's backlog and looks up the jobs it no longer lists. */
  private async connect(): Promise<void> {
    const conn = await openConnection({ flux: this.flux, env: this.options.env, handlers: this.handlers() });
    if (this.stopping) {
      await conn.close();
      return;
    }
    this.instanceSize = (await readInstanceSize(this.flux, this.options.env)) ?? this.instanceSize;
    this.conn = conn;
    this.lostReason = null;
    this.backlogDone = false;
    this.backlogIds = new Set();
    this.reporter.sink.log('info', 'connected to Flux', { via: conn.info.kind, version: conn.info.version });
    const caughtUp = new Promise<void>((resolve) => {
      this.backlogFinished = resolve;
    });
    conn.startJournal();
    await caughtUp;
  }

  private onLost(reason: string): void {
    this.conn = null;
    this.lostReason = reason;
    for (const job of this.jobs.values()) {
      job.watching = false;
      job.decoder = null;
    }
    this.backlogFinished?.();
    this.backlogFinished = null;
    if (this.stopping) {
      return;
    }
    this.reporter.sink.log('warn', 'lost the Flux instance; reconnecting', { reason });
    this.reconnector.schedule();
  }

  private requireConnection(): FluxConnection {
    if (this.stopping) {
      throw new ExecutorError('unavailable', 'jobgate is stopping');
    }
    if (this.conn === null) {
      throw new ExecutorError('unavailable', `the Flux instance is not reachable${this.lostReason !== null ? `: ${this.lostReason}` : ''}`);
    }
    return this.conn;
  }

  private backendRef(): string | undefined {
    const instance = this.conn?.info.instance;
    return instance === null || instance === undefined ? undefined : `flux:${instance}`;
  }

  // ------------------------------------------------------------------ journal

  private emit(event: ExecutorEvent | null): void {
    if (event !== null) {
      this.reporter.sink.event(event);
    }
  }

  private onJournal(entry: JournalEntry): void {
    if (entry.id === null) {
      void this.onSentinel();
      return;
    }
    const id = entry.id;
    if (!this.backlogDone) {
      this.backlogIds.add(id);
    }
    this.correlation.route(id, entry, this.backlogDone);
  }

  private deliver(job: TrackedJob, entry: JournalEntry): void {
    if (!job.ready) {
      job.waiting.push({ events: entry.events, R: entry.R });
      return;
    }
    for (const event of entry.events) {
      // Journal-only events are not in the eventlog: they take no part in spotting repeats.
      if (JOURNAL_ONLY_EVENTS.has(event.name) || !job.fresh(event)) {
        continue;
      }
      this.apply(job, event, entry.R);
    }
  }

  private apply(job: TrackedJob, event: EventlogEntry, R: unknown): void {
    const after = job.stateAfter(event);
    const repeat = job.minState !== null && after < job.minState;
    job.state = after;
    if (event.name === 'submit') {
      return;
    }
    if (event.name === 'alloc') {
      job.rankList = parseR(R)?.rankList ?? job.rankList;
    }
    if (event.name === 'start') {
      job.started = true;
      this.watch.open(job);
    }
    if (event.name === 'clean') {
      this.watch.clean(job, event.timestamp);
      return;
    }
    if (!repeat) {
      this.emit(toExecutorEvent(job.id, event, event.name === 'alloc' ? parseR(R) : null));
    }
  }

  /** The end of the backlog: every active job has been replayed; look up the rest. */
  private async onSentinel(): Promise<void> {
    const conn = this.conn;
    if (conn === null || this.backlogDone) {
      return;
    }
    this.backlogDone = true;
    await reconcileBacklog(conn, this.backlogIds, {
      reporter: this.reporter,
      jobs: this.jobs,
      restoring: this.restoring,
      watch: this.watch,
      sameInstance: (restored) => this.sameInstance(restored),
      restore: (restored) => this.correlation.restore(restored),
      deliver: (job, entry) => this.deliver(job, entry),
      emit: (event) => this.emit(event),
    });
    this.backlogFinished?.();
    this.backlogFinished = null;
  }

  /** Whether a stored job ran in the instance jobgate is connected to (unknown counts as yes). */
  private sameInstance(restored: ActiveJob): boolean {
    const ref = this.backendRef();
    return restored.backendRef === null || ref === undefined || restored.backendRef === ref;
  }

  // ------------------------------------------------------------------ operations

  async submit(launch: JobLaunch): Promise<SubmitOutcome> {
    const conn = this.requireConnection();
    const jobspec = JSON.stringify(buildJobspec(launch.spec, { env: launch.env, owner: launch.owner, rlimit: conn.info.rlimit }));
    const token = this.correlation.begin();
    let id: JobId;
    try {
      id = await conn.submit(jobspec, launch.spec.urgency);
    } catch (error: unknown) {
      this.correlation.settle(token, null);
      throw error;
    }
    const job = this.correlation.track(id, 'ours');
    this.correlation.settle(token, job);
    conn.follow(id);
    // The domain stores the job when this promise resolves; its events go out after that.
    setImmediate(() => {
      job.ready = true;
      for (const waiting of job.waiting.splice(0)) {
        this.deliver(job, { id, ...waiting });
      }
    });
    const ref = this.backendRef();
    return ref === undefined ? { id } : { id, backendRef: ref };
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    await this.requireConnection().cancel(id, reason);
  }

  async setUrgency(id: JobId, urgency: number): Promise<void> {
    await this.requireConnection().urgency(id, urgency);
  }

  /** The jobs' processes on this node, found by FLUX_JOB_ID (see usage/environ-sampler.ts). */
  async sampleUsage(ids: readonly JobId[]): Promise<UsageReading[]> {
    this.usage ??= new EnvironSampler();
    return this.usage.sample(ids, Date.now() / 1000);
  }

  async nodes(): Promise<NodeInfo[]> {
    const jobsOn = (rank: number): JobId[] => [...this.jobs.values()].filter((job) => job.state === STATE_RANK.RUN && job.rankList.includes(rank)).map((job) => job.id);
    return this.recentNodes.get(() => readNodes(this.flux, this.options.env, jobsOn));
  }

  size(): number {
    return this.instanceSize;
  }

  async ready(): Promise<boolean> {
    const conn = this.conn;
    if (this.stopping || conn === null) {
      return false;
    }
    return answersWithin(conn, 2000);
  }

  async version(): Promise<string> {
    const info = this.conn?.info;
    if (info === undefined) {
      return 'flux (not connected)';
    }
    return info.kind === 'bridge' ? `flux-core ${info.version}` : `flux-core ${info.version} (flux commands; Python bindings not found)`;
  }

  // ------------------------------------------------------------------ stop

  stop(mode: StopMode): Promise<void> {
    this.stopped ??= this.drainAndEnd(mode);
    return this.stopped;
  }

  private async drainAndEnd(mode: StopMode): Promise<void> {
    this.stopping = true;
    this.reconnector.end();
    const conn = this.conn;
    if (mode === 'cancel-jobs' && conn !== null) {
      // Drain: cancel every active job, then let their last events (and output) arrive.
      const reason = 'jobgate service stopped';
      await Promise.allSettled([...this.jobs.values()].filter((job) => job.state < STATE_RANK.INACTIVE).map((job) => conn.cancel(job.id, reason)));
      const deadline = Date.now() + (this.options.drainTimeoutMs ?? 30000);
      while (this.jobs.size > 0 && this.conn !== null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const role = mode === 'cancel-jobs' ? await (this.rolePromise ?? resolveRole(this.options.role, this.flux, this.options.env)).catch(() => 'beside' as const) : null;
    for (const job of [...this.jobs.values()]) {
      if (job.pendingClean !== null) {
        this.watch.finishClean(job);
      }
    }
    this.conn = null;
    await conn?.close();
    if (role === 'beside') {
      await shutdownInstance(this.flux, this.options.env, this.options.shutdownTimeoutMs ?? 120000, (level, message, fields) => this.reporter.sink.log(level, message, fields));
    }
  }
}
