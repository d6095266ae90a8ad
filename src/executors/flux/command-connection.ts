/**
 * The fallback when the bridge cannot run (an installation without Flux's Python bindings):
 * Flux's own commands, one process per operation, concurrent processes for concurrent
 * requests. The C commands are used where they exist (`flux job submit` with the jobspec on
 * stdin, ~10–70 ms) rather than the Python ones (~150 ms).
 *
 *   submit   flux job submit --urgency=N            (prints ƒID)
 *   state    flux job eventlog -F -f json ID        (one follower per job, ends after clean)
 *   alloc R  flux job info ID R
 *   output   flux job eventlog -F -f json -p guest.output ID
 *            (waits for the job to start; exits 1 with "event 'clean' never received" even
 *            after a normal end, so the end is the eof events, not the exit code)
 *   cancel   flux cancel ID;   urgency  flux job urgency ID N
 *
 * Without the journal, jobs submitted by other means are not seen in this mode.
 */
import type { JobId } from '../../model/job-id.js';
import { parseJobId } from '../../model/job-id.js';
import { runCommand, startService, type CommandResult, type ServiceProcess } from '../process.js';
import { ExecutorError } from '../types.js';
import { parseEventlog, type ConnectionHandlers, type ConnectionInfo, type FluxConnection, type LookupResult } from './connection.js';
import type { EventlogEntry } from './flux-events.js';
import { toExecutorError } from './flux-errors.js';

export interface CommandOptions {
  flux: string;
  env: Record<string, string>;
  handlers: ConnectionHandlers;
  timeoutMs?: number;
}

function failure(result: CommandResult, fallback: 'invalid' | 'conflict'): ExecutorError {
  if (result.startError !== null) {
    return new ExecutorError('unavailable', `cannot run flux: ${result.startError}`);
  }
  if (result.timedOut) {
    return new ExecutorError('unavailable', 'the flux command did not answer in time');
  }
  return toExecutorError(result.stderr || `flux exited with code ${result.exitCode ?? 'none'}`, fallback);
}

export class CommandConnection implements FluxConnection {
  private readonly followers = new Map<JobId, ServiceProcess>();
  private readonly outputs = new Map<JobId, ServiceProcess>();
  private closed = false;

  private constructor(
    private readonly options: CommandOptions,
    readonly info: ConnectionInfo,
  ) {}

  static async open(options: CommandOptions): Promise<CommandConnection> {
    const run = (args: string[]): Promise<CommandResult> => runCommand(options.flux, args, { env: options.env, timeoutMs: options.timeoutMs ?? 30000 });
    const [size, version, rundir, brokerPid] = await Promise.all([run(['getattr', 'size']), run(['getattr', 'version']), run(['getattr', 'rundir']), run(['getattr', 'broker.pid'])]);
    if (size.exitCode !== 0) {
      throw failure(size, 'invalid');
    }
    const text = (result: CommandResult): string | null => (result.exitCode === 0 ? result.stdout.trim() : null);
    const dir = text(rundir);
    const pid = text(brokerPid);
    return new CommandConnection(options, { kind: 'commands', version: text(version) ?? 'unknown', rlimit: null, instance: dir !== null && pid !== null ? `${dir}|${pid}` : null });
  }

  private run(args: string[], input?: string): Promise<CommandResult> {
    return runCommand(this.options.flux, args, { env: this.options.env, input, timeoutMs: this.options.timeoutMs ?? 30000 });
  }

  startJournal(): void {
    // No journal: there is no backlog, so the sentinel comes at once.
    setImmediate(() => this.options.handlers.journal({ id: null, events: [] }));
  }

  async submit(jobspec: string, urgency: number): Promise<JobId> {
    const result = await this.run(['job', 'submit', `--urgency=${urgency}`], jobspec);
    const id = result.exitCode === 0 ? parseJobId(result.stdout.trim()) : null;
    if (id === null) {
      throw result.exitCode === 0 ? new ExecutorError('unavailable', `flux job submit printed no job id: ${result.stdout.trim()}`) : failure(result, 'invalid');
    }
    return id;
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    const args = reason === '' ? ['cancel', id.toString()] : ['cancel', `--message=${reason}`, id.toString()];
    const result = await this.run(args);
    if (result.exitCode !== 0) {
      throw failure(result, 'conflict');
    }
  }

  async urgency(id: JobId, urgency: number): Promise<void> {
    const result = await this.run(['job', 'urgency', id.toString(), String(urgency)]);
    if (result.exitCode !== 0) {
      throw failure(result, 'conflict');
    }
  }

  private async fetchR(id: JobId): Promise<unknown> {
    const result = await this.run(['job', 'info', id.toString(), 'R']);
    if (result.exitCode !== 0) {
      return null;
    }
    try {
      return JSON.parse(result.stdout) as unknown;
    } catch {
      return null;
    }
  }

  follow(id: JobId): void {
    if (this.closed || this.followers.has(id)) {
      return;
    }
    const follower = startService(this.options.flux, ['job', 'eventlog', '-F', '-f', 'json', id.toString()], { env: this.options.env, stdin: false });
    this.followers.set(id, follower);
    // Events are delivered in order; an alloc waits for its R before anything after it goes on.
    let chain: Promise<void> = Promise.resolve();
    follower.onStdoutLine((line) => {
      let entry: EventlogEntry;
      try {
        entry = JSON.parse(line) as EventlogEntry;
      } catch {
        return;
      }
      chain = chain.then(async () => {
        const R = entry.name === 'alloc' ? await this.fetchR(id) : undefined;
        this.options.handlers.journal({ id, events: [entry], ...(R !== undefined ? { R } : {}) });
      });
    });
    follower.onStderrLine((line) => this.options.handlers.log('warn', 'flux job eventlog', { job: id.toString(), line }));
    void follower.exited.then(() => {
      if (this.followers.get(id) === follower) {
        this.followers.delete(id);
      }
    });
  }

  watchOutput(id: JobId): void {
    if (this.closed || this.outputs.has(id)) {
      return;
    }
    const watcher = startService(this.options.flux, ['job', 'eventlog', '-F', '-f', 'json', '-p', 'guest.output', id.toString()], { env: this.options.env, stdin: false });
    this.outputs.set(id, watcher);
    let lastError: string | null = null;
    watcher.onStdoutLine((line) => {
      try {
        this.options.handlers.output(id, JSON.parse(line) as EventlogEntry);
      } catch {
        // not an event line
      }
    });
    watcher.onStderrLine((line) => {
      // "event 'clean' never received" is how this command ends every output eventlog.
      lastError = /event 'clean' never received/.test(line) ? null : line;
    });
    void watcher.exited.then(() => {
      if (this.outputs.get(id) === watcher) {
        this.outputs.delete(id);
        this.options.handlers.outputEnd(id, lastError);
      }
    });
  }

  unwatchOutput(id: JobId): void {
    const watcher = this.outputs.get(id);
    if (watcher !== undefined) {
      this.outputs.delete(id);
      watcher.kill('SIGTERM');
    }
  }

  async lookup(id: JobId): Promise<LookupResult | null> {
    const result = await this.run(['job', 'eventlog', '-f', 'json', id.toString()]);
    if (result.exitCode !== 0) {
      const error = failure(result, 'invalid');
      if (error.kind === 'unknown') {
        return null;
      }
      throw error;
    }
    const eventlog = parseEventlog(result.stdout);
    const R = eventlog.some((entry) => entry.name === 'alloc') ? await this.fetchR(id) : null;
    return { eventlog, R };
  }

  async ping(): Promise<void> {
    const result = await this.run(['getattr', 'size']);
    if (result.exitCode !== 0) {
      throw failure(result, 'invalid');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.followers.values(), ...this.outputs.values()];
    this.followers.clear();
    this.outputs.clear();
    for (const child of all) {
      child.kill('SIGTERM');
    }
    await Promise.all(all.map((child) => child.exited));
  }
}
