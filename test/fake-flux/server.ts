/**
 * The double's broker socket: JSON lines over a Unix socket (the path in FLUX_URI,
 * `local://<path>`). Requests `{"seq", "topic", "payload"}`; responses `{"seq", "payload"}` or
 * `{"seq", "errno", "error"}`; streams answer many times and end with ENODATA; a request
 * `{"topic": "cancel", "payload": {"seq": N}}` stops stream N. Integers stay exact (ids pass 2^53).
 */
import fs from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';
import { readWire, writeWire } from './wire-json.js';
import { ENOENT, EINVAL, FluxError, type FakeFluxInstance } from './instance.js';
import type { Json, JsonObject } from './format.js';

interface Request {
  seq: number;
  topic: string;
  payload: JsonObject;
  userid?: number;
}

function toId(value: unknown): bigint {
  if (typeof value === 'bigint') {
    return value;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
    return BigInt(value);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    return BigInt(value);
  }
  throw new FluxError(EINVAL, 'invalid job id');
}

export class FakeFluxServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Called after a `shutdown.start` request (the broker process ends the initial program). */
  onShutdown: (() => void) | null = null;

  private constructor(
    readonly instance: FakeFluxInstance,
    readonly socketPath: string,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  static async listen(instance: FakeFluxInstance, socketPath: string): Promise<FakeFluxServer> {
    fs.rmSync(socketPath, { force: true });
    const server = new FakeFluxServer(instance, socketPath);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(socketPath, () => resolve());
    });
    return server;
  }

  private refusing = false;

  private accept(socket: net.Socket): void {
    if (this.refusing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    const streams = new Map<number, () => void>();
    const write = (message: JsonObject): void => {
      if (!socket.destroyed && socket.writable) {
        try {
          socket.write(`${writeWire(message)}\n`, () => undefined);
        } catch {
          // the client went away
        }
      }
    };
    const lines = readline.createInterface({ input: socket, crlfDelay: Infinity });
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      let request: Request;
      try {
        request = readWire(line) as Request;
      } catch {
        return;
      }
      try {
        this.handle(request, write, streams);
      } catch (error: unknown) {
        const flux = error instanceof FluxError ? error : new FluxError(EINVAL, error instanceof Error ? error.message : String(error));
        write({ seq: request.seq, errno: flux.errno, error: flux.message });
      }
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      for (const stop of streams.values()) {
        stop();
      }
      streams.clear();
    });
  }

  private handle(request: Request, write: (message: JsonObject) => void, streams: Map<number, () => void>): void {
    const { seq, payload } = request;
    const instance = this.instance;
    const userid = typeof request.userid === 'number' ? request.userid : (process.getuid?.() ?? 0);
    const reply = (body: JsonObject = {}): void => write({ seq, payload: body });
    switch (request.topic) {
      case 'job-ingest.submit': {
        const jobspec = typeof payload.jobspec === 'string' ? (JSON.parse(payload.jobspec) as Json) : (payload.jobspec ?? null);
        // Answered once the job's first events are on the journal (see FakeFluxInstance.submit).
        instance.submit(jobspec, typeof payload.urgency === 'number' ? payload.urgency : 16, userid, (id) => reply({ id: id as unknown as Json }));
        return;
      }
      case 'job-manager.raise':
        instance.raise(toId(payload.id), String(payload.type ?? 'cancel'), Number(payload.severity ?? 0), String(payload.note ?? ''), userid);
        reply();
        return;
      case 'job-manager.urgency':
        reply({ old_urgency: instance.setUrgency(toId(payload.id), Number(payload.urgency), userid) });
        return;
      case 'job-manager.events-journal': {
        const stop = instance.subscribeJournal(payload.full === true, (body) => write({ seq, payload: body as JsonObject }));
        streams.set(seq, () => {
          stop();
          write({ seq, errno: 61, error: 'No data available' });
        });
        return;
      }
      case 'job-info.eventlog-watch': {
        const waitcreate = (Number(payload.flags ?? 0) & 1) === 1;
        let ended = false;
        const stop = instance.watch(toId(payload.id), String(payload.path ?? 'eventlog'), waitcreate, (entries, end) => {
          for (const entry of entries) {
            write({ seq, payload: { event: entry as unknown as Json } });
          }
          if (end !== undefined && !ended) {
            ended = true;
            streams.delete(seq);
            write({ seq, errno: end.errno, error: end.error });
          }
        });
        if (!ended) {
          streams.set(seq, stop);
        }
        return;
      }
      case 'cancel': {
        const target = Number(payload.seq);
        const stop = streams.get(target);
        streams.delete(target);
        stop?.();
        return;
      }
      case 'job-info.lookup':
        reply(instance.lookup(toId(payload.id), Array.isArray(payload.keys) ? payload.keys.map(String) : []));
        return;
      case 'attr.get':
        reply({ value: instance.attr(String(payload.name)) });
        return;
      case 'queue.stop':
      case 'queue.start':
        instance.queue(request.topic === 'queue.stop');
        reply();
        return;
      case 'queue.status':
        reply({ stopped: instance.queueStopped });
        return;
      case 'resource.status':
        reply({ ranks: instance.resources() as unknown as Json });
        return;
      case 'resource.drain':
      case 'resource.undrain':
        instance.drain(Array.isArray(payload.ranks) ? payload.ranks.map(Number) : [], request.topic === 'resource.drain');
        reply();
        return;
      case 'shutdown.start':
        reply();
        if (this.onShutdown !== null) {
          // A broker with an initial program: it gets SIGHUP; jobs are canceled when it exits.
          setImmediate(() => this.onShutdown?.());
        } else {
          // No initial program (the in-process double): straight to the cleanup, which cancels
          // what runs; then the instance is gone, as its socket would be.
          instance.shutdown();
          setImmediate(() => {
            this.refuseConnections(true);
            this.dropConnections();
          });
        }
        return;
      default:
        throw new FluxError(ENOENT, `No service matching ${request.topic} is registered`);
    }
  }

  /** While on, clients are cut off as soon as they connect (an instance that is down). */
  refuseConnections(on: boolean): void {
    this.refusing = on;
  }

  /** Cuts every client off, as a broker restart would (clients get ECONNRESET). */
  dropConnections(): void {
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.socketPath, { force: true });
  }
}
