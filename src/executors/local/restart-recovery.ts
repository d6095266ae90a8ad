/**
 * The local executor after a restart: picking up the jobs an earlier jobgate left running.
 *
 * Their tasks are not this jobgate's children any more, so nothing tells when they end: they
 * are polled (pid + start time, under the same boot), and the status each wrapper wrote in the
 * job folder says how a task ended. A job the store still has queued although its wrappers
 * marked their start (jobgate was killed between spawning and recording) is picked up too,
 * never started twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobId } from '../../model/job-id.js';
import type { LiveOutput } from '../../output/live-output.js';
import type { ActiveJob } from '../types.js';
import type { SinkSlot } from '../sink-slot.js';
import { isProcessAlive, processStartTicks, type ExitInfo } from '../process.js';
import type { ResourcePool } from './resources.js';
import { decodeLocalRef, encodeLocalRef } from './task-ref.js';
import type { MarkedTask } from './launch-marks.js';
import { combineStatus, coresNeeded, localRefOf, runningJob, type RunningJob, type RunningTask } from './running-job.js';

/** What recovery needs of the executor it works for. */
export interface RecoveryHost {
  reporter: SinkSlot;
  cores: ResourcePool;
  gpus: ResourcePool;
  hostname: string;
  boot: string;
  running: Map<JobId, RunningJob>;
  pollMs: number;
  now(): number;
  finish(running: RunningJob, waitstatus: number | null): void;
  terminate(running: RunningJob): void;
  expire(running: RunningJob, limit: number): void;
  raiseLost(running: RunningJob, note: string): void;
}

const UNKNOWN_EXIT: ExitInfo = { code: null, signal: null };

/** How a task ended, from the status its wrapper wrote; null when it wrote none. */
function readStatus(running: RunningJob, rank: number): ExitInfo | null {
  try {
    const text = fs.readFileSync(path.join(running.statusDir, `status.${rank}`), 'utf8').trim();
    const code = Number.parseInt(text, 10);
    return Number.isInteger(code) ? { code, signal: null } : null;
  } catch {
    return null;
  }
}

/** Whether a task runs still: its pid lives and is the same process (same start time). */
function stillRuns(task: { pid: number; start: string | null }): boolean {
  return isProcessAlive(task.pid) && (task.start === null || processStartTicks(task.pid) === task.start);
}

export class RestartRecovery {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: RecoveryHost) {}

  /** Whether re-attached jobs are being polled (a stop polls them itself otherwise). */
  get polling(): boolean {
    return this.timer !== null;
  }

  /** Picks up a job that was running when jobgate stopped. */
  reattach(job: ActiveJob): void {
    const host = this.host;
    const ref = decodeLocalRef(job.backendRef);
    const running = runningJob(job.id, ref?.cores ?? [], ref?.gpus ?? [], job.output.paths.dir, true);
    if (ref === null) {
      host.running.set(job.id, running);
      host.reporter.sink.event({ id: job.id, t: host.now(), name: 'exception', type: 'lost', severity: 0, note: 'jobgate stopped while this job was starting; its processes are unknown' });
      host.finish(running, null);
      return;
    }
    const sameBoot = ref.boot === host.boot;
    for (const task of ref.tasks) {
      const alive = sameBoot && stillRuns(task);
      running.tasks.push({ rank: task.rank, pid: task.pid, start: task.start, exit: alive ? null : readStatus(running, task.rank) });
    }
    host.cores.claim(running.cores);
    host.gpus.claim(running.gpus);
    host.running.set(job.id, running);
    // In CLEANUP the time limit no longer applies.
    this.watch(running, job.output, ref.tty, job.state === 'RUN' ? job.spec.runtime : 0, job.tRun);
  }

  /**
   * Picks up a job whose tasks started (their wrappers marked it) although the store still
   * has it queued: jobgate was killed before it could record the start. It is never started
   * twice; a job only some of whose tasks started cannot go on and is ended.
   */
  adoptLaunched(job: ActiveJob, marks: MarkedTask[]): void {
    const host = this.host;
    const sink = host.reporter.sink;
    const need = coresNeeded(job.spec, host.cores.total);
    // Its cores were handed out by the jobgate that died; take them again if they are free.
    const cores = host.cores.take(need) ?? [];
    const gpus = host.gpus.take(job.spec.numTasks * job.spec.gpusPerTask) ?? [];
    const t = Math.min(...marks.map((mark) => mark.t));
    sink.event({ id: job.id, t, name: 'alloc', ranks: '0', nodelist: host.hostname, nnodes: 1, ncores: need, ...(job.spec.runtime > 0 ? { expiration: t + job.spec.runtime } : {}) });
    const running = runningJob(job.id, cores, gpus, job.output.paths.dir, true);
    for (const mark of marks) {
      running.tasks.push({ rank: mark.rank, pid: mark.pid, start: mark.start, exit: mark.alive ? null : (readStatus(running, mark.rank) ?? UNKNOWN_EXIT) });
    }
    host.running.set(job.id, running);
    sink.backendRef(job.id, encodeLocalRef(localRefOf(host.boot, running, job.spec.tty)));
    sink.event({ id: job.id, t, name: 'start' });
    sink.log('info', 'a job started just before jobgate stopped was picked up, not started again', { job: job.id.toString(), tasks: marks.length });
    if (marks.length < job.spec.numTasks) {
      running.ending = 'lost';
      host.raiseLost(running, `jobgate stopped while starting this job: ${marks.length} of its ${job.spec.numTasks} tasks started; they were ended`);
      host.terminate(running);
    }
    this.watch(running, job.output, job.spec.tty, running.ending === null ? job.spec.runtime : 0, t);
  }

  /** Output, the time limit and the exit of a job whose tasks are not this jobgate's children. */
  private watch(running: RunningJob, output: LiveOutput, tty: boolean, runtime: number, tRun: number | null): void {
    const host = this.host;
    if (tty) {
      // The terminal's other end died with the previous jobgate; nothing more can be read.
      output.catchUp();
    } else {
      output.track();
    }
    if (runtime > 0) {
      const elapsed = Math.max(0, (host.now() - (tRun ?? host.now())) * 1000);
      running.timers.push(setTimeout(() => host.expire(running, runtime), Math.max(0, runtime * 1000 - elapsed)));
    }
    this.check(running);
    if (!running.finished && this.timer === null) {
      this.timer = setInterval(() => this.poll(), host.pollMs);
      this.timer.unref();
    }
  }

  /** Looks at every re-attached job's tasks once; the polling ends with the last such job. */
  poll(): void {
    let any = false;
    for (const running of this.host.running.values()) {
      if (running.reattached && !running.finished) {
        any = true;
        for (const task of running.tasks) {
          this.notice(running, task);
        }
        this.check(running);
      }
    }
    if (!any) {
      this.stop();
    }
  }

  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private notice(running: RunningJob, task: RunningTask): void {
    if (task.exit === null && !stillRuns(task)) {
      task.exit = readStatus(running, task.rank) ?? UNKNOWN_EXIT;
    }
  }

  /** Ends a re-attached job once none of its tasks runs; tasks whose status was lost make it a failure. */
  private check(running: RunningJob): void {
    if (running.finished || running.tasks.some((task) => task.exit === null)) {
      return;
    }
    const exits = running.tasks.map((task) => task.exit ?? UNKNOWN_EXIT);
    const unknown = exits.filter((exit) => exit.code === null && exit.signal === null).length;
    if (unknown > 0 || running.tasks.length === 0) {
      this.host.raiseLost(running, `jobgate was restarted and ${unknown || 'all'} task(s) of this job ended without recording an exit status`);
      const known = exits.filter((exit) => exit.code !== null || exit.signal !== null);
      this.host.finish(running, known.length > 0 ? combineStatus(known) : null);
      return;
    }
    this.host.finish(running, combineStatus(exits));
  }
}
