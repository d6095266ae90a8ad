/**
 * Jobs: submit, cancel, urgency, look-ups and queries, and the bookkeeping of everything the
 * executor reports. The store is the source of truth; every state change is committed (and
 * on disk) before anyone hears of it. No Koa here: the HTTP layer calls these methods.
 */
import type { JobFilter, JobQuery } from '../model/job-query.js';
import { EventEmitter } from 'node:events';
import { AppError, conflict, notFound, unavailable, validationError } from '../errors.js';
import { FluidGenerator, type JobId } from '../model/job-id.js';
import type { JobsRepository } from '../db/jobs-repository.js';
import type { OutputStore } from '../output/output-store.js';
import type { LiveOutput } from '../output/live-output.js';
import { ExecutorError, type Executor, type ExecutorSink, type NodeInfo, type StopMode } from '../executors/types.js';
import type { ExecutorEvent } from '../model/executor-events.js';
import { applyEvent } from './job-events.js';
import { CommitQueue } from './commit-queue.js';
import { buildSpec, MISSING_COMMAND, type SpecContext, type SubmitInput } from './submit-spec.js';
import { jobEnvironment } from './job-environment.js';
import { canSee, newJobRecord, URGENCY, type Actor, type JobRecord } from '../model/job.js';

export interface JobChange {
  /** Position in the global event log (resumable streams use it). */
  seq: number;
  job: JobRecord;
  event: { name: string; t: number; context: Record<string, unknown> | null };
}

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface JobServiceDeps {
  repo: JobsRepository;
  executor: Executor;
  output: OutputStore;
  /** maxNodes null: the executor's size() at the time of each submit. */
  spec: Omit<SpecContext, 'maxNodes'> & { maxNodes: number | null };
  baseEnv: Readonly<Record<string, string>>;
  userid: number;
  logger: Logger;
  now?: () => number;
}

/** How one submit went, for metrics: accepted, rejected (the request was wrong) or failed (backend, stopping). */
export interface SubmitTiming {
  seconds: number;
  outcome: 'accepted' | 'rejected' | 'failed';
}

type Events = { change: [JobChange]; stopping: []; submitted: [SubmitTiming] };

const INT64_MAX = (1n << 63n) - 1n;

export class JobService extends EventEmitter<Events> {
  private readonly ids: FluidGenerator;
  private stopping = false;
  /** Set once the executor has stopped: the store may be closed, nothing more is recorded. */
  private stopped = false;
  private pending: ExecutorEvent[] = [];
  private eventsQueued = false;
  private readonly repo: JobsRepository;
  private readonly executor: Executor;
  private readonly output: OutputStore;
  /** Inserts and state changes of one event-loop turn share one commit (see commit-queue.ts). */
  private readonly commits: CommitQueue;

  constructor(private readonly deps: JobServiceDeps) {
    super();
    this.setMaxListeners(0);
    this.repo = deps.repo;
    this.commits = new CommitQueue((work) => deps.repo.transaction(work), () => deps.repo.inTransaction);
    this.executor = deps.executor;
    this.output = deps.output;
    let epoch = Number(this.repo.getMeta('id_epoch_ms'));
    if (!Number.isFinite(epoch) || epoch <= 0) {
      epoch = this.nowMs();
      this.repo.setMeta('id_epoch_ms', String(epoch));
    }
    this.ids = new FluidGenerator(epoch, () => this.nowMs());
    const highest = this.repo.maxId();
    if (highest !== null) {
      this.ids.observe(highest);
    }
  }

  private nowMs(): number {
    return (this.deps.now ?? Date.now)();
  }

  private now(): number {
    return this.nowMs() / 1000;
  }

  /** The largest num_nodes accepted: the configured one, or the executor's size. */
  get maxNodes(): number {
    return this.deps.spec.maxNodes ?? this.deps.executor.size();
  }

  get executorName(): string {
    return this.executor.name;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Connects the executor and reconciles the jobs that were active when jobgate last stopped. */
  async start(): Promise<void> {
    const active = this.repo.active(this.executor.name).map((job) => ({
      id: job.id,
      owner: job.owner,
      spec: job.spec,
      state: job.state,
      backendRef: job.backendRef,
      tRun: job.t_run,
      env: jobEnvironment(this.deps.baseEnv, job.spec.envars),
      output: this.output.reopen(job.id),
    }));
    if (active.length > 0) {
      this.deps.logger.info({ jobs: active.length }, 'reconciling jobs that were active at the last stop');
    }
    await this.executor.start(this.sink(), active);
  }

  private sink(): ExecutorSink {
    return {
      event: (event) => this.record(event),
      backendRef: (id, ref) => {
        if (this.stopped) {
          return;
        }
        this.commits.run(() => this.repo.update(id, { backendRef: ref })).catch((error: unknown) => {
          this.deps.logger.error({ err: error, job: id.toString() }, 'cannot record the backend reference');
        });
      },
      output: (id): LiveOutput => this.output.get(id) ?? this.output.reopen(id),
      log: (level, message, fields = {}) => this.deps.logger[level](fields, message),
    };
  }

  /**
   * Queues one executor event. Events are persisted with the other writes of the same turn of
   * the event loop (a job's finish, release, free and clean arrive in one burst), and
   * listeners hear of them only after that commit.
   */
  private record(event: ExecutorEvent): void {
    if (this.stopped) {
      this.deps.logger.debug({ job: event.id.toString(), event: event.name }, 'event after stop ignored (the next start reconciles)');
      return;
    }
    this.pending.push(event);
    if (!this.eventsQueued) {
      this.eventsQueued = true;
      this.persistPending();
    }
  }

  private persistPending(): void {
    let events: ExecutorEvent[] = [];
    this.commits
      .run(() => {
        this.eventsQueued = false;
        events = this.pending;
        this.pending = [];
        const working = new Map<JobId, JobRecord>();
        const changes: JobChange[] = [];
        for (const event of events) {
          const change = this.apply(event, working);
          if (change !== null) {
            changes.push(change);
          }
        }
        return changes;
      })
      .then(
        (changes) => {
          for (const change of changes) {
            this.emit('change', change);
          }
        },
        (error: unknown) => {
          // The store refused (disk full, I/O error): keep the events and try again, never drop them.
          this.deps.logger.error({ err: error, events: events.length }, 'cannot record job events; retrying');
          this.pending = [...events, ...this.pending];
          this.eventsQueued = true;
          setTimeout(() => this.persistPending(), 1000).unref();
        },
      );
  }

  private apply(event: ExecutorEvent, working: Map<JobId, JobRecord>): JobChange | null {
    let job = working.get(event.id) ?? this.repo.get(event.id);
    if (job === undefined) {
      if (event.name !== 'submit') {
        this.deps.logger.warn({ job: event.id.toString(), event: event.name }, 'event for an unknown job ignored');
        return null;
      }
      job = this.externalRecord(event.id, event.t, event.external);
      this.repo.insert(job);
    }
    const { id: _id, t, name, ...rest } = event;
    const context = name === 'submit' ? null : Object.keys(rest).length > 0 ? (rest as Record<string, unknown>) : null;
    const patch = applyEvent(job, event);
    if (name === 'clean') {
      // All output is indexed before the job is seen as inactive, so a follower that sees the
      // end has seen everything.
      this.output.close(job.id);
    }
    const seq = this.repo.appendEvent(job.id, t, name, context, patch.state ?? job.state);
    this.repo.update(job.id, patch);
    const updated = { ...job, ...patch };
    working.set(job.id, updated);
    return { seq, job: updated, event: { name, t, context } };
  }

  private externalRecord(id: JobId, t: number, external: Extract<ExecutorEvent, { name: 'submit' }>['external']): JobRecord {
    const spec = {
      command: external.command,
      name: external.name,
      numTasks: external.ntasks,
      coresPerTask: Math.max(1, Math.floor(external.ncores / Math.max(1, external.ntasks))),
      gpusPerTask: 0,
      numNodes: null,
      exclusive: false,
      workdir: external.cwd,
      runtime: external.duration,
      envars: {},
      optionFlags: {},
      tty: false,
      urgency: external.urgency,
      queue: null,
    };
    const job = newJobRecord({ id, owner: external.owner, userid: external.userid, spec, executor: this.executor.name, t: external.t_submit || t });
    return { ...job, ncores: external.ncores };
  }

  async submit(input: SubmitInput, actor: Actor, owner = actor.name): Promise<JobRecord> {
    const started = performance.now();
    const timing = (outcome: SubmitTiming['outcome']): SubmitTiming => ({ seconds: (performance.now() - started) / 1000, outcome });
    try {
      const job = await this.submitNow(input, actor, owner);
      this.emit('submitted', timing('accepted'));
      return job;
    } catch (error: unknown) {
      this.emit('submitted', timing(error instanceof AppError && error.status < 500 ? 'rejected' : 'failed'));
      throw error;
    }
  }

  private async submitNow(input: SubmitInput, actor: Actor, owner: string): Promise<JobRecord> {
    if (this.stopping) {
      throw unavailable('jobgate is stopping and accepts no new jobs');
    }
    const built = buildSpec(input, { ...this.deps.spec, maxNodes: this.maxNodes });
    if ('errors' in built) {
      const error = validationError(built.errors, 'Invalid submit request');
      error.withBody(built.missingCommand ? { Message: MISSING_COMMAND } : { Message: 'Invalid submit request', Errors: built.errors.map((e) => e.message), errors: built.errors });
      throw error;
    }
    const spec = built.spec;
    const problems = this.executor.check(spec);
    if (problems.length > 0) {
      throw validationError(problems, 'Invalid submit request').withBody({
        Message: 'Invalid submit request',
        Errors: problems.map((problem) => problem.message),
        errors: problems,
      });
    }
    const env = jobEnvironment(this.deps.baseEnv, spec.envars);
    const t = this.now();
    const record = (id: JobId): JobRecord => newJobRecord({ id, owner, userid: this.deps.userid, spec, executor: this.executor.name, t });
    const insert = async (job: JobRecord): Promise<void> => {
      const seq = await this.commits.run(() => {
        this.repo.insert(job);
        return this.repo.appendEvent(job.id, t, 'submit', { owner, urgency: spec.urgency }, job.state);
      });
      this.emit('change', { seq, job, event: { name: 'submit', t, context: { owner, urgency: spec.urgency } } });
    };

    if (this.executor.assignsIds) {
      const outcome = await this.callExecutor(() => this.executor.submit({ id: null, owner, spec, env }));
      if (outcome.id === undefined) {
        throw new AppError(502, 'BACKEND_ERROR', 'the backend accepted the job but returned no id');
      }
      const job = { ...record(outcome.id), backendRef: outcome.backendRef ?? null };
      // One queued item, queued before any event the backend reports for this job next.
      const stored = this.commits.run(() => {
        if (this.repo.exists(job.id)) {
          // The backend's own event stream got there first: keep its progress, add what we know.
          this.repo.update(job.id, { owner, spec, command: spec.command, name: spec.name, backendRef: job.backendRef, cwd: spec.workdir, duration: spec.runtime });
          return null;
        }
        this.repo.insert(job);
        return this.repo.appendEvent(job.id, t, 'submit', { owner, urgency: spec.urgency }, job.state);
      });
      const seq = await stored.catch((error: unknown) => {
        // Not stored (a full disk), so not accepted: the backend must not run it unseen.
        this.executor.cancel(job.id, 'jobgate could not store this job').catch(() => undefined);
        throw error;
      });
      if (seq !== null) {
        this.emit('change', { seq, job, event: { name: 'submit', t, context: { owner, urgency: spec.urgency } } });
      }
      try {
        this.output.reopen(job.id);
      } catch (error: unknown) {
        // The job is stored and runs; its output folder is made again when output arrives.
        this.deps.logger.warn({ err: error, job: job.id.toString() }, 'cannot prepare the output folder');
      }
      return this.repo.get(job.id) ?? job;
    }

    const id = this.ids.next();
    const job = record(id);
    // The output folder first: a disk that cannot take it refuses the job before anything is
    // stored. A fresh id has no output yet: create, not reopen (no index to read back).
    this.output.create(id);
    try {
      await insert(job);
    } catch (error: unknown) {
      this.output.discard(id);
      throw error;
    }
    try {
      const outcome = await this.callExecutor(() => this.executor.submit({ id, owner, spec, env }));
      if (outcome.backendRef !== undefined) {
        const ref = outcome.backendRef;
        await this.commits.run(() => this.repo.update(id, { backendRef: ref }));
      }
    } catch (error: unknown) {
      // Refused by the backend: the job never existed, so nothing is left behind.
      this.output.close(id);
      await this.commits.run(() => this.repo.deleteJob(id));
      throw error;
    }
    return this.repo.get(id) ?? job;
  }

  private async callExecutor<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error: unknown) {
      if (error instanceof ExecutorError) {
        switch (error.kind) {
          case 'invalid':
            throw validationError([{ field: 'request', message: error.message }], error.message).withBody({ Message: 'Invalid submit request', Errors: [error.message] });
          case 'unavailable':
            throw unavailable(error.message);
          case 'inactive':
          case 'conflict':
            throw conflict(error.message);
          case 'unknown':
            throw notFound(error.message);
          case 'unsupported':
            throw new AppError(409, 'RESOURCE_CONFLICT', error.message);
        }
      }
      throw error;
    }
  }

  /** A job the actor may see, or undefined (never tells whether someone else's job exists). */
  find(id: JobId, actor: Actor): JobRecord | undefined {
    // Ids are unsigned 64-bit, SQLite integers signed: no stored job has an id above 2^63-1.
    if (id > INT64_MAX) {
      return undefined;
    }
    const job = this.repo.get(id);
    return job !== undefined && canSee(actor, job) ? job : undefined;
  }

  get(id: JobId, actor: Actor): JobRecord {
    const job = this.find(id, actor);
    if (job === undefined) {
      throw notFound(`There is no job ${id.toString()}`);
    }
    return job;
  }

  async cancel(id: JobId, actor: Actor, reason = ''): Promise<JobRecord> {
    const job = this.get(id, actor);
    if (job.state === 'INACTIVE') {
      throw conflict('job is inactive');
    }
    await this.callExecutor(() => this.executor.cancel(id, reason));
    // What the executor reported meanwhile is committed before the answer (read your writes).
    await this.commits.run(() => undefined);
    return this.repo.get(id) ?? job;
  }

  async setUrgency(id: JobId, actor: Actor, urgency: number): Promise<JobRecord> {
    const job = this.get(id, actor);
    if (urgency < URGENCY.hold || urgency > URGENCY.expedite) {
      throw validationError([{ field: 'urgency', message: `must be between ${URGENCY.hold} and ${URGENCY.expedite}` }]);
    }
    if (job.state === 'INACTIVE') {
      throw conflict('job is inactive');
    }
    if (job.state === 'RUN' || job.state === 'CLEANUP') {
      throw conflict('urgency cannot be changed once resources are allocated');
    }
    await this.callExecutor(() => this.executor.setUrgency(id, urgency));
    await this.commits.run(() => undefined);
    return this.repo.get(id) ?? job;
  }

  /** Runs `work` in the next group commit (with every other change queued in this turn); resolves once it is on disk. */
  commit<T>(work: () => T): Promise<T> {
    return this.commits.run(work);
  }

  /** Narrows a filter to what the actor may see. */
  scope(filter: JobFilter, actor: Actor): JobFilter {
    return actor.superuser ? filter : { ...filter, visibleTo: actor.name };
  }

  query(query: JobQuery, actor: Actor): JobRecord[] {
    return this.repo.query(this.scope(query, actor) as JobQuery, this.now());
  }

  /** A page of the jobs the actor may see, with the number of matches before paging. */
  page(query: JobQuery, actor: Actor): { rows: JobRecord[]; filtered: number } {
    return this.repo.page(this.scope(query, actor) as JobQuery, this.now());
  }

  count(filter: JobFilter, actor: Actor): number {
    return this.repo.count(this.scope(filter, actor));
  }

  iterate(query: Omit<JobQuery, 'offset' | 'limit'>, actor: Actor): Generator<JobRecord> {
    return this.repo.iterate(this.scope(query, actor) as Omit<JobQuery, 'offset' | 'limit'>, this.now());
  }

  events(id: JobId, actor: Actor): ReturnType<JobsRepository['events']> {
    this.get(id, actor);
    return this.repo.events(id);
  }

  /** The nodes; with an actor, the jobs listed on each are only those the actor may see. */
  async nodes(actor?: Actor): Promise<NodeInfo[]> {
    const nodes = await this.callExecutor(() => this.executor.nodes());
    if (actor === undefined || actor.superuser) {
      return nodes;
    }
    return nodes.map((node) => ({ ...node, jobs: node.jobs.filter((id) => this.find(id, actor) !== undefined) }));
  }

  /** Jobs in each state, all owners (for metrics: counted in SQL, never listed). */
  countByState(): Partial<Record<string, number>> {
    return this.repo.countByState();
  }

  async ready(): Promise<boolean> {
    try {
      return !this.stopping && (await this.executor.ready());
    } catch {
      return false;
    }
  }

  async backendVersion(): Promise<string> {
    return this.executor.version();
  }

  /** Refuses new work, then stops the executor (canceling jobs, or leaving them to run on). */
  async stop(mode: StopMode): Promise<void> {
    if (this.stopping) {
      return;
    }
    this.stopping = true;
    try {
      await this.executor.stop(mode);
    } finally {
      // The last state changes reach the store before it closes, and their listeners hear of them.
      this.commits.flush();
      await new Promise((resolve) => setImmediate(resolve));
      this.stopped = true;
      // Followers have seen the last state changes; now they get their final event.
      this.emit('stopping');
    }
  }
}
