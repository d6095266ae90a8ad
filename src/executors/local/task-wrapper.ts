/**
 * Every local task runs under a tiny POSIX sh wrapper that records the task's exit status in
 * a file when it ends, so the status survives a jobgate crash or restart (the tasks are
 * detached and keep running). The command itself is passed as positional parameters ("$@"):
 * it is never parsed by the shell. The wrapper catches HUP/INT/TERM only to outlive the task
 * it waits for; caught signals are reset to default in the task, so the task sees them as usual.
 * A task killed by signal N reports 128+N, as a shell (and Flux's job shell) does.
 */
export const WRAPPER_SHELL = '/bin/sh';

const WRAPPER_SCRIPT = [
  'jobgate_status=$1; shift',
  "trap 'jobgate_signalled=1' HUP INT TERM",
  '"$@"',
  'jobgate_rc=$?',
  "printf '%s\\n' \"$jobgate_rc\" > \"$jobgate_status\"",
  'exit "$jobgate_rc"',
].join('\n');

export function wrapperArgs(statusFile: string, command: string[]): string[] {
  return ['-c', WRAPPER_SCRIPT, 'jobgate-task', statusFile, ...command];
}
