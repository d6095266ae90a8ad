/** The fake `flux` command's connection to the double's broker socket (server.ts). */
import net from 'node:net';
import readline from 'node:readline';
import { readWire, writeWire } from './wire-json.js';

export class RpcError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}

interface Response {
  seq: number;
  payload?: Record<string, unknown>;
  errno?: number;
  error?: string;
}

type Waiter = (response: Response) => void;

/** FLUX_URI → socket path; throws with the Python commands' words when there is no broker. */
export function socketPath(env: NodeJS.ProcessEnv): string {
  const uri = env.FLUX_URI ?? 'local:///run/flux/local';
  return uri.replace(/^local:\/\//, '');
}

export class FluxClient {
  private seq = 1;
  private readonly waiters = new Map<number, Waiter>();
  /** Resolves when the broker closes the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    const lines = readline.createInterface({ input: socket, crlfDelay: Infinity });
    lines.on('error', () => undefined);
    socket.on('error', () => undefined);
    lines.on('line', (line) => {
      const response = readWire(line) as Response;
      this.waiters.get(response.seq)?.(response);
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => {
      for (const waiter of [...this.waiters.values()]) {
        waiter({ seq: 0, errno: 104, error: 'Connection reset by peer' });
      }
    });
  }

  static connect(path: string): Promise<FluxClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(path);
      socket.once('connect', () => resolve(new FluxClient(socket)));
      socket.once('error', () => reject(new RpcError(2, `broker socket ${path} was not found`)));
    });
  }

  rpc(topic: string, payload: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.waiters.set(seq, (response) => {
        this.waiters.delete(seq);
        if (response.errno !== undefined) {
          reject(new RpcError(response.errno, response.error ?? ''));
        } else {
          resolve(response.payload ?? {});
        }
      });
      this.socket.write(`${writeWire({ seq, topic, payload })}\n`);
    });
  }

  /** A streaming request: each payload to `each`; resolves with the ending error (ENODATA normally). */
  stream(topic: string, payload: Record<string, unknown>, each: (payload: Record<string, unknown>) => void): { done: Promise<RpcError>; cancel: () => void } {
    const seq = this.seq++;
    const done = new Promise<RpcError>((resolve) => {
      this.waiters.set(seq, (response) => {
        if (response.errno !== undefined) {
          this.waiters.delete(seq);
          resolve(new RpcError(response.errno, response.error ?? ''));
        } else {
          each(response.payload ?? {});
        }
      });
    });
    this.socket.write(`${writeWire({ seq, topic, payload })}\n`);
    return { done, cancel: () => this.socket.write(`${writeWire({ seq: this.seq++, topic: 'cancel', payload: { seq } })}\n`) };
  }

  close(): void {
    this.socket.end();
  }
}
