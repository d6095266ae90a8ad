/**
 * Group commit for the store: work queued during one turn of the event loop runs in one
 * transaction, so one disk flush covers every insert and state change that arrived together.
 *
 * The store commits with synchronous=FULL: each commit waits for the disk (a few hundred µs on
 * NVMe, ~5 ms on a virtual disk) and, better-sqlite3 being synchronous, holds the event loop
 * meanwhile. A backend reporting a burst of events (the Flux journal delivers many per read)
 * or many clients submitting at once would otherwise pay one flush each.
 *
 * Each item runs in a savepoint of its own, so a failing item rolls back alone. A caller hears
 * of its item's result only once the transaction has committed: nothing is announced or
 * answered before it is on disk.
 *
 * Some errors (SQLITE_FULL, SQLITE_IOERR) make SQLite roll the whole transaction back by
 * itself: then every item of the batch failed, those before too, and the items after must not
 * run at all (each would otherwise commit on its own, outside the batch, while its caller is
 * told it failed).
 */

interface Item {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class CommitQueue {
  private items: Item[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  constructor(
    private readonly transaction: <T>(work: () => T) => T,
    /** Whether the batch's transaction is still open (SQLite may end it on an error). */
    private readonly inTransaction: () => boolean = () => true,
  ) {}

  /** Queues `work` for the next group commit; resolves with its result after the commit. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.items.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= this.schedule();
    });
  }

  /**
   * The next commit: at the end of this turn of the event loop. Under load that already
   * batches: while one commit waits for the disk (synchronously), requests pile up in the
   * sockets and are all read in the next turn, so they share the next commit. Waiting on
   * purpose would only slow a lone client down.
   */
  private schedule(): NodeJS.Immediate {
    return setImmediate(() => this.flush());
  }

  /** Commits what is queued now (used before the store closes). */
  flush(): void {
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
    }
    this.scheduled = null;
    const batch = this.items.splice(0);
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
            if (!this.inTransaction()) {
              // Rolled back whole: stop here, nothing of this batch is kept.
              throw error;
            }
          }
        }
      });
    } catch (error: unknown) {
      // The batch is not on disk: every item failed, with the store's own reason.
      for (const item of batch) {
        item.reject(error);
      }
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok === true) {
        item.resolve(outcome.value);
      } else {
        item.reject(outcome?.error);
      }
    });
  }
}
