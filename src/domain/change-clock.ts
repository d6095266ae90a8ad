/**
 * When anything a client can read last changed (a job event, a tag, a template...), for
 * Last-Modified. One clock for everything is coarse (a change to one job makes every listing
 * "modified") but never wrong, which is what a validator must be. It starts at process start,
 * so a restart counts as a change.
 */
export class ChangeClock {
  private last: number;

  constructor(private readonly now: () => number) {
    this.last = now();
  }

  touch(): void {
    this.last = this.now();
  }

  /** Epoch seconds of the last change. */
  get lastChange(): number {
    return this.last;
  }
}
