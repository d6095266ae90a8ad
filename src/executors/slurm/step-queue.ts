/**
 * Jobs waiting in jobgate for CPUs of the allocation: ordered by urgency, then submit order;
 * urgency 0 holds a job. The head goes first or nobody does, so a big job is not starved by
 * small ones behind it (as in the local executor).
 */
import type { JobId } from '../../model/job-id.js';
import type { JobSpec } from '../../model/job.js';
import type { AllocationNode } from './allocation.js';

export interface Queued {
  id: JobId;
  urgency: number;
  /** CPUs of the allocation the job takes while it runs. */
  cpus: number;
}

/** An exclusive step takes whole nodes; any other its tasks' CPUs (0 when the allocation is unknown). */
export function cpusFor(spec: JobSpec, nodes: readonly AllocationNode[]): number {
  const total = nodes.reduce((sum, node) => sum + node.cpus, 0);
  if (total === 0) {
    return 0;
  }
  if (spec.exclusive) {
    const perNode = Math.max(...nodes.map((node) => node.cpus));
    return Math.min(total, (spec.numNodes ?? 1) * perNode);
  }
  return Math.min(total, spec.numTasks * spec.coresPerTask);
}

export class StepQueue<T extends Queued> {
  private readonly waiting: { job: T; order: number }[] = [];
  private order = 0;

  get size(): number {
    return this.waiting.length;
  }

  jobs(): T[] {
    return this.waiting.map((entry) => entry.job);
  }

  add(job: T): void {
    this.waiting.push({ job, order: this.order++ });
    this.waiting.sort((a, b) => b.job.urgency - a.job.urgency || a.order - b.order);
  }

  find(id: JobId): T | undefined {
    return this.waiting.find((entry) => entry.job.id === id)?.job;
  }

  remove(id: JobId): T | undefined {
    const index = this.waiting.findIndex((entry) => entry.job.id === id);
    return index < 0 ? undefined : this.waiting.splice(index, 1)[0]?.job;
  }

  /** Changes a waiting job's urgency (0 holds it) and its place. */
  setUrgency(id: JobId, urgency: number): T | undefined {
    const job = this.find(id);
    if (job !== undefined) {
      job.urgency = urgency;
      this.waiting.sort((a, b) => b.job.urgency - a.job.urgency || a.order - b.order);
    }
    return job;
  }

  /** The head, if it is not held and fits in `freeCpus`. */
  peek(freeCpus: number): T | undefined {
    const head = this.waiting[0]?.job;
    return head === undefined || head.urgency === 0 || head.cpus > freeCpus ? undefined : head;
  }

  /** Takes the head, if it is not held and fits in `freeCpus`. */
  take(freeCpus: number): T | undefined {
    const head = this.peek(freeCpus);
    if (head !== undefined) {
      this.waiting.shift();
    }
    return head;
  }
}
