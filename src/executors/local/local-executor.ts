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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
import { bootId, isProcessAlive, processStartTicks, signalGroup, spawnDetached, spawnTerminal, type ExitInfo } from '../process.js';
import { ResourcePool } from './resources.js';
import { resolveExecutable } from '../resolve-executable.js';
import { decodeLocalRef, encodeLocalRef, type LocalRef, type TaskRef } from './task-ref.js';
import { WRAPPER_SHELL, wrapperArgs } from './task-wrapper.js';
import { clearLaunchMark, readLaunchMarks, statusFileOf, type MarkedTask } from './launch-marks.js';
import { combineStatus, coresNeeded, taskEnv, type QueuedJob, type RunningJob, type RunningTask } from './running-job.js';
import { workdirProblems } from '../workdir-check.js';
import type { LiveOutput } from '../../output/live-output.js';
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
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Map<JobId, RunningJob>();
  private readonly hostname: string;
  private readonly boot = bootId();
  private order = 0;
  private reattachTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly usage = new SessionSampler(new NvidiaSmi());
  /** After a stop that leaves jobs running: nothing more is reported. */
  private detached = false;

  constructor(private readonly options: LocalExecutorOptions) {
    this.cores = new ResourcePool(options.cores);
    this.gpus = new ResourcePool(options.gpus);
    this.hostname = options.hostname ?? os.hostname();
  }

  private now(): number {
    return epochSeconds(this.options.now);
  }

  check(spec: JobSpec): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (spec.numNodes !== null && spec.numNodes > 1) {
      problems.push({ field: 'num_nodes', message: `This machine is one node; num_nodes=${spec.numNodes} cannot be satisfied` });
    }
    const cores = spec.numTasks * spec.coresPerTask;
    if (cores > this.cores.total) {
      problems.push({
        field: spec.coresPerTask > 1 ? 'cores_per_task' : 'num_tasks',
        message: `num_tasks × cores_per_task = ${cores} cores requested; this machine has ${this.cores.total}`,
      });
    }
    const gpus = spec.numTasks * spec.gpusPerTask;
    if (gpus > 0 && this.gpus.total === 0) {
      problems.push({ field: 'gpus_per_task', message: 'This machine has no GPUs: gpus_per_task cannot be set.' });
    } else if (gpus > this.gpus.total) {
      problems.push({ field: 'gpus_per_task', message: `num_tasks × gpus_per_task = ${gpus} GPUs requested; this machine has ${this.gpus.total}` });
    }
    problems.push(...workdirProblems(spec));
    return problems;
  }

  async start(sink: ExecutorSink, active: ActiveJob[]): Promise<void> {
    this.reporter.set(sink);
    for (const job of active) {
      if (job.state === 'RUN' || job.state === 'CLEANUP') {
        this.reattach(job);
        continue;
      }
      // Queued in the store, but perhaps started just before a crash: its wrappers say so.
      const marks = readLaunchMarks(job.output.paths.dir, job.spec.numTasks);
      if (marks.length > 0) {
        this.adoptLaunched(job, marks);
      } else {
        this.enqueue({ id: job.id, spec: job.spec, env: job.env, output: job.output, urgency: job.spec.urgency, order: this.order++ });
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
    this.enqueue({ id, spec: launch.spec, env: launch.env, output: sink.output(id), urgency: launch.spec.urgency, order: this.order++ });
    this.schedule();
    return {};
  }

  /** Keeps the queue in start order (urgency, then arrival) without re-sorting thousands of waiting jobs on every submit. */
  private enqueue(job: QueuedJob): void {
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const other = this.queue[middle];
      if (other !== undefined && (other.urgency > job.urgency || (other.urgency === job.urgency && other.order < job.order))) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    this.queue.splice(low, 0, job);
  }

  /** Starts queued jobs in order while their resources are free; a job that does not fit waits, and so do those behind it. */
  private schedule(): void {
    if (this.stopping) {
      return;
    }
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next === undefined || next.urgency === 0) {
        return;
      }
      const cores = this.cores.take(coresNeeded(next.spec, this.cores.total));
      if (cores === null) {
        return;
      }
      const gpus = this.gpus.take(next.spec.numTasks * next.spec.gpusPerTask);
      if (gpus === null) {
        this.cores.release(cores);
        return;
      }
      this.queue.shift();
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
    const running: RunningJob = {
      id: job.id,
      cores,
      gpus,
      tasks: [],
      statusDir: job.output.paths.dir,
      ending: null,
      timers: [],
      reattached: false,
      finished: false,
    };
    this.running.set(job.id, running);

    const cwd = job.spec.workdir ?? process.cwd();
    const argv0 = job.spec.command[0] ?? '';
    const resolution = resolveExecutable(argv0, job.env.PATH ?? '', cwd);
    let cwdProblem: string | null = null;
    try {
      if (!fs.statSync(cwd).isDirectory()) {
        cwdProblem = `Could not change dir to ${cwd}: Not a directory`;
      }
    } catch {
      cwdProblem = `Could not change dir to ${cwd}: No such file or directory`;
    }
    if (cwdProblem !== null || !resolution.ok) {
      const reason = cwdProblem ?? (resolution.ok ? '' : `${argv0}: ${resolution.reason}`);
      const code = cwdProblem !== null ? 127 : resolution.ok ? 127 : resolution.code;
      sink.event({ id: job.id, t, name: 'start' });
      sink.event({ id: job.id, t, name: 'exception', type: 'exec', severity: 0, note: `task 0 (host ${this.hostname}): start failed: ${reason}` });
      job.output.append('stderr', Buffer.from(`jobgate: task 0 (host ${this.hostname}): start failed: ${reason}\n`));
      this.finish(running, code << 8);
      return;
    }

    job.output.track();
    try {
      for (let rank = 0; rank < job.spec.numTasks; rank += 1) {
        running.tasks.push(this.spawnTask(job, running, rank, cwd));
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
    sink.backendRef(job.id, encodeLocalRef(this.refOf(running, job.spec.tty)));
    sink.event({ id: job.id, t, name: 'start' });
    if (job.spec.runtime > 0) {
      running.timers.push(setTimeout(() => this.expire(running, job.spec.runtime), job.spec.runtime * 1000));
    }
  }

  private refOf(running: RunningJob, tty: boolean): LocalRef {
    const tasks: TaskRef[] = running.tasks.map((task) => ({ rank: task.rank, pid: task.pid, start: task.start }));
    return { boot: this.boot, cores: running.cores, gpus: running.gpus, tty, tasks };
  }

  private spawnTask(job: QueuedJob, running: RunningJob, rank: number, cwd: string): RunningTask {
    const statusFile = statusFileOf(running.statusDir, rank);
    clearLaunchMark(statusFile);
    const args = wrapperArgs(statusFile, job.spec.command);
    const env = taskEnv(job, running, rank);
    let spawned;
    if (job.spec.tty) {
      spawned = spawnTerminal({ file: WRAPPER_SHELL, args, env, cwd, onData: (data) => job.output.append('stdout', data) });
    } else {
      const stdoutFd = fs.openSync(job.output.paths.stdout, 'a');
      const stderrFd = fs.openSync(job.output.paths.stderr, 'a');
      try {
        spawned = spawnDetached({ file: WRAPPER_SHELL, args, env, cwd, stdoutFd, stderrFd });
      } finally {
        fs.closeSync(stdoutFd);
        fs.closeSync(stderrFd);
      }
    }
    const task: RunningTask = { rank, pid: spawned.pid, start: processStartTicks(spawned.pid), exit: null, release: spawned.release };
    spawned.exited.then(
      (exit) => this.taskExited(running, task, exit),
      () => this.taskExited(running, task, { code: null, signal: 9 }),
    );
    return task;
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
    for (const timer of running.timers) {
      clearTimeout(timer);
    }
    this.running.delete(running.id);
    const sink = this.reporter.sink;
    const t = this.now();
    if (waitstatus !== null) {
      sink.event({ id: running.id, t, name: 'finish', status: waitstatus });
    }
    sink.event({ id: running.id, t, name: 'release' });
    this.cores.release(running.cores);
    this.gpus.release(running.gpus);
    sink.event({ id: running.id, t, name: 'free' });
    sink.event({ id: running.id, t, name: 'clean' });
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

  /** SIGTERM to every task's process group now, SIGKILL after the grace period. */
  private terminate(running: RunningJob): void {
    for (const task of running.tasks) {
      if (task.exit === null) {
        signalGroup(task.pid, 'SIGTERM');
      }
    }
    const kill = setTimeout(() => {
      for (const task of running.tasks) {
        if (task.exit === null) {
          signalGroup(task.pid, 'SIGKILL');
        }
      }
    }, this.options.killGraceSeconds * 1000);
    kill.unref();
    running.timers.push(kill);
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    const sink = this.reporter.sink;
    const queued = this.queue.findIndex((job) => job.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
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

  async setUrgency(id: JobId, urgency: number): Promise<void> {
    const queued = this.queue.find((job) => job.id === id);
    if (queued === undefined) {
      if (this.running.has(id)) {
        throw new ExecutorError('conflict', 'urgency cannot be changed once resources are allocated');
      }
      throw new ExecutorError('inactive', 'job is inactive');
    }
    this.queue.splice(this.queue.indexOf(queued), 1);
    queued.urgency = urgency;
    this.enqueue(queued);
    const sink = this.reporter.sink;
    const t = this.now();
    sink.event({ id, t, name: 'urgency', urgency });
    sink.event({ id, t, name: 'priority', priority: urgency });
    this.schedule();
  }

  /** What the running jobs' processes use (each task leads a session: see usage/session-sampler.ts). */
  async sampleUsage(ids: readonly JobId[]): Promise<UsageReading[]> {
    const jobs = ids.flatMap((id) => {
      const running = this.running.get(id);
      return running === undefined || running.finished ? [] : [{ id, sessions: running.tasks.filter((task) => task.exit === null).map((task) => task.pid) }];
    });
    return this.usage.sample(jobs, this.now());
  }

  /** Picks up a job that was running when jobgate stopped. */
  private reattach(job: ActiveJob): void {
    const sink = this.reporter.sink;
    const ref = decodeLocalRef(job.backendRef);
    const running: RunningJob = {
      id: job.id,
      cores: ref?.cores ?? [],
      gpus: ref?.gpus ?? [],
      tasks: [],
      statusDir: job.output.paths.dir,
      ending: null,
      timers: [],
      reattached: true,
      finished: false,
    };
    if (ref === null) {
      this.running.set(job.id, running);
      sink.event({ id: job.id, t: this.now(), name: 'exception', type: 'lost', severity: 0, note: 'jobgate stopped while this job was starting; its processes are unknown' });
      this.finish(running, null);
      return;
    }
    const sameBoot = ref.boot === this.boot;
    for (const task of ref.tasks) {
      const alive = sameBoot && isProcessAlive(task.pid) && (task.start === null || processStartTicks(task.pid) === task.start);
      running.tasks.push({ rank: task.rank, pid: task.pid, start: task.start, exit: alive ? null : this.readStatus(running, task.rank) });
    }
    this.cores.claim(running.cores);
    this.gpus.claim(running.gpus);
    this.running.set(job.id, running);
    // In CLEANUP the time limit no longer applies.
    this.watchReattached(running, job.output, ref.tty, job.state === 'RUN' ? job.spec.runtime : 0, job.tRun);
  }

  /**
   * Picks up a job whose tasks started (their wrappers marked it) although the store still
   * has it queued: jobgate was killed before it could record the start. It is never started
   * twice; a job only some of whose tasks started cannot go on and is ended.
   */
  private adoptLaunched(job: ActiveJob, marks: MarkedTask[]): void {
    const sink = this.reporter.sink;
    const need = coresNeeded(job.spec, this.cores.total);
    // Its cores were handed out by the jobgate that died; take them again if they are free.
    const cores = this.cores.take(need) ?? [];
    const gpus = this.gpus.take(job.spec.numTasks * job.spec.gpusPerTask) ?? [];
    const t = Math.min(...marks.map((mark) => mark.t));
    sink.event({ id: job.id, t, name: 'alloc', ranks: '0', nodelist: this.hostname, nnodes: 1, ncores: need, ...(job.spec.runtime > 0 ? { expiration: t + job.spec.runtime } : {}) });
    const running: RunningJob = { id: job.id, cores, gpus, tasks: [], statusDir: job.output.paths.dir, ending: null, timers: [], reattached: true, finished: false };
    for (const mark of marks) {
      running.tasks.push({ rank: mark.rank, pid: mark.pid, start: mark.start, exit: mark.alive ? null : (this.readStatus(running, mark.rank) ?? { code: null, signal: null }) });
    }
    this.running.set(job.id, running);
    sink.backendRef(job.id, encodeLocalRef(this.refOf(running, job.spec.tty)));
    sink.event({ id: job.id, t, name: 'start' });
    sink.log('info', 'a job started just before jobgate stopped was picked up, not started again', { job: job.id.toString(), tasks: marks.length });
    if (marks.length < job.spec.numTasks) {
      running.ending = 'lost';
      this.raiseLost(running, `jobgate stopped while starting this job: ${marks.length} of its ${job.spec.numTasks} tasks started; they were ended`);
      this.terminate(running);
    }
    this.watchReattached(running, job.output, job.spec.tty, running.ending === null ? job.spec.runtime : 0, t);
  }

  /** Output, the time limit and the exit of a job whose tasks are not this jobgate's children. */
  private watchReattached(running: RunningJob, output: LiveOutput, tty: boolean, runtime: number, tRun: number | null): void {
    if (tty) {
      // The terminal's other end died with the previous jobgate; nothing more can be read.
      output.catchUp();
    } else {
      output.track();
    }
    if (runtime > 0) {
      const elapsed = Math.max(0, (this.now() - (tRun ?? this.now())) * 1000);
      running.timers.push(setTimeout(() => this.expire(running, runtime), Math.max(0, runtime * 1000 - elapsed)));
    }
    this.checkReattached(running);
    if (!running.finished && this.reattachTimer === null) {
      this.reattachTimer = setInterval(() => this.pollReattached(), this.options.reattachPollMs ?? 250);
      this.reattachTimer.unref();
    }
  }

  /** A job whose tasks jobgate can no longer account for: it ends, and the note says why. */
  private raiseLost(running: RunningJob, note: string): void {
    this.reporter.sink.event({ id: running.id, t: this.now(), name: 'exception', type: 'lost', severity: 0, note });
  }

  private readStatus(running: RunningJob, rank: number): ExitInfo | null {
    try {
      const text = fs.readFileSync(path.join(running.statusDir, `status.${rank}`), 'utf8').trim();
      const code = Number.parseInt(text, 10);
      return Number.isInteger(code) ? { code, signal: null } : null;
    } catch {
      return null;
    }
  }

  private pollReattached(): void {
    let any = false;
    for (const running of this.running.values()) {
      if (running.reattached && !running.finished) {
        any = true;
        for (const task of running.tasks) {
          if (task.exit === null && !(isProcessAlive(task.pid) && (task.start === null || processStartTicks(task.pid) === task.start))) {
            task.exit = this.readStatus(running, task.rank) ?? { code: null, signal: null };
          }
        }
        this.checkReattached(running);
      }
    }
    if (!any && this.reattachTimer !== null) {
      clearInterval(this.reattachTimer);
      this.reattachTimer = null;
    }
  }

  /** Ends a re-attached job once none of its tasks runs; tasks whose status was lost make it a failure. */
  private checkReattached(running: RunningJob): void {
    if (running.finished || running.tasks.some((task) => task.exit === null)) {
      return;
    }
    const exits = running.tasks.map((task) => task.exit ?? { code: null, signal: null });
    const unknown = exits.filter((exit) => exit.code === null && exit.signal === null).length;
    if (unknown > 0 || running.tasks.length === 0) {
      this.raiseLost(running, `jobgate was restarted and ${unknown || 'all'} task(s) of this job ended without recording an exit status`);
      const known = exits.filter((exit) => exit.code !== null || exit.signal !== null);
      this.finish(running, known.length > 0 ? combineStatus(known) : null);
      return;
    }
    this.finish(running, combineStatus(exits));
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

  async version(): Promise<string> {
    return `local (${os.type()} ${os.release()}, ${this.cores.total} cores, ${this.gpus.total} GPUs)`;
  }

  /** Counts for metrics and the nodes page. */
  load(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.running.size };
  }

  async stop(mode: StopMode): Promise<void> {
    this.stopping = true;
    if (this.reattachTimer !== null) {
      clearInterval(this.reattachTimer);
      this.reattachTimer = null;
    }
    if (mode === 'leave-jobs') {
      // Tasks are detached and keep running; their status lands on disk for the next start.
      this.detached = true;
      for (const running of this.running.values()) {
        for (const timer of running.timers) {
          clearTimeout(timer);
        }
        for (const task of running.tasks) {
          task.release?.();
        }
      }
      return;
    }
    const reason = 'jobgate service stopped';
    for (const queued of [...this.queue]) {
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
      if (this.reattachTimer === null) {
        this.pollReattached();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
