/**
 * A jobgate under test as a real child process (`bin/jobgate serve`): its own pid, so the
 * suite can read its memory (RSS from /proc), send it signals and SIGKILL it, and restart it
 * on the same data directory.
 */
import fs from 'node:fs';
import { startChildServer, type ChildServer } from '../../helpers/child-server.js';
import { Client } from './http-client.js';

export interface Service {
  child: ChildServer;
  pid: number;
  url: string;
  client: Client;
  /** Resident memory now and at its peak (VmHWM), in MiB. */
  memory(): { rssMiB: number; peakMiB: number };
  /** Resolves with the exit code (null after a signal) once the process is gone. */
  exit(): Promise<number | null>;
  /** service/stop if still running, then waits for the exit. */
  close(): Promise<void>;
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? Number.NaN : Math.round((Number(match[1]) / 1024) * 10) / 10;
  } catch {
    return Number.NaN;
  }
}

export async function startService(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Service> {
  const child = await startChildServer(dataDir, args, { JOBGATE_RATE_LIMIT: 'off', ...env });
  const pid = child.process.pid;
  if (pid === undefined) {
    throw new Error('jobgate started without a pid');
  }
  const client = new Client(child.url);
  let exited: Promise<number | null> | null = null;
  const exit = (): Promise<number | null> => {
    exited ??= child.process.then((result) => (result.signal !== undefined && result.signal !== null ? null : (result.exitCode ?? null)));
    return exited;
  };
  return {
    child,
    pid,
    url: child.url,
    client,
    memory: () => ({ rssMiB: statusField(pid, 'VmRSS'), peakMiB: statusField(pid, 'VmHWM') }),
    exit,
    close: async () => {
      if (child.process.exitCode === undefined || child.process.exitCode === null) {
        const stop = await client.post('/v1/service/stop').catch(() => null);
        if (stop?.status !== 200) {
          // Refused (auth on) or unanswered: a signal stops it just as cleanly.
          child.process.kill('SIGTERM');
        }
      }
      await exit();
      client.close();
      killLeftoverTasks(dataDir);
    },
  };
}

/**
 * Ends the task process groups a stopped jobgate left running on purpose (a SIGTERM leaves
 * jobs running for the next start; with auth on, service/stop is refused and a signal is sent),
 * so no test leaves processes behind. A task's wrapper names its status file under the data dir.
 */
function killLeftoverTasks(dataDir: string): void {
  const marker = `${dataDir}/jobs/`;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) {
        process.kill(-Number(entry), 'SIGKILL');
      }
    } catch {
      // gone meanwhile, or not a group leader: its group ends with its leader's
    }
  }
}

/** Samples a process's RSS every `everyMs` until stopped; the peak and the last value, in MiB. */
export function sampleMemory(service: Pick<Service, 'memory'>, everyMs = 250): { stop(): { peakMiB: number; lastMiB: number } } {
  let peak = 0;
  let last = 0;
  const take = (): void => {
    const { rssMiB } = service.memory();
    if (Number.isFinite(rssMiB)) {
      last = rssMiB;
      peak = Math.max(peak, rssMiB);
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peakMiB: peak, lastMiB: last };
    },
  };
}
