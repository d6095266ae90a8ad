/**
 * Every local task runs under a tiny POSIX sh wrapper that records the task's exit status in
 * a file when it ends, so the status survives a jobgate crash or restart (the tasks are
 * detached and keep running). The command itself is passed as positional parameters ("$@"):
 * it is never parsed by the shell. The wrapper catches HUP/INT/TERM only to outlive the task
 * it waits for; caught signals are reset to default in the task, so the task sees them as usual.
 * A task killed by signal N reports 128+N, as a shell (and Flux's job shell) does.
 *
 * Before running the command the wrapper writes its pid to `<status file>.pid`: a jobgate killed
 * between starting a task and storing that it did finds the mark at its next start and picks
 * the task up instead of starting the job a second time (launch-marks.ts).
 */
export const WRAPPER_SHELL = '/bin/sh';

const WRAPPER_SCRIPT = [
  'jobgate_status=$1; shift',
  "trap 'jobgate_signalled=1' HUP INT TERM",
  "printf '%s\\n' \"$$\" > \"$jobgate_status.pid\"",
  '"$@"',
  'jobgate_rc=$?',
  "printf '%s\\n' \"$jobgate_rc\" > \"$jobgate_status\"",
  'exit "$jobgate_rc"',
].join('\n');

/** Where a task's wrapper marks that it started (its pid), beside the status file. */
export function launchMarkPath(statusFile: string): string {
  return `${statusFile}.pid`;
}

export function wrapperArgs(statusFile: string, command: string[]): string[] {
  return ['-c', WRAPPER_SCRIPT, 'jobgate-task', statusFile, ...command];
}
