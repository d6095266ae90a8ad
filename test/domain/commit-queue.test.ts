/** Group commit: one transaction per turn, savepoints per item, answers only after the commit. */
import test from 'ava';
import { CommitQueue } from '../../src/domain/commit-queue.js';

/** A store that logs writes and commits, with nested calls acting as savepoints. */
function fakeStore(): { transaction: <T>(work: () => T) => T; committed: string[][]; write: (value: string) => void; failNextCommit: () => void } {
  const committed: string[][] = [];
  let open: string[] | null = null;
  let failCommit = false;
  return {
    committed,
    write: (value) => open?.push(value),
    failNextCommit: () => {
      failCommit = true;
    },
    transaction: <T>(work: () => T): T => {
      if (open !== null) {
        const mark = open.length;
        try {
          return work();
        } catch (error: unknown) {
          open.length = mark;
          throw error;
        }
      }
      open = [];
      try {
        const result = work();
        if (failCommit) {
          failCommit = false;
          throw new Error('disk full');
        }
        committed.push(open);
        return result;
      } finally {
        open = null;
      }
    },
  };
}

test('work queued in one turn shares one commit, and answers come after it', async (t) => {
  const store = fakeStore();
  const queue = new CommitQueue(store.transaction);
  const seen: string[] = [];
  const results = await Promise.all(['a', 'b', 'c'].map((value) => queue.run(() => {
    store.write(value);
    seen.push(`committed before answer: ${store.committed.length}`);
    return value.toUpperCase();
  })));
  t.deepEqual(results, ['A', 'B', 'C']);
  t.deepEqual(store.committed, [['a', 'b', 'c']]);
  t.deepEqual(seen, ['committed before answer: 0', 'committed before answer: 0', 'committed before answer: 0']);
});

test('a failing item rolls back alone; a failing commit fails every item', async (t) => {
  const store = fakeStore();
  const queue = new CommitQueue(store.transaction);
  const outcomes = await Promise.allSettled([
    queue.run(() => store.write('kept')),
    queue.run(() => {
      store.write('dropped');
      throw new Error('refused');
    }),
    queue.run(() => store.write('also kept')),
  ]);
  t.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.deepEqual(store.committed, [['kept', 'also kept']]);
  store.failNextCommit();
  const failed = await Promise.allSettled([queue.run(() => store.write('x')), queue.run(() => store.write('y'))]);
  t.deepEqual(failed.map((outcome) => outcome.status), ['rejected', 'rejected']);
  t.is(store.committed.length, 1);
});

test('flush commits at once (before the store closes)', (t) => {
  const store = fakeStore();
  const queue = new CommitQueue(store.transaction);
  void queue.run(() => store.write('now'));
  queue.flush();
  t.deepEqual(store.committed, [['now']]);
});
