/**
 * Group commit: every write queued during one turn of the event loop runs in one transaction,
 * so many concurrent submits and a burst of job events cost one fsync instead of one each.
 * Each write runs in its own savepoint (one failing write does not undo the others), and its
 * promise settles only after the commit — nobody is told of a change before it is on disk.
 */
type Transaction = <T>(work: () => T) => T;

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly transaction: Transaction) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now (used when stopping). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) {
      return;
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: this.transaction(item.work) });
          } catch (error: unknown) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error: unknown) {
      for (const item of batch) {
        item.reject(error);
      }
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) {
        item.resolve(outcome.value);
      } else {
        item.reject(outcome?.error);
      }
    });
  }
}
