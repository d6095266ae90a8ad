/**
 * Tasks that started although the store never heard of it. The store learns that a job runs
 * (alloc, start, its processes) in the group commit after the tasks were spawned; a jobgate
 * killed in between would find the job still queued at its next start and run it a second
 * time. Each task's wrapper marks its start on disk (its pid in `status.N.pid`, written before
 * the command runs), so the next start can tell "never started" (no mark: start it) from
 * "started" (a mark: pick the task up, running or ended, and never start it again).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive, processArguments, processStartTicks } from '../process.js';
import { launchMarkPath } from './task-wrapper.js';

export interface MarkedTask {
  rank: number;
  pid: number;
  /** Start ticks of the live process (null once it has ended). */
  start: string | null;
  alive: boolean;
  /** When the wrapper wrote its mark (epoch seconds): the job's start. */
  t: number;
}

export function statusFileOf(dir: string, rank: number): string {
  return path.join(dir, `status.${rank}`);
}

/** The ranks of a job whose wrappers marked their start; empty when none started. */
export function readLaunchMarks(dir: string, numTasks: number): MarkedTask[] {
  const marked: MarkedTask[] = [];
  for (let rank = 0; rank < numTasks; rank += 1) {
    const statusFile = statusFileOf(dir, rank);
    let text: string;
    let t: number;
    try {
      const mark = launchMarkPath(statusFile);
      text = fs.readFileSync(mark, 'utf8').trim();
      t = fs.statSync(mark).mtimeMs / 1000;
    } catch {
      continue;
    }
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid) || pid <= 0) {
      continue;
    }
    // The pid is this task's only while the process runs our wrapper for this very status file.
    const alive = isProcessAlive(pid) && (processArguments(pid)?.includes(statusFile) ?? false);
    marked.push({ rank, pid, start: alive ? processStartTicks(pid) : null, alive, t });
  }
  return marked;
}

/** Forgets a task's marks before it is started (a fresh start leaves no stale mark behind). */
export function clearLaunchMark(statusFile: string): void {
  fs.rmSync(statusFile, { force: true });
  fs.rmSync(launchMarkPath(statusFile), { force: true });
}
