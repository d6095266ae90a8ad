/**
 * The flux executor's link to the instance: which connection to open (the bridge, or the
 * commands when Flux's Python bindings are missing), the reconnection loop after a lost
 * connection (0.5 s doubling to 30 s), and the liveness question /ready asks.
 */
import { BridgeConnection, BridgeStartError } from './bridge-connection.js';
import { CommandConnection } from './command-connection.js';
import type { ConnectionHandlers, FluxConnection } from './connection.js';

export interface OpenOptions {
  flux: string;
  env: Record<string, string>;
  handlers: ConnectionHandlers;
}

/** The bridge when it starts; the commands when only Flux's Python bindings are missing; else the reason. */
export async function openConnection(options: OpenOptions): Promise<FluxConnection> {
  try {
    return await BridgeConnection.open(options);
  } catch (error: unknown) {
    if (error instanceof BridgeStartError && error.bindingsMissing) {
      options.handlers.log('warn', "Flux's Python bindings are not available to `flux python`; using the flux commands instead (slower, and jobs submitted by other means are not seen)", { error: error.message });
      return CommandConnection.open(options);
    }
    throw error instanceof BridgeStartError ? new Error(`cannot reach the Flux instance: ${error.message}`) : error;
  }
}

/** Whether the instance answers a ping within `ms`. */
export async function answersWithin(conn: FluxConnection, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([conn.ping(), new Promise((_resolve, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Tries `connect` again after a delay that doubles with each failure, until it succeeds or is ended. */
export class Reconnector {
  private timer: NodeJS.Timeout | null = null;
  private delay = 500;
  private ended = false;

  constructor(
    private readonly connect: () => Promise<void>,
    private readonly failed: (error: unknown) => void,
    private readonly maxMs: number,
  ) {}

  schedule(): void {
    if (this.timer !== null || this.ended) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().then(
        () => {
          this.delay = 500;
        },
        (error: unknown) => {
          this.failed(error);
          this.delay = Math.min(this.delay * 2, this.maxMs);
          this.schedule();
        },
      );
    }, this.delay);
    this.timer.unref();
  }

  /** No more attempts (jobgate is stopping). */
  end(): void {
    this.ended = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
