import test from 'ava';
import { WaitQueue, type Waiting } from '../../src/executors/wait-queue.js';

interface Job extends Waiting {
  cpus: number;
}

function queueOf(...jobs: [number, number][]): WaitQueue<Job> {
  const queue = new WaitQueue<Job>();
  for (const [id, urgency] of jobs) {
    queue.add({ id: BigInt(id), urgency, cpus: 1 });
  }
  return queue;
}

const ids = (queue: WaitQueue<Job>): bigint[] => queue.jobs().map((job) => job.id);

test('urgency first, then the order jobs joined the queue', (t) => {
  const queue = queueOf([1, 16], [2, 16], [3, 31], [4, 0], [5, 16], [6, 31]);
  t.deepEqual(ids(queue), [3n, 6n, 1n, 2n, 5n, 4n]);
  t.is(queue.next()?.id, 3n);
  t.is(queue.size, 6);
});

test('a new urgency moves a job but keeps its place among equals: it was submitted before them', (t) => {
  const queue = queueOf([1, 16], [2, 16], [3, 10]);
  t.is(queue.setUrgency(3n, 16)?.id, 3n);
  t.deepEqual(ids(queue), [1n, 2n, 3n], 'submitted last, it goes last among urgency 16');
  queue.setUrgency(1n, 10);
  queue.setUrgency(1n, 16);
  t.deepEqual(ids(queue), [1n, 2n, 3n], 'back to 16, job 1 is first again');
  t.is(queue.setUrgency(9n, 16), undefined, 'a job that does not wait here');
});

test('a held head holds everyone: urgency 0 sorts last, so only held jobs remain behind it', (t) => {
  const queue = queueOf([1, 0]);
  t.is(queue.next(), undefined);
  queue.add({ id: 2n, urgency: 1, cpus: 1 });
  t.is(queue.next()?.id, 2n);
  queue.setUrgency(2n, 0);
  t.is(queue.next(), undefined);
  queue.setUrgency(1n, 16);
  t.is(queue.next()?.id, 1n);
});

test('find and remove by id, anywhere in the queue', (t) => {
  const queue = queueOf([1, 16], [2, 16], [3, 16]);
  t.is(queue.find(2n)?.id, 2n);
  t.is(queue.remove(2n)?.id, 2n);
  t.is(queue.remove(2n), undefined);
  t.is(queue.find(2n), undefined);
  t.deepEqual(ids(queue), [1n, 3n]);
  t.is(queue.remove(1n)?.id, 1n);
  t.is(queue.next()?.id, 3n);
});

test('many jobs of mixed urgency come out as a stable sort would put them', (t) => {
  const queue = new WaitQueue<Job>();
  const added: Job[] = [];
  for (let index = 0; index < 200; index += 1) {
    const job = { id: BigInt(index), urgency: (index * 7) % 5, cpus: 1 };
    added.push(job);
    queue.add(job);
  }
  const expected = [...added].sort((a, b) => b.urgency - a.urgency).map((job) => job.id);
  t.deepEqual(ids(queue), expected);
});
