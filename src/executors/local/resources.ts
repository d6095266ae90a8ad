/** Cores and GPUs of this machine, handed out by index so a job's allocation can be shown. */
export class ResourcePool {
  private readonly free: boolean[];

  constructor(readonly total: number) {
    this.free = Array.from({ length: total }, () => true);
  }

  get busy(): number {
    return this.free.filter((isFree) => !isFree).length;
  }

  /** Takes `count` items (lowest indexes first), or returns null when they are not free. */
  take(count: number): number[] | null {
    const picked: number[] = [];
    for (let index = 0; index < this.total && picked.length < count; index += 1) {
      if (this.free[index]) {
        picked.push(index);
      }
    }
    if (picked.length < count) {
      return null;
    }
    for (const index of picked) {
      this.free[index] = false;
    }
    return picked;
  }

  /** Marks specific items busy again (a job re-attached after a restart). */
  claim(indexes: number[]): void {
    for (const index of indexes) {
      if (index >= 0 && index < this.total) {
        this.free[index] = false;
      }
    }
  }

  release(indexes: number[]): void {
    for (const index of indexes) {
      if (index >= 0 && index < this.total) {
        this.free[index] = true;
      }
    }
  }
}

/** "0-3,5" style idset, as Flux writes ranks and core lists. */
export function formatIdset(indexes: number[]): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] ?? 0) + 1) {
      end += 1;
    }
    parts.push(start === end ? `${sorted[start]}` : `${sorted[start]}-${sorted[end]}`);
    start = end + 1;
  }
  return parts.join(',');
}
