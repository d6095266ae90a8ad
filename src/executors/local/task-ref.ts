/**
 * What the local executor remembers about a running job in the store (`backend_ref`), so a
 * restarted jobgate can tell whether the job's processes still live and pick them up again.
 */
export interface TaskRef {
  rank: number;
  pid: number;
  /** Start time in clock ticks since boot: a reused pid has another one. */
  start: string | null;
}

export interface LocalRef {
  boot: string;
  cores: number[];
  gpus: number[];
  tty: boolean;
  tasks: TaskRef[];
}

export function encodeLocalRef(ref: LocalRef): string {
  return JSON.stringify(ref);
}

export function decodeLocalRef(text: string | null): LocalRef | null {
  if (text === null) {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<LocalRef>;
    if (typeof value.boot !== 'string' || !Array.isArray(value.tasks)) {
      return null;
    }
    return {
      boot: value.boot,
      cores: Array.isArray(value.cores) ? value.cores.filter((n): n is number => typeof n === 'number') : [],
      gpus: Array.isArray(value.gpus) ? value.gpus.filter((n): n is number => typeof n === 'number') : [],
      tty: value.tty === true,
      tasks: value.tasks.filter(
        (task): task is TaskRef => typeof task === 'object' && task !== null && typeof task.pid === 'number' && typeof task.rank === 'number',
      ),
    };
  } catch {
    return null;
  }
}
