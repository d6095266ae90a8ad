/**
 * Slurm inside an allocation (jobgate started by `sbatch` or `salloc`): each job is a job step
 * launched with `srun`.
 *
 * Jobs wait in SCHED in jobgate until the allocation has CPUs for them (urgency first, then
 * submit order; urgency 0 holds), as in the local executor: a waiting srun costs a process
 * and several MB, and a thousand queued jobs should not cost a thousand of them. Then srun
 * starts the step; its pipes carry the tasks' stdout and stderr, kept apart and appended live,
 * and its verbose stderr names the step, its hosts, when the tasks started and each task's
 * wait status (srun-stderr.ts). A submit that can start at once waits for srun's decision
 * (step-launch.ts): a step Slurm refuses is a 400 with Slurm's message. Cancel sends SIGTERM to the step (`scancel --signal=TERM JOBID.STEP`) and ends it after
 * the grace period. Runtimes Slurm cannot express (not whole minutes) are enforced by jobgate.
 *
 * A step's output flows through its srun, which is jobgate's child: steps do not outlive
 * jobgate. Stopping, in either mode, cancels them and records how they ended, so a
 * `service/stop` drains and exits — ending the allocation when jobgate is its batch script.
 */
import type { JobId } from '../../model/job-id.js';
import type { JobSpec } from '../../model/job.js';
import { killAfterGrace, terminateWithGrace, type ExitInfo } from '../process.js';
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
import { WaitQueue } from '../wait-queue.js';
import { allocationEnd, cpusFor, totalCpus, type Allocation } from './allocation.js';
import { jobgateEnforcesRuntime } from './commands.js';
import { stepProblems } from './step-checks.js';
import type { SlurmCommands } from './slurm-cli.js';
import { combineWaitStatuses } from './srun-stderr.js';
import { allocationNodes, stepAlloc, stepJob, type StepJob } from './step-job.js';
import { launchStep, neverLaunchedNote } from './step-launch.js';

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

export class SlurmStepExecutor implements Executor {
  readonly name = 'slurm' as const;
  readonly assignsIds = false;
  private readonly reporter = new SinkSlot('slurm');
  /** Jobs waiting for CPUs, in jobgate. */
  private readonly queue = new WaitQueue<StepJob>();
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

  check(spec: JobSpec): FieldProblem[] {
    return stepProblems(spec, this.allocation, this.now());
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
        this.allocation.endTime = await allocationEnd(this.options.cli, this.allocation.jobId);
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
    const job = stepJob(id, launch.spec, launch.env, sink.output(id), cpusFor(launch.spec, this.allocation.nodes), this.now());
    this.queue.add(job);
    if (this.nextThatFits() !== job) {
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

  /** The queue's next job, if the allocation has its CPUs free (the steps whose srun runs hold theirs). */
  private nextThatFits(): StepJob | undefined {
    const next = this.queue.next();
    let free = totalCpus(this.allocation);
    for (const job of this.launched.values()) {
      free -= job.cpus;
    }
    return next !== undefined && next.cpus <= free ? next : undefined;
  }

  private take(): StepJob | undefined {
    const next = this.stopping ? undefined : this.nextThatFits();
    if (next !== undefined) {
      this.queue.remove(next.id);
    }
    return next;
  }

  /** Launches queued jobs while the allocation has room. */
  private dispatch(): void {
    for (let next = this.take(); next !== undefined; next = this.take()) {
      const job = next;
      void this.launch(job).then((refusal) => {
        if (refusal !== null) {
          // Refused by Slurm after waiting in jobgate: the job fails with Slurm's reason.
          this.endUnlaunched(job, 'alloc', refusal.message);
        }
      });
    }
  }

  /**
   * Starts srun and waits for its decision (step-launch.ts). Returns the refusal when srun
   * refused the step before anything ran.
   */
  private async launch(job: StepJob): Promise<ExecutorError | null> {
    const outcome = await launchStep(job, this.options, {
      spawned: () => this.launched.set(job.id, job),
      launching: (stepId) => this.reporter.sink.backendRef(job.id, stepId),
      accepted: () => this.schedule(job),
      started: () => this.started(job),
      timeLimit: () => this.raise(job, 'timeout', `Slurm time limit of ${Math.ceil(job.spec.runtime / 60)} min reached`),
    });
    if ('refusal' in outcome) {
      this.launched.delete(job.id);
      return outcome.refusal;
    }
    this.schedule(job);
    job.ended = outcome.exited.then((exit) => this.finish(job, exit));
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

  /** The tasks run: alloc and start, and jobgate's own runtime limit when Slurm cannot keep it. */
  private started(job: StepJob): void {
    if (job.started || job.done) {
      return;
    }
    this.schedule(job);
    job.started = true;
    const sink = this.reporter.sink;
    const t = this.stamp(job);
    sink.event(stepAlloc(job, this.allocation, t));
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
    const graceMs = this.options.killGraceSeconds * 1000;
    const exited = job.srun?.exited;
    // SIGTERM is scancel --signal=TERM; the forced end is scancel itself.
    const signalStep = (signal: NodeJS.Signals): void => void cli.scancel(stepId, signal === 'SIGTERM' ? 'TERM' : undefined).catch(() => undefined);
    job.terminations.push(terminateWithGrace(signalStep, { graceMs, exited }));
    // srun waits for the step's end; should it hang on, it goes too.
    job.terminations.push(killAfterGrace(() => job.srun?.kill('SIGKILL'), { graceMs: graceMs + 10_000, exited }));
  }

  private finish(job: StepJob, exit: ExitInfo): void {
    if (job.done) {
      return;
    }
    const rest = job.stderr.end();
    if (rest.length > 0) {
      job.output.append('stderr', rest);
    }
    if (job.stderr.stepId === null && !job.started) {
      // Never launched: refused after it had waited in Slurm, or stopped while waiting.
      this.endUnlaunched(job, 'alloc', neverLaunchedNote(job.stderr, exit));
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
    this.reporter.reportEnd(job.id, t, status);
    this.cleanup(job);
    this.dispatch();
  }

  /** A job whose step never ran ends with its exception (Slurm's reason, or a cancel), then clean. */
  private endUnlaunched(job: StepJob, type: 'alloc' | 'cancel', note: string): void {
    this.raise(job, type, note);
    this.schedule(job);
    job.done = true;
    this.cleanup(job);
    this.reporter.sink.event({ id: job.id, t: this.stamp(job), name: 'clean' });
    this.dispatch();
  }

  private cleanup(job: StepJob): void {
    for (const timer of job.timers) {
      clearTimeout(timer);
    }
    for (const termination of job.terminations) {
      termination.cancel();
    }
    this.launched.delete(job.id);
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    const queued = this.queue.remove(id);
    if (queued !== undefined) {
      queued.ending = 'cancel';
      this.endUnlaunched(queued, 'cancel', reason);
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
    return allocationNodes(this.allocation, [...this.launched.values()]);
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
