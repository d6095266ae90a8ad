/**
 * The double's job shell: runs a job's tasks for real and writes the output eventlog as the
 * 0.88 shell does (recordings 03–05, 10–12):
 *
 * - a `header` first; each line of output one `data` event (line buffered), a final partial
 *   line one event without `\n`; with `output.<stream>.buffer.type: none` every read is one
 *   event; text that is not UTF-8 goes as base64 with `"encoding": "base64"`;
 * - events reach the eventlog in batches, every `output.batch-timeout` seconds (0.5 unless the
 *   jobspec says otherwise), and at once when a stream ends (`eof: true`, one per stream);
 * - a missing command: a `log` event "task 0 (host vm): start failed: CMD: No such file or
 *   directory", and exit code 127; a missing cwd: a level-3 log, and the task runs in /tmp;
 * - a task killed by signal N counts as exit code 128+N (the shell reports it so).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { now, type Entry, type JsonObject } from './format.js';

export interface ShellOptions {
  command: string[];
  ntasks: number;
  env: Record<string, string>;
  cwd: string;
  hostname: string;
  batchTimeout: number;
  unbuffered: { stdout: boolean; stderr: boolean };
  /** Per task: environment added by the shell (FLUX_TASK_RANK...). */
  taskEnv: (rank: number) => Record<string, string>;
  /** Appends entries to the output eventlog (a batch at a time). */
  post: (entries: Entry[]) => void;
  /** All tasks are done: their exit codes (128+N for a signal), and the first start failure. */
  exited: (codes: number[], startFailure: string | null) => void;
}

type StreamName = 'stdout' | 'stderr';

export class FakeShell {
  private readonly children: ChildProcess[] = [];
  private readonly batch: Entry[] = [];
  private batchTimer: NodeJS.Timeout | null = null;
  private readonly codes: number[] = [];
  private startFailure: string | null = null;
  private running = 0;

  constructor(private readonly options: ShellOptions) {}

  start(): void {
    const { options } = this;
    options.post([
      {
        timestamp: now(),
        name: 'header',
        context: { version: 1, encoding: { stdout: 'UTF-8', stderr: 'UTF-8' }, count: { stdout: options.ntasks, stderr: options.ntasks }, options: {} },
      },
    ]);
    let cwd = options.cwd;
    if (!fs.existsSync(cwd)) {
      this.queue({ timestamp: now(), name: 'log', context: { rank: 0, level: 3, message: `host ${options.hostname}: Could not change dir to ${cwd}: No such file or directory. Going to /tmp instead`, file: 'shell.c', line: 1144 } });
      cwd = '/tmp';
    }
    this.running = options.ntasks;
    for (let rank = 0; rank < options.ntasks; rank += 1) {
      this.startTask(rank, cwd);
    }
  }

  private startTask(rank: number, cwd: string): void {
    const [file = '', ...args] = this.options.command;
    const child = spawn(file, args, { cwd, env: { ...this.options.env, ...this.options.taskEnv(rank) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.children.push(child);
    let open = 2;
    let exitCode: number | null = null;
    let failed = false;
    let reported = false;
    const done = (): void => {
      if (!reported && open <= 0 && exitCode !== null) {
        reported = true;
        this.taskDone(exitCode);
      }
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EACCES' ? 'Permission denied' : 'No such file or directory';
      const message = `task ${rank} (host ${this.options.hostname}): start failed: ${file}: ${why}`;
      this.startFailure ??= message;
      this.queue({ timestamp: now(), name: 'log', context: { rank: 0, level: 0, message, file: 'shell.c', line: 2036 } });
      this.flush();
      // A task that never started has no output streams: no eof events either.
      failed = true;
      open = 0;
      exitCode = error.code === 'EACCES' ? 126 : 127;
      done();
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const pipe = child[stream];
      let pending = Buffer.alloc(0);
      pipe?.on('data', (chunk: Buffer) => {
        if (failed) {
          return;
        }
        if (this.options.unbuffered[stream]) {
          this.data(stream, rank, chunk);
          return;
        }
        pending = Buffer.concat([pending, chunk]);
        let newline = pending.indexOf(0x0a);
        while (newline >= 0) {
          this.data(stream, rank, pending.subarray(0, newline + 1));
          pending = pending.subarray(newline + 1);
          newline = pending.indexOf(0x0a);
        }
      });
      pipe?.on('end', () => {
        if (failed) {
          return;
        }
        if (pending.length > 0) {
          this.data(stream, rank, pending);
        }
        this.queue({ timestamp: now(), name: 'data', context: { stream, rank: String(rank), eof: true } });
        this.flush();
        open -= 1;
        done();
      });
    }
    child.on('exit', (code, signal) => {
      if (failed) {
        return;
      }
      exitCode = signal !== null ? 128 + signalNumber(signal) : (code ?? 0);
      done();
    });
  }

  private data(stream: StreamName, rank: number, bytes: Buffer): void {
    const context: JsonObject = isUtf8(bytes)
      ? { stream, rank: String(rank), data: bytes.toString('utf8') }
      : { stream, rank: String(rank), encoding: 'base64', data: bytes.toString('base64') };
    this.queue({ timestamp: now(), name: 'data', context });
  }

  private queue(entry: Entry): void {
    this.batch.push(entry);
    this.batchTimer ??= setTimeout(() => this.flush(), this.options.batchTimeout * 1000);
  }

  private flush(): void {
    if (this.batchTimer !== null) {
      clearTimeout(this.batchTimer);
      this.batchTimer = null;
    }
    if (this.batch.length > 0) {
      this.options.post(this.batch.splice(0));
    }
  }

  private taskDone(code: number): void {
    this.codes.push(code);
    this.running -= 1;
    if (this.running === 0) {
      this.flush();
      this.options.exited(this.codes, this.startFailure);
    }
  }

  /** Signals every task's process group (cancel: SIGTERM, timeout: SIGALRM). */
  signal(name: NodeJS.Signals): void {
    for (const child of this.children) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, name);
        } catch {
          // already gone
        }
      }
    }
  }
}

function signalNumber(name: NodeJS.Signals): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };
  return numbers[name] ?? 15;
}
