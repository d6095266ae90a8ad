/**
 * Starting one job's tasks on this machine: why a job cannot start at all (its working
 * directory or program is missing: Flux reports that as an `exec` exception, status 127 or
 * 126), and the spawn of one task under its wrapper, writing straight to the job's output
 * files (or through a terminal).
 */
import fs from 'node:fs';
import type { ExitInfo } from '../process.js';
import { processStartTicks, spawnDetached, spawnTerminal } from '../process.js';
import { resolveExecutable } from '../resolve-executable.js';
import { clearLaunchMark, statusFileOf } from './launch-marks.js';
import { taskEnv, type QueuedJob, type RunningJob, type RunningTask } from './running-job.js';
import { WRAPPER_SHELL, wrapperArgs } from './task-wrapper.js';

export interface StartRefusal {
  reason: string;
  /** The exit code Flux gives such a job (127: not found, 126: not executable). */
  code: number;
}

/** Why the job's tasks cannot be started in `cwd`, or null when they can. */
export function startRefusal(job: QueuedJob, cwd: string): StartRefusal | null {
  try {
    if (!fs.statSync(cwd).isDirectory()) {
      return { reason: `Could not change dir to ${cwd}: Not a directory`, code: 127 };
    }
  } catch {
    return { reason: `Could not change dir to ${cwd}: No such file or directory`, code: 127 };
  }
  const argv0 = job.spec.command[0] ?? '';
  const resolution = resolveExecutable(argv0, job.env.PATH ?? '', cwd);
  return resolution.ok ? null : { reason: `${argv0}: ${resolution.reason}`, code: resolution.code };
}

/** Spawns task `rank` of a job; `exited` hears how its wrapper ended. */
export function spawnTask(job: QueuedJob, running: RunningJob, rank: number, cwd: string, exited: (task: RunningTask, exit: ExitInfo) => void): RunningTask {
  const statusFile = statusFileOf(running.statusDir, rank);
  clearLaunchMark(statusFile);
  const args = wrapperArgs(statusFile, job.spec.command);
  const env = taskEnv(job, running, rank);
  let spawned;
  if (job.spec.tty) {
    spawned = spawnTerminal({ file: WRAPPER_SHELL, args, env, cwd, onData: (data) => job.output.append('stdout', data) });
  } else {
    const stdoutFd = fs.openSync(job.output.paths.stdout, 'a');
    const stderrFd = fs.openSync(job.output.paths.stderr, 'a');
    try {
      spawned = spawnDetached({ file: WRAPPER_SHELL, args, env, cwd, stdoutFd, stderrFd });
    } finally {
      fs.closeSync(stdoutFd);
      fs.closeSync(stderrFd);
    }
  }
  const task: RunningTask = { rank, pid: spawned.pid, start: processStartTicks(spawned.pid), exit: null, release: spawned.release };
  spawned.exited.then(
    (exit) => exited(task, exit),
    () => exited(task, { code: null, signal: 9 }),
  );
  return task;
}
