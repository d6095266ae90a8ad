/**
 * Slurm outside an allocation: each job is a batch job.
 *
 * Submit runs `sbatch --parsable` with the script on stdin and writes stdout and stderr straight
 * into the job's output files in the data directory, which jobgate watches (output is live and
 * survives a jobgate restart). One `squeue --json` call per interval gives the state of every
 * job at once; a job slurmctld has already forgotten is read from the job-completion record
 * (`sacct -c`). Cancel is `scancel`. Runtimes Slurm cannot express (not whole minutes) are
 * enforced by jobgate: at the limit it raises a timeout exception and cancels the job.
 * Stopping with 'leave-jobs' leaves the jobs to Slurm; the next start picks them up again.
 */
import type { JobId } from '../../model/job-id.js';
import { toF58 } from '../../model/job-id.js';
import type { JobSpec } from '../../model/job.js';
import type { LiveOutput } from '../../output/live-output.js';
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
import { batchScript, jobgateEnforcesRuntime, sbatchArgs, splitEnvironment } from './commands.js';
import { eventsFor, type JobProgress, type PlannedEvent } from './job-states.js';
import { expandHostlist } from './hostlist.js';
import { commonProblems, Limiter } from './requests.js';
import type { SlurmCommands } from './slurm-cli.js';
import type { SlurmJobRecord } from './slurm-record.js';
import { toNodeInfo } from './slurm-nodes.js';
import { PollLoop } from './poll-loop.js';

export interface SlurmBatchOptions {
  cli: SlurmCommands;
  /** Variables of jobgate's environment that Slurm's commands need (SLURM_CONF). */
  slurmSettings: Record<string, string>;
  srunPath: string;
  /** Time between two `squeue --json` calls while jobs are active. */
  pollMs?: number;
  now?: () => number;
}

interface BatchJob {
  id: JobId;
  slurmId: number;
  spec: JobSpec;
  output: LiveOutput;
  progress: JobProgress;
  /** Polls in a row that found the job neither in squeue nor in the completion record. */
  missing: number;
  trackedAt: number;
  ending: 'cancel' | 'timeout' | null;
  timer: NodeJS.Timeout | null;
  held: boolean;
  nodes: string;
}

/**
 * Newly submitted jobs are polled at KICK_MS for this long: most start within a second, and
 * their start should show as soon as their first output does. Older jobs get the normal pace.
 */
const FAST_WINDOW_MS = 5000;
/** Polls a job may be missing from both sources before it counts as lost. */
const MISSING_LIMIT = 3;

export class SlurmBatchExecutor implements Executor {
  readonly name = 'slurm' as const;
  readonly assignsIds = false;
  private readonly reporter = new SinkSlot('slurm');
  private readonly jobs = new Map<JobId, BatchJob>();
  private readonly submits = new Limiter(8);
  private stopping = false;
  private failingSince: number | null = null;
  private readonly loop: PollLoop;

  constructor(private readonly options: SlurmBatchOptions) {
    this.loop = new PollLoop({
      pass: () => this.pollOnce(),
      active: () => this.jobs.size > 0,
      fast: () => {
        const recent = Date.now() - FAST_WINDOW_MS;
        return [...this.jobs.values()].some((job) => job.trackedAt > recent && !job.progress.finished);
      },
      mayKick: () => !(this.stopping && this.jobs.size === 0),
      intervalMs: options.pollMs ?? 1000,
    });
  }

  private now(): number {
    return epochSeconds(this.options.now);
  }

  check(spec: JobSpec): FieldProblem[] {
    return commonProblems(spec);
  }

  async start(sink: ExecutorSink, active: ActiveJob[]): Promise<void> {
    this.reporter.set(sink);
    for (const job of active) {
      const slurmId = job.backendRef !== null && /^\d+$/.test(job.backendRef) ? Number.parseInt(job.backendRef, 10) : null;
      if (slurmId === null) {
        const t = this.now();
        sink.event({ id: job.id, t, name: 'exception', type: 'lost', severity: 0, note: 'jobgate stopped before Slurm confirmed the submission' });
        sink.event({ id: job.id, t, name: 'clean' });
        continue;
      }
      const started = job.state === 'RUN' || job.state === 'CLEANUP';
      const tracked = this.track(job.id, slurmId, job.spec, job.output, job.spec.urgency === 0);
      tracked.progress = { started, finished: job.state === 'CLEANUP', excepted: false, lastT: job.tRun ?? 0 };
      if (started && job.tRun !== null) {
        this.armRuntime(tracked, job.tRun);
      }
    }
    this.loop.kick();
  }

  private track(id: JobId, slurmId: number, spec: JobSpec, output: LiveOutput, held: boolean): BatchJob {
    const job: BatchJob = {
      id,
      slurmId,
      spec,
      output,
      progress: { started: false, finished: false, excepted: false, lastT: 0 },
      missing: 0,
      trackedAt: Date.now(),
      ending: null,
      timer: null,
      held,
      nodes: '',
    };
    this.jobs.set(id, job);
    // The job's processes write the files themselves; jobgate only watches them grow.
    output.track();
    return job;
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
    const env = splitEnvironment(launch.env, this.options.slurmSettings);
    const output = sink.output(id);
    const args = sbatchArgs(launch.spec, { stdout: output.paths.stdout, stderr: output.paths.stderr });
    const script = batchScript(launch.spec, env.onCommandLine, `jobgate job ${id.toString()} (${toF58(id)})`, this.options.srunPath);
    const slurmId = await this.submits.run(() => this.options.cli.sbatch(args, script, env.process));
    // The domain stores the ref from the outcome.
    const ref = String(slurmId);
    const t = this.now();
    const job = this.track(id, slurmId, launch.spec, output, launch.spec.urgency === 0);
    job.progress.lastT = t;
    sink.event({ id, t, name: 'depend' });
    sink.event({ id, t, name: 'priority', priority: launch.spec.urgency });
    this.loop.kick();
    return { backendRef: ref };
  }

  /** Polls now (tests and stop wait on it). */
  poll(): Promise<void> {
    return this.loop.poll();
  }

  /** One `squeue --json` for all jobs; `sacct -c` for those squeue no longer holds. */
  private async pollOnce(): Promise<void> {
    if (this.jobs.size === 0) {
      return;
    }
    const began = Date.now();
    try {
      const records = await this.options.cli.squeue();
      const absent: BatchJob[] = [];
      for (const job of [...this.jobs.values()]) {
        const record = records.get(job.slurmId);
        if (record !== undefined) {
          this.apply(job, record);
        } else if (job.trackedAt < began) {
          absent.push(job);
        }
      }
      if (absent.length > 0) {
        const finished = await this.options.cli.completed(absent.map((job) => job.slurmId));
        for (const job of absent) {
          const record = finished.get(job.slurmId);
          if (record !== undefined) {
            this.apply(job, record);
          } else {
            this.missingAgain(job);
          }
        }
      }
      if (this.failingSince !== null) {
        this.reporter.sink.log('info', 'Slurm answers again', { after_s: Math.round((Date.now() - this.failingSince) / 1000) });
        this.failingSince = null;
      }
    } catch (error: unknown) {
      if (this.failingSince === null) {
        this.failingSince = Date.now();
        this.reporter.sink.log('warn', 'cannot read job states from Slurm; retrying', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private missingAgain(job: BatchJob): void {
    job.missing += 1;
    if (job.missing < MISSING_LIMIT) {
      return;
    }
    const sink = this.reporter.sink;
    const t = this.now();
    sink.event({ id: job.id, t, name: 'exception', type: 'lost', severity: 0, note: `Slurm knows no job ${job.slurmId} any more (neither squeue nor the job-completion record)` });
    sink.event({ id: job.id, t, name: 'clean' });
    this.forget(job);
  }

  private apply(job: BatchJob, record: SlurmJobRecord): void {
    job.missing = 0;
    job.nodes = record.nodes;
    const sink = this.reporter.sink;
    const { events, progress } = eventsFor(record, job.progress, this.now());
    const wasStarted = job.progress.started;
    job.progress = progress;
    for (const event of events) {
      sink.event({ ...event, id: job.id } as Parameters<ExecutorSink['event']>[0]);
    }
    if (!wasStarted && progress.started) {
      this.armRuntime(job, record.startTime > 0 ? record.startTime : this.now());
    }
    if (events.some((event: PlannedEvent) => event.name === 'clean')) {
      this.forget(job);
    }
  }

  private forget(job: BatchJob): void {
    if (job.timer !== null) {
      clearTimeout(job.timer);
    }
    this.jobs.delete(job.id);
  }

  /** Runtimes that are not whole minutes: jobgate ends the job at the exact second. */
  private armRuntime(job: BatchJob, startedAt: number): void {
    const runtime = job.spec.runtime;
    if (!jobgateEnforcesRuntime(runtime) || job.timer !== null) {
      return;
    }
    const remainingMs = Math.max(0, (startedAt + runtime - this.now()) * 1000);
    job.timer = setTimeout(() => {
      job.timer = null;
      void this.end(job, 'timeout', `runtime limit of ${runtime}s reached`).catch(() => undefined);
    }, remainingMs);
  }

  /** Raises the fatal exception and has Slurm end the job (SIGTERM, then SIGKILL after KillWait). */
  private async end(job: BatchJob, why: 'cancel' | 'timeout', note: string): Promise<void> {
    if (job.ending !== null || !this.jobs.has(job.id)) {
      return;
    }
    job.ending = why;
    try {
      await this.options.cli.scancel(String(job.slurmId));
    } catch (error: unknown) {
      job.ending = null;
      throw error;
    }
    if (!job.progress.excepted) {
      job.progress.excepted = true;
      this.reporter.sink.event({ id: job.id, t: Math.max(job.progress.lastT, this.now()), name: 'exception', type: why, severity: 0, note });
    }
    this.loop.kick();
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    const job = this.jobs.get(id);
    if (job === undefined) {
      throw new ExecutorError('inactive', 'job is inactive');
    }
    await this.end(job, 'cancel', reason);
  }

  async setUrgency(id: JobId, urgency: number): Promise<void> {
    const job = this.jobs.get(id);
    if (job === undefined) {
      throw new ExecutorError('inactive', 'job is inactive');
    }
    if (job.progress.started) {
      throw new ExecutorError('conflict', 'urgency cannot be changed once resources are allocated');
    }
    if (urgency === 0 && !job.held) {
      await this.options.cli.scontrol(['hold', String(job.slurmId)]);
      job.held = true;
    } else if (urgency > 0 && job.held) {
      await this.options.cli.scontrol(['release', String(job.slurmId)]);
      job.held = false;
    }
    const sink = this.reporter.sink;
    const t = this.now();
    sink.event({ id, t, name: 'urgency', urgency });
    sink.event({ id, t, name: 'priority', priority: urgency });
    this.loop.kick();
  }

  async nodes(): Promise<NodeInfo[]> {
    const nodes = await this.options.cli.nodes();
    const jobsOn = new Map<string, JobId[]>();
    for (const job of this.jobs.values()) {
      if (job.progress.started && !job.progress.finished) {
        for (const host of expandHostlist(job.nodes)) {
          jobsOn.set(host, [...(jobsOn.get(host) ?? []), job.id]);
        }
      }
    }
    return nodes.map((node) => toNodeInfo(node, jobsOn.get(node.name) ?? []));
  }

  async ready(): Promise<boolean> {
    return !this.stopping && (await this.options.cli.ping());
  }

  /** One node: a job asks Slurm for more through its own options, not num_nodes. */
  size(): number {
    return 1;
  }

  async version(): Promise<string> {
    return `${await this.options.cli.version()} (sbatch)`;
  }

  async stop(mode: StopMode): Promise<void> {
    this.stopping = true;
    if (mode === 'leave-jobs') {
      for (const job of this.jobs.values()) {
        if (job.timer !== null) {
          clearTimeout(job.timer);
        }
      }
      await this.loop.halt();
      this.jobs.clear();
      return;
    }
    await Promise.all([...this.jobs.values()].map((job) => this.end(job, 'cancel', 'jobgate service stopped').catch(() => undefined)));
    // Slurm ends them within KillWait; record how they ended while there is time.
    const deadline = Date.now() + 20_000;
    while (this.jobs.size > 0 && Date.now() < deadline) {
      await this.poll();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    this.loop.clearTimer();
    for (const job of this.jobs.values()) {
      if (job.timer !== null) {
        clearTimeout(job.timer);
      }
    }
    this.jobs.clear();
  }
}
