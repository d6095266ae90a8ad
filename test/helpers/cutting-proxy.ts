/**
 * A TCP proxy on loopback that passes everything through, and can cut the connection that
 * carries a given text, in the middle of it (half an SSE event reaches the client), to show
 * that a follower resumes without losing or repeating anything.
 */
import net from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Everything each connection sent to the server (request lines and headers). */
  requests: string[];
  /** Cuts the first connection whose answer contains `marker`, after its first bytes. */
  cutAt(marker: string): Promise<void>;
  /** Every byte the server sent so far, all connections. */
  received(): string;
  close(): Promise<void>;
}

export async function startCuttingProxy(target: string): Promise<CuttingProxy> {
  const { hostname, port } = new URL(target);
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  let received = '';
  let cut: { marker: string; done: () => void } | null = null;

  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    const index = requests.push('') - 1;
    let answer = '';
    let cutting = false;
    client.on('data', (data: Buffer) => {
      requests[index] += data.toString('latin1');
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      const text = data.toString('latin1');
      const at = cut === null ? -1 : (answer + text).indexOf(cut.marker);
      if (cut !== null && at >= 0) {
        // Forward up to the middle of the marker, then drop both sides.
        const keep = Math.max(0, at + Math.floor(cut.marker.length / 2) - answer.length);
        received += text.slice(0, keep);
        // An abrupt drop (TCP reset), as when a network path or a node goes away.
        cutting = true;
        client.write(data.subarray(0, keep), () => client.resetAndDestroy());
        upstream.destroy();
        const done = cut.done;
        cut = null;
        done();
        return;
      }
      answer += text;
      received += text;
      client.write(data);
    });
    const close = (): void => {
      upstream.destroy();
      if (!cutting) {
        client.destroy();
      }
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    cutAt: (marker) => new Promise((resolve) => {
      cut = { marker, done: resolve };
    }),
    received: () => received,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) {
        socket.destroy();
      }
      server.close(() => resolve());
    }),
  };
}
