/**
 * What every executor keeps of the service: the sink it reports to, handed over by start()
 * (a report before that is a programming error, said loudly), and its clock in epoch seconds
 * (tests pass their own millisecond clock).
 */
import type { ExecutorSink } from './types.js';

export class SinkSlot {
  private current: ExecutorSink | null = null;

  constructor(private readonly executor: string) {}

  set(sink: ExecutorSink): void {
    this.current = sink;
  }

  get sink(): ExecutorSink {
    if (this.current === null) {
      throw new Error(`${this.executor} executor used before start()`);
    }
    return this.current;
  }
}

/** Now, in epoch seconds, from `clockMs` (milliseconds, Date.now unless given). */
export function epochSeconds(clockMs: (() => number) | undefined): number {
  return (clockMs ?? Date.now)() / 1000;
}
