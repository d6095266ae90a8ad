/**
 * A small in-memory Executor for domain and route behaviour that differs by backend (what Flux
 * or Slurm would refuse), without a backend. Jobs queue in SCHED until `run(id)`; hold,
 * release and priority succeed unless `refuseUrgency` says how the backend refuses; nodes and
 * version fail while `down` is set (an unreachable backend).
 */
import { ExecutorError, type Executor, type ExecutorSink, type JobLaunch, type NodeInfo, type SubmitOutcome } from '../../src/executors/types.js';
import type { JobId } from '../../src/model/job-id.js';

export interface FakeExecutorOptions {
  name?: 'flux' | 'slurm';
  /** Ids the backend assigns (e.g. above 2^53, as Flux's do after days of uptime). */
  ids?: () => JobId;
}

export class FakeExecutor implements Executor {
  readonly name: 'flux' | 'slurm';
  readonly assignsIds: boolean;
  private sink: ExecutorSink | null = null;
  readonly queued = new Set<JobId>();
  readonly running = new Set<JobId>();
  readonly urgencyCalls: { id: JobId; urgency: number }[] = [];
  /** How setUrgency fails (null: it succeeds). */
  refuseUrgency: ExecutorError | null = null;
  /** The backend does not answer. */
  down = false;

  constructor(private readonly options: FakeExecutorOptions = {}) {
    this.name = options.name ?? 'flux';
    this.assignsIds = options.ids !== undefined;
  }

  private now(): number {
    return Date.now() / 1000;
  }

  private emit(): ExecutorSink {
    if (this.sink === null) throw new Error('not started');
    return this.sink;
  }

  check(): [] {
    return [];
  }

  async start(sink: ExecutorSink): Promise<void> {
    this.sink = sink;
  }

  async submit(launch: JobLaunch): Promise<SubmitOutcome> {
    if (this.down) throw new ExecutorError('unavailable', 'backend unreachable');
    const id = launch.id ?? this.options.ids?.();
    if (id === undefined) throw new Error('no id');
    this.queued.add(id);
    const t = this.now();
    const announce = (): void => {
      this.emit().event({ id, t, name: 'depend' });
      this.emit().event({ id, t, name: 'priority', priority: launch.spec.urgency });
    };
    if (launch.id === null) {
      // A backend that assigns ids reports the job's events after answering the submit.
      setImmediate(announce);
      return { id };
    }
    announce();
    return {};
  }

  /** The backend starts a queued job. */
  run(id: JobId): void {
    this.queued.delete(id);
    this.running.add(id);
    this.emit().event({ id, t: this.now(), name: 'alloc', ranks: '0', nodelist: 'node0', nnodes: 1 });
    this.emit().event({ id, t: this.now(), name: 'start' });
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    if (this.down) throw new ExecutorError('unavailable', 'backend unreachable');
    if (!this.queued.delete(id) && !this.running.delete(id)) throw new ExecutorError('inactive', 'job is inactive');
    const t = this.now();
    this.emit().event({ id, t, name: 'exception', type: 'cancel', severity: 0, note: reason });
    this.emit().event({ id, t, name: 'clean' });
  }

  async setUrgency(id: JobId, urgency: number): Promise<void> {
    if (this.down) throw new ExecutorError('unavailable', 'backend unreachable');
    if (this.refuseUrgency !== null) throw this.refuseUrgency;
    if (this.running.has(id)) throw new ExecutorError('conflict', 'urgency cannot be changed once resources are allocated');
    this.urgencyCalls.push({ id, urgency });
    this.emit().event({ id, t: this.now(), name: 'urgency', urgency });
  }

  async nodes(): Promise<NodeInfo[]> {
    if (this.down) throw new ExecutorError('unavailable', 'backend unreachable');
    return [{ name: 'node0', state: 'up', cores: 4, coresBusy: this.running.size, gpus: 0, gpusBusy: 0, jobs: [...this.running] }];
  }

  async ready(): Promise<boolean> {
    return !this.down;
  }

  /** One node, as the local executor. */
  size(): number {
    return 1;
  }

  async version(): Promise<string> {
    if (this.down) throw new ExecutorError('unavailable', 'backend unreachable');
    return `${this.name} 0.88.0 (fake)`;
  }

  async stop(): Promise<void> {
    this.queued.clear();
    this.running.clear();
  }
}
