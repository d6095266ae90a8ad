/**
 * The hot path to Flux: one `flux python bridge.py` helper for the life of the connection,
 * speaking JSON lines (protocol in bridge.py). Requests carry a request id and are written as
 * they come, so any number are in flight at once and Flux answers them in any order; nothing
 * waits for the request before it. Job ids are decimal strings on the wire (exact, and plain
 * JSON.parse stays fast).
 */
import path from 'node:path';
import { killAfterGrace, startService, type ServiceProcess } from '../process.js';
import type { JobId } from '../../model/job-id.js';
import { projectRoot } from '../../version.js';
import { ExecutorError } from '../types.js';
import { parseEventlog, type ConnectionHandlers, type ConnectionInfo, type FluxConnection, type LookupResult } from './connection.js';
import type { EventlogEntry, JournalEntry } from './flux-events.js';
import { toExecutorError } from './flux-errors.js';

const BRIDGE_SCRIPT = path.join(projectRoot, 'src', 'executors', 'flux', 'bridge.py');

interface Reply {
  type: 'reply';
  rid: number;
  ok: boolean;
  error?: string;
  errno?: number;
  id?: string;
  eventlog?: string;
  R?: string | null;
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

type BridgeMessage =
  | Reply
  | { type: 'hello'; version: string; userid: number; rlimit: Record<string, number>; instance: string | null }
  | { type: 'journal'; id: string | null; events: EventlogEntry[]; jobspec?: unknown; R?: unknown }
  | { type: 'output'; id: string; event: EventlogEntry }
  | { type: 'output-end'; id: string; error: string | null }
  | { type: 'fatal'; error: string };

export interface BridgeOptions {
  flux: string;
  env: Record<string, string>;
  handlers: ConnectionHandlers;
  /** How long the helper may take to connect and say hello. */
  helloTimeoutMs?: number;
}

/** Why the bridge could not start: a missing Python binding is worth falling back for. */
export class BridgeStartError extends Error {
  constructor(
    message: string,
    readonly bindingsMissing: boolean,
  ) {
    super(message);
    this.name = 'BridgeStartError';
  }
}

export class BridgeConnection implements FluxConnection {
  private readonly pending = new Map<number, Pending>();
  private nextRid = 1;
  private closed = false;

  private constructor(
    private readonly process: ServiceProcess,
    readonly info: ConnectionInfo,
    private readonly handlers: ConnectionHandlers,
  ) {}

  /** Starts the helper and resolves once it is connected to the instance. */
  static async open(options: BridgeOptions): Promise<BridgeConnection> {
    let child: ServiceProcess;
    try {
      child = startService(options.flux, ['python', BRIDGE_SCRIPT], { env: options.env });
    } catch (error: unknown) {
      throw new BridgeStartError(`cannot run ${options.flux} (is Flux installed and on PATH?): ${error instanceof Error ? error.message : String(error)}`, false);
    }
    const stderrTail: string[] = [];
    let connection: BridgeConnection | null = null;
    let helloSeen = false;
    const early: BridgeMessage[] = [];

    const hello = new Promise<BridgeConnection>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new BridgeStartError(`the Flux bridge did not answer within ${options.helloTimeoutMs ?? 30000} ms`, false));
      }, options.helloTimeoutMs ?? 30000);
      child.onStderrLine((line) => {
        stderrTail.push(line);
        if (stderrTail.length > 20) {
          stderrTail.shift();
        }
        if (connection !== null) {
          options.handlers.log('warn', 'flux bridge: stderr', { line });
        }
      });
      child.onStdoutLine((line) => {
        let message: BridgeMessage;
        try {
          message = JSON.parse(line) as BridgeMessage;
        } catch {
          options.handlers.log('warn', 'flux bridge: unreadable line', { line: line.slice(0, 200) });
          return;
        }
        if (connection !== null) {
          connection.receive(message);
          return;
        }
        if (message.type === 'hello') {
          helloSeen = true;
          clearTimeout(timer);
          connection = new BridgeConnection(child, { kind: 'bridge', version: message.version, rlimit: message.rlimit, instance: message.instance }, options.handlers);
          resolve(connection);
          for (const queued of early.splice(0)) {
            connection.receive(queued);
          }
        } else if (message.type === 'fatal') {
          clearTimeout(timer);
          reject(new BridgeStartError(message.error, false));
        } else {
          early.push(message);
        }
      });
      void child.exited.then((exit) => {
        clearTimeout(timer);
        if (!helloSeen) {
          const text = stderrTail.join('\n');
          const missing = /No module named '?flux|ModuleNotFoundError|ImportError/.test(text) || exit.code === 127;
          reject(new BridgeStartError(`the Flux bridge exited (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'}) before connecting: ${text.slice(-500) || 'no message'}`, missing));
        } else {
          connection?.exited(`the Flux bridge exited (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'}): ${stderrTail.slice(-3).join(' | ')}`);
        }
      });
    });
    return hello;
  }

  private receive(message: BridgeMessage): void {
    switch (message.type) {
      case 'reply': {
        const waiting = this.pending.get(message.rid);
        if (waiting !== undefined) {
          this.pending.delete(message.rid);
          waiting.resolve(message);
        }
        break;
      }
      case 'journal':
        this.handlers.journal({
          id: message.id === null ? null : BigInt(message.id),
          events: message.events,
          ...(message.jobspec !== undefined ? { jobspec: message.jobspec } : {}),
          ...(message.R !== undefined ? { R: message.R } : {}),
        } satisfies JournalEntry);
        break;
      case 'output':
        this.handlers.output(BigInt(message.id), message.event);
        break;
      case 'output-end':
        this.handlers.outputEnd(BigInt(message.id), message.error);
        break;
      case 'fatal':
        this.handlers.log('error', 'flux bridge: fatal', { error: message.error });
        this.exited(message.error);
        break;
      case 'hello':
        break;
    }
  }

  /** The helper is gone: fail what waits for it and tell the executor once. */
  private exited(reason: string): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const waiting of this.pending.values()) {
      waiting.reject(new ExecutorError('unavailable', `the Flux instance is not reachable: ${reason}`));
    }
    this.pending.clear();
    this.process.kill('SIGKILL');
    this.handlers.lost(reason);
  }

  private request(fields: Record<string, unknown>): Promise<Reply> {
    if (this.closed) {
      return Promise.reject(new ExecutorError('unavailable', 'the Flux instance is not reachable'));
    }
    const rid = this.nextRid++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(rid, { resolve, reject });
      this.process.writeLine(JSON.stringify({ ...fields, rid }));
    });
  }

  private send(fields: Record<string, unknown>): void {
    if (!this.closed) {
      this.process.writeLine(JSON.stringify(fields));
    }
  }

  private static check(reply: Reply, fallback: 'invalid' | 'conflict' = 'invalid'): Reply {
    if (!reply.ok) {
      throw toExecutorError(reply.error ?? 'Flux refused the request', fallback);
    }
    return reply;
  }

  startJournal(): void {
    this.send({ op: 'journal' });
  }

  async submit(jobspec: string, urgency: number): Promise<JobId> {
    const reply = BridgeConnection.check(await this.request({ op: 'submit', jobspec, urgency }));
    if (reply.id === undefined) {
      throw new ExecutorError('unavailable', 'the Flux bridge returned no job id');
    }
    return BigInt(reply.id);
  }

  async cancel(id: JobId, reason: string): Promise<void> {
    BridgeConnection.check(await this.request({ op: 'cancel', id: id.toString(), reason }), 'conflict');
  }

  async urgency(id: JobId, urgency: number): Promise<void> {
    BridgeConnection.check(await this.request({ op: 'urgency', id: id.toString(), urgency }), 'conflict');
  }

  follow(): void {
    // The journal already carries every job's events.
  }

  watchOutput(id: JobId): void {
    this.send({ op: 'watch', id: id.toString() });
  }

  unwatchOutput(id: JobId): void {
    this.send({ op: 'unwatch', id: id.toString() });
  }

  async lookup(id: JobId): Promise<LookupResult | null> {
    const reply = await this.request({ op: 'lookup', id: id.toString() });
    if (!reply.ok) {
      const error = toExecutorError(reply.error ?? '');
      if (error.kind === 'unknown' || reply.errno === 2) {
        return null;
      }
      throw error;
    }
    return { eventlog: parseEventlog(reply.eventlog ?? ''), R: reply.R ?? null };
  }

  async ping(): Promise<void> {
    BridgeConnection.check(await this.request({ op: 'ping' }));
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const waiting of this.pending.values()) {
      waiting.reject(new ExecutorError('unavailable', 'jobgate is disconnecting from Flux'));
    }
    this.pending.clear();
    // End of input is the helper's "finish and exit"; one that hangs on is killed.
    this.process.closeInput();
    killAfterGrace(() => this.process.kill('SIGKILL'), { graceMs: 3000, exited: this.process.exited });
    await this.process.exited;
  }
}
