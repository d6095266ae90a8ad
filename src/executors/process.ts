/**
 * The only module that starts processes (execa, node-pty). Everything that runs a program —
 * job tasks, terminals, backend commands such as `sbatch` or `flux`, long-lived helpers —
 * goes through these functions, so spawning rules live in one place: never a shell unless the
 * caller runs one explicitly, an explicit environment (never jobgate's own), and known exits.
 */
import fs from 'node:fs';
import os from 'node:os';
import readline from 'node:readline';
import { execa } from 'execa';
import * as pty from 'node-pty';

export interface ExitInfo {
  /** Exit code when the process exited, else null. */
  code: number | null;
  /** Signal number when the process was killed by a signal, else null. */
  signal: number | null;
}

export interface SpawnedTask {
  pid: number;
  exited: Promise<ExitInfo>;
  /**
   * Stops this task from keeping jobgate's process alive: a stop that leaves jobs running must
   * let the service exit while they go on (their status lands on disk for the next start).
   */
  release(): void;
}

export interface DetachedOptions {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Open file descriptors the task writes to directly (closed by the caller afterwards). */
  stdoutFd: number;
  stderrFd: number;
}

function signalNumber(name: string | undefined | null): number | null {
  if (!name) {
    return null;
  }
  const value = (os.constants.signals as Record<string, number | undefined>)[name];
  return value ?? null;
}

/**
 * Starts a task in its own session and process group, writing straight to files: it keeps
 * running if jobgate stops, and the whole group can be signalled.
 */
export function spawnDetached(options: DetachedOptions): SpawnedTask {
  const subprocess = execa(options.file, options.args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: 'ignore',
    // execa accepts any file descriptor here; its typings only infer literal numbers.
    stdout: options.stdoutFd as 1,
    stderr: options.stderrFd as 2,
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
    windowsHide: true,
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${options.file}`);
  }
  const exited = subprocess.then((result) => ({
    code: result.signal ? null : (result.exitCode ?? null),
    signal: signalNumber(result.signal),
  }));
  return { pid, exited, release: () => subprocess.unref() };
}

export interface TerminalOptions {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  cols?: number;
  rows?: number;
  onData: (data: Buffer) => void;
}

/** Starts a task under a pseudo-terminal (stdout and stderr merge into one stream there). */
export function spawnTerminal(options: TerminalOptions): SpawnedTask {
  const terminal = pty.spawn(options.file, options.args, {
    name: options.env.TERM ?? 'xterm-256color',
    cols: options.cols ?? 120,
    rows: options.rows ?? 40,
    cwd: options.cwd,
    env: options.env,
    encoding: null,
  } as pty.IPtyForkOptions);
  const dataListener = terminal.onData((data: string | Buffer) => {
    options.onData(typeof data === 'string' ? Buffer.from(data) : data);
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    const exitListener = terminal.onExit(({ exitCode, signal }) => {
      dataListener.dispose();
      exitListener.dispose();
      resolve(signal ? { code: null, signal } : { code: exitCode, signal: null });
    });
  });
  // A terminal cannot outlive its master side: released, the task gets the SIGHUP of a closed
  // terminal, as it would when jobgate exits.
  return { pid: terminal.pid, exited, release: () => (terminal as unknown as { destroy(): void }).destroy() };
}

/** Sends a signal to a whole process group; false when the group is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

export interface Termination {
  /** Stops the escalation: the target ended by other means, or is left to run. */
  cancel(): void;
}

export interface GraceOptions {
  graceMs: number;
  /** Settles when the target is gone: the forced end is then not sent (and its timer is cleared). */
  exited?: Promise<unknown>;
}

/**
 * Runs `kill` once the grace period is over, unless the target exited or the escalation was
 * canceled first. The timer never keeps jobgate alive: a stop that waits for the target waits
 * on its exit, not on this timer.
 */
export function killAfterGrace(kill: () => void, options: GraceOptions): Termination {
  const timer = setTimeout(kill, options.graceMs);
  timer.unref();
  const cancel = (): void => clearTimeout(timer);
  options.exited?.then(cancel, cancel);
  return { cancel };
}

/**
 * SIGTERM now, SIGKILL after the grace period if the target is still there. `signal` sends a
 * signal to the target: a process, a process group (`(s) => signalGroup(pid, s)`), or a
 * backend's equivalent (scancel for a job step).
 */
export function terminateWithGrace(signal: (signal: 'SIGTERM' | 'SIGKILL') => void, options: GraceOptions): Termination {
  signal('SIGTERM');
  return killAfterGrace(() => signal('SIGKILL'), options);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), used with the
 * boot id to tell "our task is still running" from "its pid was reused".
 */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') {
      return null;
    }
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** A process's arguments (from /proc/PID/cmdline), or null when it is gone or unreadable. */
export function processArguments(pid: number): string[] | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return text === '' ? null : text.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

export function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

export interface CommandResult {
  exitCode: number | null;
  signal: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES...). */
  startError: string | null;
}

export interface CommandOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

/** Runs a backend command (sbatch, squeue, flux ...) to completion and captures its output. */
export async function runCommand(file: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.env === undefined,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    timeout: options.timeoutMs,
    forceKillAfterDelay: 2000,
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
  });
  const startError = result.failed && result.exitCode === undefined && !result.timedOut && !result.isTerminated
    ? (result.originalMessage ?? result.shortMessage ?? 'could not start')
    : null;
  return {
    exitCode: result.exitCode ?? null,
    signal: signalNumber(result.signal),
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    timedOut: result.timedOut,
    startError,
  };
}

export interface ServiceProcess {
  pid: number;
  /** Writes one line to the process's stdin. */
  writeLine(line: string): boolean;
  /** Ends the process's stdin (a line-protocol helper takes that as "finish and exit"). */
  closeInput(): void;
  onStdoutLine(listener: (line: string) => void): void;
  onStderrLine(listener: (line: string) => void): void;
  exited: Promise<ExitInfo>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts a long-lived helper that speaks line-based protocols on stdin/stdout (e.g. a bridge
 * to a backend's API), or a streaming reader such as `srun` whose output is read live.
 */
export function startService(file: string, args: string[], options: CommandOptions & { stdin?: boolean } = {}): ServiceProcess {
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.env === undefined,
    stdin: options.stdin === false ? 'ignore' : 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
    encoding: 'utf8',
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${file}`);
  }
  // Writing to a helper that has just died fails with EPIPE; its exit is reported through `exited`.
  subprocess.stdin?.on('error', () => undefined);
  const stdoutLines = readline.createInterface({ input: subprocess.stdout, crlfDelay: Infinity });
  const stderrLines = readline.createInterface({ input: subprocess.stderr, crlfDelay: Infinity });
  // readline re-emits its input's errors (a reset pipe): without a listener they would crash jobgate.
  stdoutLines.on('error', () => undefined);
  stderrLines.on('error', () => undefined);
  const exited = subprocess.then((result) => ({
    code: result.signal ? null : (result.exitCode ?? null),
    signal: signalNumber(result.signal),
  }));
  return {
    pid,
    writeLine: (line) => subprocess.stdin?.write(`${line}\n`) ?? false,
    closeInput: () => {
      subprocess.stdin?.end();
    },
    onStdoutLine: (listener) => stdoutLines.on('line', listener),
    onStderrLine: (listener) => stderrLines.on('line', listener),
    exited,
    kill: (signal = 'SIGTERM') => {
      subprocess.kill(signal);
    },
  };
}

export interface StreamingOptions {
  env: Record<string, string>;
  cwd?: string;
  onStdout: (data: Buffer) => void;
  onStderr: (data: Buffer) => void;
}

export interface StreamingProcess {
  pid: number;
  /** Resolves once the process has exited and both pipes are drained. */
  exited: Promise<ExitInfo>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts a process whose stdout and stderr bytes are handed over as they arrive, kept apart
 * and unaltered (e.g. `srun`, whose pipes carry a job step's output). stdin is /dev/null; the
 * process is killed if jobgate exits.
 */
export function startStreaming(file: string, args: string[], options: StreamingOptions): StreamingProcess {
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
    encoding: 'buffer',
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${file}`);
  }
  subprocess.stdout.on('data', (chunk: Buffer) => options.onStdout(chunk));
  subprocess.stderr.on('data', (chunk: Buffer) => options.onStderr(chunk));
  const exited = subprocess.then((result) => ({
    code: result.signal ? null : (result.exitCode ?? null),
    signal: signalNumber(result.signal),
  }));
  return {
    pid,
    exited,
    kill: (signal = 'SIGTERM') => {
      subprocess.kill(signal);
    },
  };
}
