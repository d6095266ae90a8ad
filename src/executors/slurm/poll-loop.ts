/**
 * When the batch executor asks Slurm for its jobs' states: soon after a change (a kick), fast
 * while new jobs are starting, at the normal pace otherwise, and never so often that polling
 * costs more than a fifth of the time. One poll at a time: a poll asked for while one runs is
 * folded into a single follow-up.
 */

/** A poll shortly after a submit or cancel shows the change without waiting a whole interval. */
export const KICK_MS = 250;
/**
 * `squeue --json` costs real CPU (about 0.1 s for a few hundred jobs in Slurm 22.05, client and
 * controller together): the interval is kept at least this many times its last duration.
 */
const COST_FACTOR = 5;

export interface PollLoopOptions {
  /** One pass over the jobs; resolves when it is done (it reports its own failures). */
  pass: () => Promise<void>;
  /** Whether there is anything to poll for. */
  active: () => boolean;
  /** Whether recently submitted jobs want the fast pace (their start should show at once). */
  fast: () => boolean;
  /** False once the executor stops and has no jobs left. */
  mayKick: () => boolean;
  intervalMs: number;
}

export class PollLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private lastPassMs = 0;

  constructor(private readonly options: PollLoopOptions) {}

  /** Polls soon (once), unless a poll is already due sooner. */
  kick(delay = KICK_MS): void {
    if (!this.options.mayKick()) {
      return;
    }
    this.clearTimer();
    this.timer = setTimeout(() => void this.poll(), delay);
  }

  /** Polls now, or joins the poll under way (and asks for one more after it). */
  poll(): Promise<void> {
    this.clearTimer();
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    const began = Date.now();
    this.running = this.options.pass().finally(() => {
      this.lastPassMs = Date.now() - began;
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick(0);
      } else {
        this.schedule();
      }
    });
    return this.running;
  }

  /** No further polls; resolves once the one under way (if any) is done. */
  async halt(): Promise<void> {
    this.clearTimer();
    await this.running;
  }

  clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private schedule(): void {
    if (this.timer === null && this.options.active()) {
      const interval = Math.max(this.options.fast() ? KICK_MS : this.options.intervalMs, this.lastPassMs * COST_FACTOR);
      this.timer = setTimeout(() => void this.poll(), interval);
    }
  }
}
