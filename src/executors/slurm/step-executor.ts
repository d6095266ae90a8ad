/**
 * Slurm inside an allocation (jobgate started by `sbatch` or `salloc`): each job is a job step
 * launched with `srun`.
 *
 * Jobs wait in SCHED in jobgate until the allocation has CPUs for them (urgency first, then
 * submit order; urgency 0 holds), as in the local executor: a waiting srun costs a process
 * and several MB, and a thousand queued jobs should not cost a thousand of them. Then srun
 * starts the step; its pipes carry the tasks' stdout and stderr, kept apart and appended live,
 * and its verbose stderr names the step, its hosts, when the tasks started and each task's
 * wait status (srun-stderr.ts). A submit that can start at once waits until srun has launched
 * the step, found it must wait, or refused it (the request then gets Slurm's message as a
 * 400). Cancel sends SIGTERM to the step (`scancel --signal=TERM JOBID.STEP`) and ends it after
 * the grace period. Runtimes Slurm cannot express (not whole minutes) are enforced by jobgate.
 *
 * A step's output flows through its srun, which is jobgate's child: steps do not outlive
 * jobgate. Stopping, in either mode, cancels them and records how they ended, so a
 * `service/stop` drains and exits — ending the allocation when jobgate is its batch script.
 */
import type { JobId } from '../../model/job-id.js';
import type { JobSpec } from '../../model/job.js';
import type { LiveOutput } from '../../output/live-output.js';
import { startStreaming, type ExitInfo, type StreamingProcess } from '../process.js';
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
import type { Allocation } from './allocation.js';
import { jobgateEnforcesRuntime, splitEnvironment, srunArgs } from './commands.js';
import { commonProblems } from './requests.js';
import { cpusFor, StepQueue } from './step-queue.js';
import type { SlurmCommands } from './slurm-cli.js';
import { combineWaitStatuses, SrunStderr, type StepHost } from './srun-stderr.js';

export interface SlurmStepOptions {
  cli: SlurmCommands;
  allocation: Allocation;
  slurmSettings: Record<string, string>;
  srunPath: string;
  killGraceSeconds: number;
  /** Longest a submit waits for srun to launch the step or say it waits (then the job is SCHED). */
  decisionMs?: number;
  now?: () => number;
}

interface StepJob {
  id: JobId;
  spec: JobSpec;
  env: Record<string, string>;
  output: LiveOutput;
  urgency: number;
  /** CPUs of the allocation the step takes while it runs. */
  cpus: number;
  srun: StreamingProcess | null;
  stderr: SrunStderr;
  scheduled: boolean;
  started: boolean;
  done: boolean;
  excepted: boolean;
  ending: 'cancel' | 'timeout' | null;
  timers: NodeJS.Timeout[];
  lastT: number;
  ended: Promise<void>;
}

export class SlurmStepExecutor implements Executor {
  readonly name = 'slurm' as const;
  readonly assignsIds = false;
  private readonly reporter = new SinkSlot('slurm');
  /** Jobs waiting for CPUs, in jobgate. */
  private readonly queue = new StepQueue<StepJob>();
  /** Jobs whose srun runs (launched, waiting in Slurm, or running). */
  private readonly launched = new Map<JobId, StepJob>();
  private stopping = false;

  constructor(private readonly options: SlurmStepOptions) {}

  private now(): number {
    return epochSeconds(this.options.now);
  }

  private get allocation(): Allocation {
    return this.options.allocation;
  }

  private get totalCpus(): number {
    return this.allocation.nodes.reduce((sum, node) => sum + node.cpus, 0);
  }

  check(spec: JobSpec): FieldProblem[] {
    const problems = commonProblems(spec);
    const nodes = this.allocation.nodes;
    const where = `allocation ${this.allocation.jobId}`;
    if (spec.queue !== null && this.allocation.partition !== null && spec.queue !== this.allocation.partition) {
      problems.push({ field: 'queue', message: `job steps run in the partition of ${where} (${this.allocation.partition}), not ${spec.queue}` });
    }
    if (spec.numNodes !== null && nodes.length > 0 && spec.numNodes > nodes.length) {
      problems.push({ field: 'num_nodes', message: `${where} has ${nodes.length} node(s); num_nodes=${spec.numNodes} cannot be satisfied` });
    }
    const wanted = spec.numTasks * spec.coresPerTask;
    if (nodes.length > 0 && wanted > this.totalCpus) {
      problems.push({ field: spec.coresPerTask > 1 ? 'cores_per_task' : 'num_tasks', message: `num_tasks × cores_per_task = ${wanted} CPUs requested; ${where} has ${this.totalCpus}` });
    }
    if (this.allocation.endTime !== null && spec.runtime > 0) {
      const left = Math.floor(this.allocation.endTime - this.now());
      if (spec.runtime > left) {
        problems.push({ field: 'runtime', message: `runtime ${spec.runtime}s is longer than what is left of ${where} (${Math.max(0, left)}s)` });
      }
    }
    return problems;
  }

  async start(sink: ExecutorSink, active: ActiveJob[]): Promise<void> {
    this.reporter.set(sink);
    // Steps of an earlier jobgate ended with its srun processes (their output pipes are gone);
    // jobs it had not launched yet are lost with it too (their queue lived in its memory).
    for (const job of active) {
      if (job.backendRef !== null && /^\d+\.\d+$/.test(job.backendRef)) {
        await this.options.cli.scancel(job.backendRef).catch(() => undefined);
      }
      const t = this.now();
      sink.event({ id: job.id, t, name: 'exception', type: 'lost', severity: 0, note: 'jobgate was restarted; a job step lives and dies with the jobgate that started it' });
      sink.event({ id: job.id, t, name: 'clean' });
    }
    if (this.allocation.endTime === null) {
      try {
        const record = (await this.options.cli.squeue()).get(Number.parseInt(this.allocation.jobId, 10));
        if (record !== undefined && record.timeLimit !== null && record.startTime > 0) {
          this.allocation.endTime = record.startTime + record.timeLimit * 60;
        }
      } catch (error: unknown) {
        sink.log('warn', 'cannot read the allocation from Slurm; runtimes are not checked against its end', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  async submit(launch: JobLaunch): Promise<SubmitOutcome> {
    if (this.stopping) {
      throw new ExecutorError('unavailable', 'jobgate is stopping');
    }
    const sink = this.reporter.sink;
    const id = launch.id;
    if (id === null) {
      throw new Error('the slurm executor needs the domain to choose job ids');
    }
    const job: StepJob = {
      id,
      spec: launch.spec,
      env: launch.env,
      output: sink.output(id),
      urgency: launch.spec.urgency,
      cpus: cpusFor(launch.spec, this.allocation.nodes),
      srun: null,
      stderr: new SrunStderr(),
      scheduled: false,
      started: false,
      done: false,
      excepted: false,
      ending: null,
      timers: [],
      lastT: this.now(),
      ended: Promise.resolve(),
    };
    this.queue.add(job);
    if (this.queue.peek(this.freeCpus()) !== job) {
      // It waits in jobgate's queue.
      this.schedule(job);
      this.dispatch();
      return {};
    }
    this.queue.remove(job.id);
    const refusal = await this.launch(job);
    if (refusal !== null) {
      throw refusal;
    }
    this.dispatch();
    // The step id is stored when srun names it (sink.backendRef), here or later.
    return {};
  }

  private freeCpus(): number {
    let used = 0;
    for (const job of this.launched.values()) {
      used += job.cpus;
    }
    return this.totalCpus - used;
  }

  private take(): StepJob | undefined {
    return this.stopping ? undefined : this.queue.take(this.freeCpus());
  }

  /** Launches queued jobs while the allocation has room. */
  private dispatch(): void {
    for (let next = this.take(); next !== undefined; next = this.take()) {
      const job = next;
      void this.launch(job).then((refusal) => {
        if (refusal !== null) {
          // Refused by Slurm after waiting in jobgate: the job fails with Slurm's reason.
          this.raise(job, 'alloc', refusal.message);
          this.schedule(job);
          job.done = true;
          this.cleanup(job);
          this.reporter.sink.event({ id: job.id, t: this.stamp(job), name: 'clean' });
          this.dispatch();
        }
      });
    }
  }

  /**
   * Starts srun and waits until it launched the step, found it must wait in Slurm, or gave up.
   * Returns the refusal when srun refused the step before anything ran.
   */
  private async launch(job: StepJob): Promise<ExecutorError | null> {
    const sink = this.reporter.sink;
    let decide: () => void = () => undefined;
    const decided = new Promise<void>((resolve) => {
      decide = resolve;
    });
    job.stderr = new SrunStderr({
      launching: (stepId) => {
        sink.backendRef(job.id, stepId);
        this.schedule(job);
        decide();
      },
      started: () => this.started(job),
      waiting: () => {
        this.schedule(job);
        decide();
      },
      timeLimit: () => this.raise(job, 'timeout', `Slurm time limit of ${Math.ceil(job.spec.runtime / 60)} min reached`),
    });
    const env = splitEnvironment(job.env, this.options.slurmSettings);
    let srun: StreamingProcess;
    try {
      srun = startStreaming(this.options.srunPath, srunArgs(job.spec, this.allocation, env.onCommandLine), {
        env: env.process,
        onStdout: (chunk) => {
          this.started(job);
          job.output.append('stdout', chunk);
        },
        onStderr: (chunk) => {
          const kept = job.stderr.push(chunk);
          if (kept.length > 0) {
            if (job.stderr.stepId !== null) {
              this.started(job);
            }
            job.output.append('stderr', kept);
          }
        },
      });
    } catch (error: unknown) {
      return new ExecutorError('unavailable', `srun: ${error instanceof Error ? error.message : String(error)}`);
    }
    job.srun = srun;
    this.launched.set(job.id, job);
    let exit: ExitInfo | null = null;
    const exited = srun.exited.then((info) => {
      exit = info;
      decide();
    });
    const cap = setTimeout(decide, this.options.decisionMs ?? 2000);
    await decided;
    clearTimeout(cap);
    if (exit !== null && job.stderr.stepId === null && !job.scheduled && job.ending === null) {
      this.launched.delete(job.id);
      const info: ExitInfo = exit;
      const message = job.stderr.errors.join('; ') || `srun exited with ${info.signal !== null ? `signal ${info.signal}` : `status ${info.code ?? '?'}`} before launching the step`;
      // An allocation that is gone or a controller that does not answer: nothing can run (503).
      const unavailable = /Unable to contact|Connection refused|could not start|has expired|Unable to confirm allocation|Invalid job id/i.test(message);
      return new ExecutorError(unavailable ? 'unavailable' : 'invalid', message);
    }
    this.schedule(job);
    job.ended = exited.then(() => this.finish(job, exit ?? { code: null, signal: null }));
    return null;
  }

  /** The job is accepted and waits for (or has) resources: SCHED. */
  private schedule(job: StepJob): void {
    if (job.scheduled) {
      return;
    }
    job.scheduled = true;
    const sink = this.reporter.sink;
    const t = this.stamp(job);
    sink.event({ id: job.id, t, name: 'depend' });
    sink.event({ id: job.id, t, name: 'priority', priority: job.urgency });
  }

  private stamp(job: StepJob): number {
    job.lastT = Math.max(job.lastT, this.now());
    return job.lastT;
  }

  private coresOn(job: StepJob, host: StepHost): number {
    if (job.spec.exclusive) {
      return this.allocation.nodes.find((node) => node.name === host.host)?.cpus ?? host.tasks * job.spec.coresPerTask;
    }
    return host.tasks * job.spec.coresPerTask;
  }

  /** The tasks run: alloc and start, and jobgate's own runtime limit when Slurm cannot keep it. */
  private started(job: StepJob): void {
    if (job.started || job.done) {
      return;
    }
    this.schedule(job);
    job.started = true;
    const sink = this.reporter.sink;
    const t = this.stamp(job);
    const hosts = job.stderr.hosts;
    const nnodes = Math.max(1, hosts.length);
    sink.event({
      id: job.id,
      t,
      name: 'alloc',
      ranks: nnodes > 1 ? `0-${nnodes - 1}` : '0',
      nodelist: hosts.map((host) => host.host).join(',') || (this.allocation.nodes[0]?.name ?? ''),
      nnodes,
      ncores: hosts.length > 0 ? hosts.reduce((sum, host) => sum + this.coresOn(job, host), 0) : job.spec.numTasks * job.spec.coresPerTask,
      ...(job.spec.runtime > 0 ? { expiration: t + job.spec.runtime } : {}),
    });
    sink.event({ id: job.id, t, name: 'start' });
    const runtime = job.spec.runtime;
    if (jobgateEnforcesRuntime(runtime)) {
      job.timers.push(setTimeout(() => {
        if (job.ending === null) {
          job.ending = 'timeout';
          this.raise(job, 'timeout', `runtime limit of ${runtime}s reached`);
          this.terminate(job);
        }
      }, runtime * 1000));
    }
  }

  /** Records the fatal exception that explains the job's end (only the first one counts). */
  private raise(job: StepJob, type: 'cancel' | 'timeout' | 'alloc' | 'lost', note: string): void {
    if (job.done || job.excepted) {
      return;
    }
    job.excepted = true;
    this.reporter.sink.event({ id: job.id, t: this.stamp(job), name: 'exception', type, severity: 0, note });
  }

  /**
   * SIGTERM to the step's tasks now, the step ended after the grace period. A step that is not
   * launched yet has nothing to signal: its srun is stopped instead.
   */
  private terminate(job: StepJob): void {
    const stepId = job.stderr.stepId;
    if (stepId === null) {
      job.srun?.kill('SIGTERM');
      return;
    }
    const cli = this.options.cli;
    void cli.scancel(stepId, 'TERM').catch(() => undefined);
    const grace = this.options.killGraceSeconds * 1000;
    const kill = setTimeout(() => void cli.scancel(stepId).catch(() => undefined), grace);
    // srun waits for the step's end; should it hang on, it goes too.
    const last = setTimeout(() => job.srun?.kill('SIGKILL'), grace + 10_000);
    kill.unref();
    last.unref();
    job.timers.push(kill, last);
  }

  private finish(job: StepJob, exit: ExitInfo): void {
    if (job.done) {
      return;
    }
    const rest = job.stderr.end();
    if (rest.length > 0) {
      job.output.append('stderr', rest);
    }
    const sink = this.reporter.sink;
    if (job.stderr.stepId === null && !job.started) {
      // Never launched: refused after it had waited in Slurm, or stopped while waiting.
      const note = job.stderr.errors.join('; ') || `srun exited with ${exit.signal !== null ? `signal ${exit.signal}` : `status ${exit.code ?? '?'}`} before launching the step`;
      this.raise(job, 'alloc', note);
      job.done = true;
      this.cleanup(job);
      sink.event({ id: job.id, t: this.stamp(job), name: 'clean' });
      this.dispatch();
      return;
    }
    if (exit.signal !== null && job.ending === null && !this.stopping) {
      // jobgate signals srun only while ending a job: someone else killed it (kill -9, the OOM
      // killer). Its step may run on unwatched, its output unread: end the step and say why.
      const stepId = job.stderr.stepId;
      this.raise(job, 'lost', `srun (pid ${job.srun?.pid ?? '?'}), which ran this job's step, was killed by signal ${exit.signal}; the step was canceled`);
      if (stepId !== null) {
        void this.options.cli.scancel(stepId).catch(() => undefined);
      }
    }
    this.started(job);
    job.done = true;
    const t = this.stamp(job);
    const status = combineWaitStatuses(job.stderr.statuses) ?? (exit.signal !== null ? exit.signal : ((exit.code ?? 1) & 0xff) << 8);
    sink.event({ id: job.id, t, name: 'finish', status });
    sink.event({ id: job.id, t, name: 'release' });
    sink.event({ id: job.id, t, name: 'free' });
    sink.event({ id: job.id, t, name: 'clean' });
    this.cleanup(job);
    this.dispatch();
  }

  private cleanup(job: StepJob): void {
    for (const timer of job.timers) {
      clearTimeout(timer);
    }
    this.launched.delete(job.id);
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    const queued = this.queue.remove(id);
    if (queued !== undefined) {
      queued.ending = 'cancel';
      this.raise(queued, 'cancel', reason);
      queued.done = true;
      this.reporter.sink.event({ id, t: this.stamp(queued), name: 'clean' });
      this.dispatch();
      return;
    }
    const job = this.launched.get(id);
    if (job === undefined || job.done) {
      throw new ExecutorError('inactive', 'job is inactive');
    }
    if (job.ending !== null) {
      return;
    }
    job.ending = 'cancel';
    this.raise(job, 'cancel', reason);
    this.terminate(job);
  }

  async setUrgency(id: JobId, urgency: number): Promise<void> {
    const job = this.queue.setUrgency(id, urgency);
    if (job === undefined) {
      if (this.launched.has(id)) {
        throw new ExecutorError('conflict', 'urgency cannot be changed once srun has the step');
      }
      throw new ExecutorError('inactive', 'job is inactive');
    }
    const sink = this.reporter.sink;
    const t = this.stamp(job);
    sink.event({ id, t, name: 'urgency', urgency });
    sink.event({ id, t, name: 'priority', priority: urgency });
    this.dispatch();
  }

  async nodes(): Promise<NodeInfo[]> {
    return this.allocation.nodes.map((node) => {
      let busy = 0;
      const jobs: JobId[] = [];
      for (const job of this.launched.values()) {
        const host = job.started ? job.stderr.hosts.find((each) => each.host === node.name) : undefined;
        if (host !== undefined) {
          busy += this.coresOn(job, host);
          jobs.push(job.id);
        }
      }
      return { name: node.name, state: 'up', cores: node.cpus, coresBusy: Math.min(busy, node.cpus), gpus: 0, gpusBusy: 0, jobs };
    });
  }

  async ready(): Promise<boolean> {
    return !this.stopping && (await this.options.cli.ping());
  }

  /** One node: a job asks Slurm for more through its own options, not num_nodes. */
  size(): number {
    return 1;
  }

  async version(): Promise<string> {
    return `${await this.options.cli.version()} (srun steps in allocation ${this.allocation.jobId})`;
  }

  /** Steps cannot outlive jobgate: both modes cancel them and wait for their srun to end. */
  async stop(_mode: StopMode): Promise<void> {
    this.stopping = true;
    for (const job of this.queue.jobs()) {
      await this.cancel(job.id, 'jobgate service stopped');
    }
    const running = [...this.launched.values()];
    for (const job of running) {
      await this.cancel(job.id, 'jobgate service stopped').catch(() => undefined);
    }
    const deadline = new Promise((resolve) => {
      const timer = setTimeout(resolve, (this.options.killGraceSeconds + 15) * 1000);
      timer.unref();
    });
    await Promise.race([Promise.all(running.map((job) => job.ended)), deadline]);
  }
}
