/**
 * What every executor keeps of the service: the sink it reports to, handed over by start()
 * (a report before that is a programming error, said loudly), the end-of-job burst every
 * executor that runs jobs itself reports the same way, and its clock in epoch seconds (tests
 * pass their own millisecond clock).
 */
import type { JobId } from '../model/job-id.js';
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

  /**
   * The burst that ends a job which held resources, in Flux's order and at one time `t`:
   * finish (left out when the status is unknown, e.g. tasks whose exit was not recorded),
   * release, free, clean. The domain closes the job's output at clean, so it comes last.
   */
  reportEnd(id: JobId, t: number, status: number | null): void {
    const sink = this.sink;
    if (status !== null) {
      sink.event({ id, t, name: 'finish', status });
    }
    sink.event({ id, t, name: 'release' });
    sink.event({ id, t, name: 'free' });
    sink.event({ id, t, name: 'clean' });
  }
}

/** Now, in epoch seconds, from `clockMs` (milliseconds, Date.now unless given). */
export function epochSeconds(clockMs: (() => number) | undefined): number {
  return (clockMs ?? Date.now)() / 1000;
}
