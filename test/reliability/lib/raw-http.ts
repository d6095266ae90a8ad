/**
 * A raw HTTP/1.1 client for the fuzzer: the request line, headers and body go out exactly as
 * given (bytes an ordinary client refuses to send: control characters, CR/LF in header values,
 * lone surrogates, unescaped paths), and only the answer's head is read. Every request has a
 * time limit; no answer in time is a hang.
 */
import net from 'node:net';
import { judge } from './http-client.js';
import { counts } from './tally.js';

export interface RawRequest {
  method: string;
  /** The request target as sent (already encoded, or deliberately not). */
  target: string;
  headers: [string, string][];
  body?: Buffer;
}

export interface RawAnswer {
  status: number;
  headers: Map<string, string[]>;
  /** The status line and headers as received. */
  head: string;
}

/** Percent-encodes a string's UTF-8 bytes (lone surrogates become U+FFFD, as in any UTF-8 encoder). */
export function encodeComponent(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function rawRequest(port: number, request: RawRequest, timeoutMs = 10000): Promise<RawAnswer> {
  counts.requests += 1;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (error: Error | null, answer?: RawAnswer): void => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error !== null || answer === undefined) {
        reject(error ?? new Error('no answer'));
      } else {
        resolve(answer);
      }
    };
    const timer = setTimeout(() => {
      counts.hangs += 1;
      finish(new Error(`${request.method} ${request.target.slice(0, 200)}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => {
      const body = request.body ?? Buffer.alloc(0);
      const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
      for (const [name, value] of request.headers) {
        lines.push(`${name}: ${value}`);
      }
      if (body.length > 0 || request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') {
        lines.push(`Content-Length: ${body.length}`);
      }
      socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), body]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        return;
      }
      const head = received.subarray(0, end).toString('latin1');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? '0');
      const headers = new Map<string, string[]>();
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
      }
      judge(status, Object.fromEntries([...headers].map(([name, values]) => [name, values.join(', ')])), false);
      finish(null, { status, headers, head });
    });
    socket.on('error', (error) => finish(error));
    socket.on('end', () => finish(new Error(`${request.method} ${request.target.slice(0, 200)}: connection closed without an answer`)));
  });
}
