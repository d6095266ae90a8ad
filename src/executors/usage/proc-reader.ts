/**
 * A job's processes as /proc shows them: CPU time and resident memory, by session.
 *
 * Every local task runs in a session of its own (its wrapper is the session leader), so the
 * job's processes are those whose session id is one of its tasks' pids, however deep they fork
 * (a process that calls setsid itself escapes; cgroups would not let it). One pass reads each
 * /proc/<pid>/stat once, whatever the number of jobs: reading files, not starting programs.
 */
import fs from 'node:fs';

/** Linux reports times to user space in USER_HZ, which is 100 on every architecture it supports. */
const USER_HZ = 100;

export interface ProcStat {
  pid: number;
  ppid: number;
  session: number;
  /** utime + stime + cutime + cstime, in seconds: the process's CPU and its reaped children's. */
  cpuSeconds: number;
  rssPages: number;
  /** Clock ticks after boot the process started (with the pid, names one process for good). */
  startTicks: number;
}

/** Parses /proc/<pid>/stat; null for text that is not one (a process gone mid-read). */
export function parseProcStat(text: string): ProcStat | null {
  // The command name sits in parentheses and may itself hold spaces and parentheses.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) {
    return null;
  }
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 of proc(5) (state); field N is fields[N - 3].
  const at = (field: number): number => Number(fields[field - 3]);
  const values = [pid, at(4), at(6), at(14), at(15), at(16), at(17), at(22), at(24)];
  if (values.some((value) => !Number.isFinite(value))) {
    return null;
  }
  return {
    pid,
    ppid: at(4),
    session: at(6),
    cpuSeconds: (at(14) + at(15) + at(16) + at(17)) / USER_HZ,
    rssPages: at(24),
    startTicks: at(22),
  };
}

/** Every process /proc shows that can still be read (one stat read each). */
export function readProcesses(root = '/proc'): ProcStat[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const processes: ProcStat[] = [];
  for (const name of names) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) {
      continue;
    }
    try {
      const parsed = parseProcStat(fs.readFileSync(`${root}/${name}/stat`, 'latin1'));
      if (parsed !== null) {
        processes.push(parsed);
      }
    } catch {
      // Ended between the listing and the read.
    }
  }
  return processes;
}

function readStat(root: string, pid: number): ProcStat | null {
  try {
    return parseProcStat(fs.readFileSync(`${root}/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

/** A process's children, whichever of its threads forked them (proc(5): task/<tid>/children). */
function childrenOf(root: string, pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`${root}/${pid}/task`);
  } catch {
    return children;
  }
  for (const tid of tasks) {
    try {
      for (const word of fs.readFileSync(`${root}/${pid}/task/${tid}/children`, 'latin1').split(' ')) {
        if (word !== '') {
          children.push(Number(word));
        }
      }
    } catch {
      // The thread ended meanwhile.
    }
  }
  return children;
}

/**
 * The processes under each leader (itself included), found by walking children: a few reads
 * per process of the job instead of one per process of the machine, which is what a pass over
 * few jobs should cost. A process reparented away (a daemon's double fork) is not found this
 * way; it is by the whole-/proc pass when many jobs are sampled.
 */
export function readTrees(leaders: Iterable<number>, root = '/proc'): ProcStat[] {
  const found: ProcStat[] = [];
  const seen = new Set<number>();
  for (const leader of leaders) {
    const pending = [leader];
    for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
      if (seen.has(pid)) {
        continue;
      }
      seen.add(pid);
      const stat = readStat(root, pid);
      if (stat === null) {
        continue;
      }
      // Walked from the leader: counted as the leader's session even if it made its own.
      found.push({ ...stat, session: leader });
      pending.push(...childrenOf(root, pid));
    }
  }
  return found;
}

let cachedPageSize: number | null = null;

/**
 * The kernel's page size (stat's rss is in pages): our own VmRSS in kB against our own rss
 * in pages, rounded to a power of two. 4096 if that cannot be read.
 */
export function pageSize(root = '/proc'): number {
  if (cachedPageSize !== null) {
    return cachedPageSize;
  }
  cachedPageSize = 4096;
  try {
    const status = fs.readFileSync(`${root}/self/status`, 'latin1');
    const stat = parseProcStat(fs.readFileSync(`${root}/self/stat`, 'latin1'));
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    if (stat !== null && stat.rssPages > 0 && kb > 0) {
      cachedPageSize = 2 ** Math.round(Math.log2((kb * 1024) / stat.rssPages));
    }
  } catch {
    // Keep the common value.
  }
  return cachedPageSize;
}

export interface ProcessGroupUsage {
  cpuSeconds: number;
  rssBytes: number;
  pids: number[];
}

/** Sums the processes of each of the given sessions (session id → their usage). */
export function sumBySession(processes: readonly ProcStat[], sessions: ReadonlySet<number>, bytesPerPage: number): Map<number, ProcessGroupUsage> {
  const sums = new Map<number, ProcessGroupUsage>();
  for (const process of processes) {
    if (!sessions.has(process.session)) {
      continue;
    }
    let sum = sums.get(process.session);
    if (sum === undefined) {
      sum = { cpuSeconds: 0, rssBytes: 0, pids: [] };
      sums.set(process.session, sum);
    }
    sum.cpuSeconds += process.cpuSeconds;
    sum.rssBytes += process.rssPages * bytesPerPage;
    sum.pids.push(process.pid);
  }
  return sums;
}
