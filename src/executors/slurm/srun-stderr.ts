/**
 * Reads what `srun -v` writes on stderr. jobgate runs srun verbose because that is where srun
 * says which step it created (the id `scancel` needs), where its tasks run, when they started,
 * and each task's raw wait status. Those lines are srun's own chatter, not the job's output:
 * they are taken out, and everything else (the tasks' stderr, srun's errors and warnings,
 * slurmstepd's messages) goes on to the job's stderr unchanged.
 *
 * srun forwards task output line by line, so working on whole lines never delays output; a
 * last line without a newline is handed over by `end()`.
 */

export interface StepHost {
  host: string;
  tasks: number;
}

/** srun's verbose-only lines: its option table, allocation summary and plugin messages. */
const CHATTER = [
  /^srun: (defined options|end of defined options)$/,
  /^srun: -{4,}/,
  /^srun: [\w-]+ +: /,
  /^srun: jobid \d+: nodes\(/,
  /^srun: launching StepId=/,
  /^srun: [a-z_]+\/[a-z_0-9]+: /,
  /^srun: Complete StepId=/,
  /^srun: Job \d+ step creation (temporarily|still) disabled/,
  /^srun: Step created for /,
];

const LAUNCHING = /^srun: launching StepId=(\d+\.\d+) on host (\S+), (\d+) tasks?:/;
const TASK_START = /^srun: launch\/\w+: _task_start: Node \S+, \d+ tasks? started/;
const TASK_EXIT = /_task_finish: Received task exit notification for (\d+) tasks? of StepId=\S+ \(status=0x([0-9a-fA-F]+)\)/;
const WAITING = /^srun: Job \d+ step creation (temporarily|still) disabled/;
const TIME_LIMIT = /\*\*\* STEP \S+ ON \S+ CANCELLED AT \S+ DUE TO TIME LIMIT \*\*\*/;
const ERROR = /^srun: error: (.*)$/;

export interface SrunListener {
  /** The step exists (id "JOBID.STEPID") and is being launched on these hosts. */
  launching?(stepId: string, hosts: StepHost[]): void;
  /** The first tasks started. */
  started?(): void;
  /** The step waits for resources inside the allocation. */
  waiting?(): void;
  /** Slurm killed the step at its time limit. */
  timeLimit?(line: string): void;
}

export class SrunStderr {
  stepId: string | null = null;
  readonly hosts: StepHost[] = [];
  /** Raw wait statuses as srun reported them, one per task. */
  readonly statuses: number[] = [];
  /** `srun: error:` messages seen before the step was launched (why it could not be). */
  readonly errors: string[] = [];
  private partial = '';

  constructor(private readonly listener: SrunListener = {}) {}

  /** Takes a chunk of srun's stderr; returns the bytes that belong to the job's stderr. */
  push(chunk: Buffer): Buffer {
    const text = this.partial + chunk.toString('latin1');
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.partial = text;
      return Buffer.alloc(0);
    }
    this.partial = text.slice(end + 1);
    return this.filter(text.slice(0, end + 1));
  }

  /** srun has exited: whatever is left is the job's. */
  end(): Buffer {
    const rest = this.partial;
    this.partial = '';
    return rest === '' ? Buffer.alloc(0) : this.filter(rest);
  }

  /** latin1 keeps bytes 1:1, so the job's non-UTF-8 output survives unchanged. */
  private filter(text: string): Buffer {
    const kept: string[] = [];
    for (const line of text.split(/(?<=\n)/)) {
      if (!this.consume(line.endsWith('\n') ? line.slice(0, -1) : line)) {
        kept.push(line);
      }
    }
    return Buffer.from(kept.join(''), 'latin1');
  }

  /** Learns from one line; true when the line is srun chatter to leave out. */
  private consume(line: string): boolean {
    const launching = LAUNCHING.exec(line);
    if (launching !== null && launching[1] !== undefined && launching[2] !== undefined) {
      const first = this.stepId === null;
      this.stepId = launching[1];
      this.hosts.push({ host: launching[2], tasks: Number.parseInt(launching[3] ?? '1', 10) });
      if (first) {
        this.listener.launching?.(this.stepId, this.hosts);
      }
      return true;
    }
    if (TASK_START.test(line)) {
      this.listener.started?.();
      return true;
    }
    const exit = TASK_EXIT.exec(line);
    if (exit !== null) {
      const count = Number.parseInt(exit[1] ?? '1', 10);
      const status = Number.parseInt(exit[2] ?? '0', 16);
      for (let index = 0; index < count; index += 1) {
        this.statuses.push(status);
      }
      return true;
    }
    if (WAITING.test(line)) {
      this.listener.waiting?.();
      return true;
    }
    if (TIME_LIMIT.test(line)) {
      this.listener.timeLimit?.(line);
      return false;
    }
    const error = ERROR.exec(line);
    if (error !== null && this.stepId === null && error[1] !== undefined) {
      this.errors.push(error[1]);
      return false;
    }
    return CHATTER.some((pattern) => pattern.test(line));
  }
}

/** Flux's job status: the highest task exit (signals count as 128+N), as a raw wait status. */
export function combineWaitStatuses(statuses: number[]): number | null {
  let best: number | null = null;
  let bestRank = -1;
  for (const status of statuses) {
    const signal = status & 0x7f;
    const rank = signal !== 0 ? 128 + signal : (status >> 8) & 0xff;
    if (rank >= bestRank) {
      bestRank = rank;
      best = status;
    }
  }
  return best;
}
