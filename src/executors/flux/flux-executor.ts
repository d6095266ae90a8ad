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
import { runCommand } from '../process.js';
import { ExecutorError, type ActiveJob, type Executor, type ExecutorSink, type FieldProblem, type JobLaunch, type NodeInfo, type StopMode, type SubmitOutcome } from '../types.js';
import type { ExecutorEvent } from '../../model/executor-events.js';
import { SinkSlot } from '../sink-slot.js';
import { BridgeConnection, BridgeStartError } from './bridge-connection.js';
import { CommandConnection } from './command-connection.js';
import type { ConnectionHandlers, FluxConnection } from './connection.js';
import { externalJob, JOURNAL_ONLY_EVENTS, parseR, toExecutorEvent, type EventlogEntry, type JournalEntry } from './flux-events.js';
import { resolveRole, type FluxRole } from './instance-role.js';
import { buildJobspec, jobspecProblems } from './jobspec.js';
import { readInstanceSize } from './instance-size.js';
import { readNodes } from './node-list.js';
import { OutputDecoder } from './output-decoder.js';
import { STATE_RANK, TrackedJob, type Origin } from './tracked-job.js';
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

interface HeldEntries {
  entries: JournalEntry[];
  /** Submits in flight when these arrived: if none of them returns this id, the job is someone else's. */
  waiting: Set<number>;
}

export class FluxExecutor implements Executor {
  readonly name = 'flux' as const;
  readonly assignsIds = true;
  private readonly reporter = new SinkSlot('flux');
  private conn: FluxConnection | null = null;
  private readonly jobs = new Map<JobId, TrackedJob>();
  private readonly restoring = new Map<JobId, ActiveJob>();
  private readonly inflight = new Set<number>();
  private readonly held = new Map<JobId, HeldEntries>();
  private backlogIds = new Set<JobId>();
  private backlogDone = false;
  private backlogFinished: (() => void) | null = null;
  private nextToken = 1;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private lostReason: string | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 500;
  private rolePromise: Promise<FluxRole> | null = null;
  private nodesCache: { at: number; value: Promise<NodeInfo[]> } | null = null;
  /** Nodes in the instance, read at each connection (a reconnect may find another instance). */
  private instanceSize = 1;

  constructor(private readonly options: FluxExecutorOptions) {}

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
      output: (id, entry) => this.onOutput(id, entry),
      outputEnd: (id, error) => this.onOutputEnd(id, error),
      lost: (reason) => this.onLost(reason),
      log: (level, message, fields) => this.reporter.sink.log(level, message, fields),
    };
  }

  private async open(): Promise<FluxConnection> {
    const common = { flux: this.flux, env: this.options.env, handlers: this.handlers() };
    try {
      return await BridgeConnection.open(common);
    } catch (error: unknown) {
      if (error instanceof BridgeStartError && error.bindingsMissing) {
        this.reporter.sink.log('warn', "Flux's Python bindings are not available to `flux python`; using the flux commands instead (slower, and jobs submitted by other means are not seen)", { error: error.message });
        return CommandConnection.open(common);
      }
      throw error instanceof BridgeStartError ? new Error(`cannot reach the Flux instance: ${error.message}`) : error;
    }
  }

  /** Connects, then replays the journal's backlog and looks up the jobs it no longer lists. */
  private async connect(): Promise<void> {
    const conn = await this.open();
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
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== null || this.stopping) {
      return;
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().then(
        () => {
          this.reconnectDelay = 500;
        },
        (error: unknown) => {
          this.reporter.sink.log('warn', 'reconnecting to Flux failed', { error: error instanceof Error ? error.message : String(error) });
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.options.reconnectMaxMs ?? 30000);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
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

  private track(id: JobId, origin: Origin): TrackedJob {
    const job = new TrackedJob(id, origin);
    this.jobs.set(id, job);
    return job;
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
    let job = this.jobs.get(id);
    if (job === undefined) {
      const restored = this.restoring.get(id);
      if (restored !== undefined && !this.sameInstance(restored)) {
        // A new instance reuses ids: this is not the job the store knows (that one is lost).
        this.reporter.sink.log('warn', 'a job of the current Flux instance has the id of a job from an earlier instance; not followed', { job: id.toString() });
        return;
      }
      if (restored !== undefined) {
        job = this.restore(restored);
      } else if (this.backlogDone && this.inflight.size > 0) {
        // Perhaps one of the submits in flight: wait until they have all returned.
        const held = this.held.get(id) ?? { entries: [], waiting: new Set(this.inflight) };
        held.entries.push(entry);
        this.held.set(id, held);
        return;
      } else {
        this.adopt(id, [entry]);
        return;
      }
    }
    this.deliver(job, entry);
  }

  /** A job jobgate did not submit (a user's `flux submit`, or one whose submit jobgate lost). */
  private adopt(id: JobId, entries: JournalEntry[]): void {
    const submitted = entries[0]?.events.find((event) => event.name === 'submit');
    if (submitted === undefined) {
      this.reporter.sink.log('debug', 'journal events for a job whose submit was not seen; ignored', { job: id.toString() });
      return;
    }
    const jobspec = entries.find((entry) => entry.jobspec !== undefined)?.jobspec;
    this.emit({ id, t: submitted.timestamp, name: 'submit', external: externalJob(submitted, jobspec, this.options.ownerOf ?? userName) });
    const job = this.track(id, 'external');
    this.conn?.follow(id);
    for (const entry of entries) {
      this.deliver(job, entry);
    }
  }

  private restore(active: ActiveJob): TrackedJob {
    this.restoring.delete(active.id);
    const job = this.track(active.id, 'restored');
    job.minState = STATE_RANK[active.state];
    job.output = active.output;
    this.conn?.follow(active.id);
    return job;
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
      this.openOutput(job);
    }
    if (event.name === 'clean') {
      this.clean(job, event.timestamp);
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
    const missing: { id: JobId; restored: ActiveJob | null }[] = [];
    for (const restored of this.restoring.values()) {
      missing.push({ id: restored.id, restored });
    }
    for (const job of this.jobs.values()) {
      if (!this.backlogIds.has(job.id)) {
        missing.push({ id: job.id, restored: null });
      }
    }
    // A handful at a time: a restart may find many jobs that ended meanwhile.
    for (let index = 0; index < missing.length; index += 16) {
      await Promise.all(missing.slice(index, index + 16).map((item) => this.reconcile(conn, item.id, item.restored)));
    }
    for (const job of this.jobs.values()) {
      if (job.started && !job.watching && !job.outputDone) {
        this.openOutput(job);
        if (job.pendingClean !== null && job.watching) {
          // It ended while the connection was down, its output not all read: the new watch
          // gets a grace of its own (the old one's ran out while nothing could arrive).
          this.armCleanGrace(job);
        }
      }
    }
    this.backlogFinished?.();
    this.backlogFinished = null;
  }

  /** Whether a stored job ran in the instance jobgate is connected to (unknown counts as yes). */
  private sameInstance(restored: ActiveJob): boolean {
    const ref = this.backendRef();
    return restored.backendRef === null || ref === undefined || restored.backendRef === ref;
  }

  /** A job the journal no longer lists: it ended meanwhile (its eventlog says how), or it is gone. */
  private async reconcile(conn: FluxConnection, id: JobId, restored: ActiveJob | null): Promise<void> {
    let found: Awaited<ReturnType<FluxConnection['lookup']>> = null;
    const sameInstance = restored === null || this.sameInstance(restored);
    if (sameInstance) {
      try {
        found = await conn.lookup(id);
      } catch (error: unknown) {
        this.reporter.sink.log('warn', 'cannot look up a job in Flux', { job: id.toString(), error: error instanceof Error ? error.message : String(error) });
        return;
      }
    }
    const job = restored !== null ? this.restore(restored) : this.jobs.get(id);
    if (job === undefined) {
      return;
    }
    if (found === null) {
      const note = sameInstance ? 'the Flux instance has no record of this job' : 'the Flux instance that ran this job is gone';
      this.emit({ id, t: Date.now() / 1000, name: 'exception', type: 'lost', severity: 0, note });
      job.outputDone = true;
      this.clean(job, Date.now() / 1000);
      return;
    }
    this.deliver(job, { id, events: found.eventlog, R: found.R });
  }

  // ------------------------------------------------------------------ output

  private openOutput(job: TrackedJob): void {
    const conn = this.conn;
    if (conn === null || job.watching || job.outputDone || !job.ready || this.jobs.get(job.id) !== job) {
      return;
    }
    job.output ??= this.reporter.sink.output(job.id);
    job.decoder = new OutputDecoder(job.output, { stdout: job.output.sizes.stdout, stderr: job.output.sizes.stderr });
    job.watching = true;
    conn.watchOutput(job.id);
  }

  private onOutput(id: JobId, entry: EventlogEntry): void {
    const job = this.jobs.get(id);
    if (job === undefined || job.decoder === null) {
      return;
    }
    job.decoder.handle(entry);
    if (job.decoder.complete) {
      job.outputDone = true;
      if (job.pendingClean !== null) {
        this.finishClean(job);
      }
    }
  }

  private onOutputEnd(id: JobId, error: string | null): void {
    const job = this.jobs.get(id);
    if (job === undefined || !job.watching) {
      return;
    }
    job.watching = false;
    const complete = job.decoder?.complete ?? false;
    // "No such file": the job ended before its shell created the output eventlog (canceled at
    // its start). Watching such a job again is what once aborted a 0.88 broker: never retry it.
    const missing = error !== null && /No such file|not found/i.test(error);
    if (!complete && !missing && job.pendingClean === null && job.state < STATE_RANK.CLEANUP && job.watchRetries < 3) {
      // Ended while the job still runs: watch again, a moment later, from where the stored output stops.
      job.watchRetries += 1;
      this.reporter.sink.log('debug', 'output watch ended early; watching again', { job: id.toString(), error });
      const retry = setTimeout(() => this.openOutput(job), 500 * job.watchRetries);
      retry.unref();
      return;
    }
    job.outputDone = true;
    if (job.pendingClean !== null) {
      this.finishClean(job);
    }
  }

  /** `clean` is the job's last event: it waits for the output, at most outputGraceMs. */
  private clean(job: TrackedJob, t: number): void {
    job.pendingClean = t;
    if (job.started && !job.watching && !job.outputDone) {
      // It ended while no watch was open (a reconnect, a restart): read its output now.
      this.openOutput(job);
    }
    if (job.watching && !job.outputDone) {
      this.armCleanGrace(job);
      return;
    }
    this.finishClean(job);
  }

  /** Waits for the rest of an ended job's output, at most outputGraceMs from now. */
  private armCleanGrace(job: TrackedJob): void {
    if (job.cleanTimer !== null) {
      clearTimeout(job.cleanTimer);
    }
    job.cleanTimer = setTimeout(() => {
      job.cleanTimer = null;
      if (this.conn === null && !this.stopping) {
        // Nothing can arrive while the connection is down: the reconnection watches again.
        return;
      }
      this.reporter.sink.log('warn', 'a job ended but Flux did not send the end of its output in time; what came is kept', { job: job.id.toString() });
      this.finishClean(job);
    }, this.options.outputGraceMs ?? 3000);
  }

  private finishClean(job: TrackedJob): void {
    if (job.pendingClean === null || this.jobs.get(job.id) !== job) {
      return;
    }
    if (job.cleanTimer !== null) {
      clearTimeout(job.cleanTimer);
    }
    if (job.watching) {
      this.conn?.unwatchOutput(job.id);
      job.watching = false;
    }
    this.jobs.delete(job.id);
    this.emit({ id: job.id, t: job.pendingClean, name: 'clean' });
  }

  // ------------------------------------------------------------------ operations

  async submit(launch: JobLaunch): Promise<SubmitOutcome> {
    const conn = this.requireConnection();
    const jobspec = JSON.stringify(buildJobspec(launch.spec, { env: launch.env, owner: launch.owner, rlimit: conn.info.rlimit }));
    const token = this.nextToken++;
    this.inflight.add(token);
    let id: JobId;
    try {
      id = await conn.submit(jobspec, launch.spec.urgency);
    } catch (error: unknown) {
      this.settle(token, null);
      throw error;
    }
    const job = this.track(id, 'ours');
    this.settle(token, id);
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

  /** A submit returned: claim its held events, and adopt held jobs no submit in flight can own. */
  private settle(token: number, id: JobId | null): void {
    this.inflight.delete(token);
    if (id !== null) {
      const mine = this.held.get(id);
      if (mine !== undefined) {
        this.held.delete(id);
        const job = this.jobs.get(id);
        for (const entry of mine.entries) {
          job?.waiting.push({ events: entry.events, R: entry.R });
        }
      }
    }
    for (const [heldId, held] of [...this.held.entries()]) {
      held.waiting.delete(token);
      if (held.waiting.size === 0) {
        this.held.delete(heldId);
        this.adopt(heldId, held.entries);
      }
    }
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    await this.requireConnection().cancel(id, reason);
  }

  async setUrgency(id: JobId, urgency: number): Promise<void> {
    await this.requireConnection().urgency(id, urgency);
  }

  async nodes(): Promise<NodeInfo[]> {
    const now = Date.now();
    if (this.nodesCache !== null && now - this.nodesCache.at < 1000) {
      return this.nodesCache.value;
    }
    const value = readNodes(this.flux, this.options.env, (rank) =>
      [...this.jobs.values()].filter((job) => job.state === STATE_RANK.RUN && job.rankList.includes(rank)).map((job) => job.id),
    );
    this.nodesCache = { at: now, value };
    value.catch(() => {
      this.nodesCache = null;
    });
    return value;
  }

  size(): number {
    return this.instanceSize;
  }

  async ready(): Promise<boolean> {
    const conn = this.conn;
    if (this.stopping || conn === null) {
      return false;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([conn.ping(), new Promise((_resolve, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 2000)))]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
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
    if (this.reconnectTimer !== null) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
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
        this.finishClean(job);
      }
    }
    this.conn = null;
    await conn?.close();
    if (role === 'beside') {
      // Beside the instance, jobgate's exit would leave it running: end it.
      this.reporter.sink.log('info', 'ending the Flux instance: flux shutdown');
      const result = await runCommand(this.flux, ['shutdown'], { env: this.options.env, timeoutMs: this.options.shutdownTimeoutMs ?? 120000 });
      const level = result.exitCode === 0 ? 'info' : 'warn';
      this.reporter.sink.log(level, 'flux shutdown finished', { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}`.trim().slice(-2000) });
    }
  }
}
