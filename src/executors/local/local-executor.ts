/**
 * The embedded default backend: runs jobs as processes on this machine.
 *
 * Jobs queue in SCHED until the cores (and GPUs) they ask for are free, then start in order
 * (urgency first, then submit time; held jobs wait). Each task is a detached process group
 * writing straight to the job's output files, under a wrapper that records its exit status
 * on disk. Canceling or reaching the runtime limit sends SIGTERM to every task's group, then
 * SIGKILL after a grace period. A restarted jobgate re-attaches to tasks that still run and
 * collects the status of those that ended meanwhile.
 */
import os from 'node:os';
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
import { epochSeconds, SinkSlot } from '../sink-slot.js';
import { bootId, signalGroup, terminateWithGrace, type ExitInfo } from '../process.js';
import { WaitQueue } from '../wait-queue.js';
import { ResourcePool } from './resources.js';
import { encodeLocalRef } from './task-ref.js';
import { readLaunchMarks } from './launch-marks.js';
import { localProblems } from './local-checks.js';
import { RestartRecovery } from './restart-recovery.js';
import { combineStatus, coresNeeded, localRefOf, runningJob, type QueuedJob, type RunningJob, type RunningTask } from './running-job.js';
import { spawnTask, startRefusal } from './task-launch.js';
import type { UsageReading } from '../../model/usage.js';
import { SessionSampler } from '../usage/session-sampler.js';
import { NvidiaSmi } from '../usage/nvidia-smi.js';

export interface LocalExecutorOptions {
  cores: number;
  gpus: number;
  killGraceSeconds: number;
  hostname?: string;
  /** Interval for checking re-attached tasks (which are not our children any more). */
  reattachPollMs?: number;
  now?: () => number;
}

export class LocalExecutor implements Executor {
  readonly name = 'local' as const;
  readonly assignsIds = false;
  private readonly reporter = new SinkSlot('local');
  private readonly cores: ResourcePool;
  private readonly gpus: ResourcePool;
  private readonly queue = new WaitQueue<QueuedJob>();
  private readonly running = new Map<JobId, RunningJob>();
  private readonly hostname: string;
  private readonly boot = bootId();
  private readonly recovery: RestartRecovery;
  private stopping = false;
  private readonly usage = new SessionSampler(new NvidiaSmi());
  /** After a stop that leaves jobs running: nothing more is reported. */
  private detached = false;

  constructor(private readonly options: LocalExecutorOptions) {
    this.cores = new ResourcePool(options.cores);
    this.gpus = new ResourcePool(options.gpus);
    this.hostname = options.hostname ?? os.hostname();
    this.recovery = new RestartRecovery({
      reporter: this.reporter,
      cores: this.cores,
      gpus: this.gpus,
      hostname: this.hostname,
      boot: this.boot,
      running: this.running,
      pollMs: options.reattachPollMs ?? 250,
      now: () => this.now(),
      finish: (running, waitstatus) => this.finish(running, waitstatus),
      terminate: (running) => this.terminate(running),
      expire: (running, limit) => this.expire(running, limit),
      raiseLost: (running, note) => this.raiseLost(running, note),
    });
  }

  private now(): number {
    return epochSeconds(this.options.now);
  }

  check(spec: JobSpec): FieldProblem[] {
    return localProblems(spec, this.cores.total, this.gpus.total);
  }

  async start(sink: ExecutorSink, active: ActiveJob[]): Promise<void> {
    this.reporter.set(sink);
    for (const job of active) {
      if (job.state === 'RUN' || job.state === 'CLEANUP') {
        this.recovery.reattach(job);
        continue;
      }
      // Queued in the store, but perhaps started just before a crash: its wrappers say so.
      const marks = readLaunchMarks(job.output.paths.dir, job.spec.numTasks);
      if (marks.length > 0) {
        this.recovery.adoptLaunched(job, marks);
      } else {
        this.queue.add({ id: job.id, spec: job.spec, env: job.env, output: job.output, urgency: job.spec.urgency });
      }
    }
    this.schedule();
  }

  async submit(launch: JobLaunch): Promise<SubmitOutcome> {
    if (this.stopping) {
      throw new ExecutorError('unavailable', 'jobgate is stopping');
    }
    const sink = this.reporter.sink;
    const id = launch.id;
    if (id === null) {
      throw new Error('the local executor needs the domain to choose job ids');
    }
    const t = this.now();
    sink.event({ id, t, name: 'depend' });
    sink.event({ id, t, name: 'priority', priority: launch.spec.urgency });
    this.queue.add({ id, spec: launch.spec, env: launch.env, output: sink.output(id), urgency: launch.spec.urgency });
    this.schedule();
    return {};
  }

  /** Starts queued jobs in order while their resources are free; a job that does not fit waits, and so do those behind it. */
  private schedule(): void {
    if (this.stopping) {
      return;
    }
    for (let next = this.queue.next(); next !== undefined; next = this.queue.next()) {
      const cores = this.cores.take(coresNeeded(next.spec, this.cores.total));
      if (cores === null) {
        return;
      }
      const gpus = this.gpus.take(next.spec.numTasks * next.spec.gpusPerTask);
      if (gpus === null) {
        this.cores.release(cores);
        return;
      }
      this.queue.remove(next.id);
      this.launch(next, cores, gpus);
    }
  }

  private launch(job: QueuedJob, cores: number[], gpus: number[]): void {
    const sink = this.reporter.sink;
    const t = this.now();
    sink.event({
      id: job.id,
      t,
      name: 'alloc',
      ranks: '0',
      nodelist: this.hostname,
      nnodes: 1,
      ncores: cores.length,
      ...(job.spec.runtime > 0 ? { expiration: t + job.spec.runtime } : {}),
    });
    const running = runningJob(job.id, cores, gpus, job.output.paths.dir, false);
    this.running.set(job.id, running);

    const cwd = job.spec.workdir ?? process.cwd();
    const refusal = startRefusal(job, cwd);
    if (refusal !== null) {
      sink.event({ id: job.id, t, name: 'start' });
      sink.event({ id: job.id, t, name: 'exception', type: 'exec', severity: 0, note: `task 0 (host ${this.hostname}): start failed: ${refusal.reason}` });
      job.output.append('stderr', Buffer.from(`jobgate: task 0 (host ${this.hostname}): start failed: ${refusal.reason}\n`));
      this.finish(running, refusal.code << 8);
      return;
    }

    job.output.track();
    try {
      for (let rank = 0; rank < job.spec.numTasks; rank += 1) {
        running.tasks.push(spawnTask(job, running, rank, cwd, (task, exit) => this.taskExited(running, task, exit)));
      }
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      sink.event({ id: job.id, t, name: 'exception', type: 'exec', severity: 0, note: `task ${running.tasks.length} (host ${this.hostname}): start failed: ${message}` });
      for (const task of running.tasks) {
        signalGroup(task.pid, 'SIGKILL');
      }
      if (running.tasks.length === 0) {
        this.finish(running, 127 << 8);
        return;
      }
    }
    sink.backendRef(job.id, encodeLocalRef(localRefOf(this.boot, running, job.spec.tty)));
    sink.event({ id: job.id, t, name: 'start' });
    if (job.spec.runtime > 0) {
      running.timers.push(setTimeout(() => this.expire(running, job.spec.runtime), job.spec.runtime * 1000));
    }
  }

  private taskExited(running: RunningJob, task: RunningTask, exit: ExitInfo): void {
    if (this.detached) {
      // Left running at a stop: its status file tells the next start how it ended.
      return;
    }
    task.exit = exit;
    if (exit.signal !== null && running.ending === null && !running.finished) {
      // The wrapper traps the signals jobgate sends; a signal ended it only when someone else
      // killed it (kill -9, the OOM killer). Its command may run on unwatched: end the job.
      running.ending = 'lost';
      this.raiseLost(running, `task ${task.rank}: its supervising process (pid ${task.pid}) was killed by signal ${exit.signal}; the job's processes were ended`);
      signalGroup(task.pid, 'SIGKILL');
      this.terminate(running);
    }
    if (running.tasks.every((each) => each.exit !== null)) {
      this.finish(running, combineStatus(running.tasks.map((each) => each.exit ?? { code: 0, signal: null })));
    }
  }

  private finish(running: RunningJob, waitstatus: number | null): void {
    if (running.finished) {
      return;
    }
    running.finished = true;
    this.stopTimers(running);
    this.running.delete(running.id);
    this.cores.release(running.cores);
    this.gpus.release(running.gpus);
    this.reporter.reportEnd(running.id, this.now(), waitstatus);
    this.schedule();
  }

  private expire(running: RunningJob, limit: number): void {
    if (running.finished || running.ending !== null) {
      return;
    }
    running.ending = 'timeout';
    this.reporter.sink.event({ id: running.id, t: this.now(), name: 'exception', type: 'timeout', severity: 0, note: `runtime limit of ${limit}s reached` });
    this.terminate(running);
  }

  /** SIGTERM to every running task's process group now, SIGKILL after the grace period. */
  private terminate(running: RunningJob): void {
    const signalTasks = (signal: NodeJS.Signals): void => {
      for (const task of running.tasks) {
        if (task.exit === null) {
          signalGroup(task.pid, signal);
        }
      }
    };
    running.termination = terminateWithGrace(signalTasks, { graceMs: this.options.killGraceSeconds * 1000 });
  }

  private stopTimers(running: RunningJob): void {
    for (const timer of running.timers) {
      clearTimeout(timer);
    }
    running.termination?.cancel();
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    const sink = this.reporter.sink;
    if (this.queue.remove(id) !== undefined) {
      const t = this.now();
      sink.event({ id, t, name: 'exception', type: 'cancel', severity: 0, note: reason });
      sink.event({ id, t, name: 'clean' });
      this.schedule();
      return;
    }
    const running = this.running.get(id);
    if (running === undefined) {
      throw new ExecutorError('inactive', 'job is inactive');
    }
    if (running.ending !== null) {
      return;
    }
    running.ending = 'cancel';
    sink.event({ id, t: this.now(), name: 'exception', type: 'cancel', severity: 0, note: reason });
    this.terminate(running);
  }

  /** What the running jobs' processes use (each task leads a session: see usage/session-sampler.ts). */
  async sampleUsage(ids: readonly JobId[]): Promise<UsageReading[]> {
    const jobs = ids.flatMap((id) => {
      const running = this.running.get(id);
      return running === undefined || running.finished ? [] : [{ id, sessions: running.tasks.filter((task) => task.exit === null).map((task) => task.pid) }];
    });
    return this.usage.sample(jobs, this.now());
  }

  async setUrgency(id: JobId, urgency: number): Promise<void> {
    if (this.queue.setUrgency(id, urgency) === undefined) {
      if (this.running.has(id)) {
        throw new ExecutorError('conflict', 'urgency cannot be changed once resources are allocated');
      }
      throw new ExecutorError('inactive', 'job is inactive');
    }
    const sink = this.reporter.sink;
    const t = this.now();
    sink.event({ id, t, name: 'urgency', urgency });
    sink.event({ id, t, name: 'priority', priority: urgency });
    this.schedule();
  }

  /** A job whose tasks jobgate can no longer account for: it ends, and the note says why. */
  private raiseLost(running: RunningJob, note: string): void {
    this.reporter.sink.event({ id: running.id, t: this.now(), name: 'exception', type: 'lost', severity: 0, note });
  }

  async nodes(): Promise<NodeInfo[]> {
    return [
      {
        name: this.hostname,
        state: 'up',
        cores: this.cores.total,
        coresBusy: this.cores.busy,
        gpus: this.gpus.total,
        gpusBusy: this.gpus.busy,
        jobs: [...this.running.keys()],
      },
    ];
  }

  async ready(): Promise<boolean> {
    return !this.stopping;
  }

  /** This machine is the only node. */
  size(): number {
    return 1;
  }

  async version(): Promise<string> {
    return `local (${os.type()} ${os.release()}, ${this.cores.total} cores, ${this.gpus.total} GPUs)`;
  }

  async stop(mode: StopMode): Promise<void> {
    this.stopping = true;
    this.recovery.stop();
    if (mode === 'leave-jobs') {
      // Tasks are detached and keep running; their status lands on disk for the next start.
      this.detached = true;
      for (const running of this.running.values()) {
        this.stopTimers(running);
        for (const task of running.tasks) {
          task.release?.();
        }
      }
      return;
    }
    const reason = 'jobgate service stopped';
    for (const queued of this.queue.jobs()) {
      await this.cancel(queued.id, reason);
    }
    const pending = [...this.running.values()].filter((running) => !running.finished);
    for (const running of pending) {
      if (running.ending === null) {
        running.ending = 'cancel';
        this.reporter.sink.event({ id: running.id, t: this.now(), name: 'exception', type: 'cancel', severity: 0, note: reason });
        this.terminate(running);
      }
    }
    const deadline = Date.now() + (this.options.killGraceSeconds + 2) * 1000;
    while ([...this.running.values()].some((running) => !running.finished) && Date.now() < deadline) {
      if (!this.recovery.polling) {
        this.recovery.poll();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
