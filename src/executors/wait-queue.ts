/**
 * Jobs waiting in jobgate for resources (the local executor's cores, the CPUs of a Slurm
 * allocation), in start order: urgency first, then the order they joined the queue. Urgency 0
 * holds a job; it sorts last, so a held head means every job waits. The head goes first or
 * nobody does, so a big job is not starved by small ones behind it.
 */
import type { JobId } from '../model/job-id.js';

export interface Waiting {
  id: JobId;
  urgency: number;
}

interface Entry<T> {
  job: T;
  /** When the job joined the queue; a new urgency keeps it, so equal urgencies stay in submit order. */
  order: number;
}

export class WaitQueue<T extends Waiting> {
  private readonly waiting: Entry<T>[] = [];
  private order = 0;

  get size(): number {
    return this.waiting.length;
  }

  jobs(): T[] {
    return this.waiting.map((entry) => entry.job);
  }

  add(job: T): void {
    this.insert({ job, order: this.order++ });
  }

  find(id: JobId): T | undefined {
    return this.waiting.find((entry) => entry.job.id === id)?.job;
  }

  remove(id: JobId): T | undefined {
    const index = this.waiting.findIndex((entry) => entry.job.id === id);
    return index < 0 ? undefined : this.waiting.splice(index, 1)[0]?.job;
  }

  /** Changes a waiting job's urgency (0 holds it) and its place; undefined when it does not wait here. */
  setUrgency(id: JobId, urgency: number): T | undefined {
    const index = this.waiting.findIndex((entry) => entry.job.id === id);
    const entry = index < 0 ? undefined : this.waiting.splice(index, 1)[0];
    if (entry === undefined) {
      return undefined;
    }
    entry.job.urgency = urgency;
    this.insert(entry);
    return entry.job;
  }

  /** The job to start next: the head, unless it is held. */
  next(): T | undefined {
    const head = this.waiting[0]?.job;
    return head === undefined || head.urgency === 0 ? undefined : head;
  }

  /** Binary insertion: thousands of waiting jobs are not re-sorted on every submit. */
  private insert(entry: Entry<T>): void {
    let low = 0;
    let high = this.waiting.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const other = this.waiting[middle];
      if (other !== undefined && (other.job.urgency > entry.job.urgency || (other.job.urgency === entry.job.urgency && other.order < entry.order))) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    this.waiting.splice(low, 0, entry);
  }
}
