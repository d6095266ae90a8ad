/**
 * A Server-Sent Events response written straight to the socket, with backpressure: `send`
 * resolves once the socket can take more, so a slow client holds at most one event in memory
 * and never slows anyone else. A comment line every few seconds keeps proxies from timing out.
 */
import type { ParameterizedContext } from 'koa';
import type { ServerResponse } from 'node:http';

export interface EventStream {
  /** Aborted when the client goes away or the stream is closed. */
  signal: AbortSignal;
  send(event: string, data: string, id?: string): Promise<void>;
  close(): void;
}

function frame(event: string, data: string, id?: string): string {
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`);
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\n${lines.join('\n')}\n\n`;
}

function writeWithBackpressure(res: ServerResponse, text: string, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    return Promise.resolve();
  }
  if (res.write(text)) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function openEventStream(ctx: ParameterizedContext, keepAliveMs = 15000): EventStream {
  const controller = new AbortController();
  const res = ctx.res;
  ctx.respond = false;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  ctx.req.socket.setNoDelay(true);
  // Tells EventSource how long to wait before reconnecting.
  res.write('retry: 2000\n\n');
  const keepAlive = setInterval(() => {
    if (!controller.signal.aborted && res.writableLength === 0) {
      res.write(': keep-alive\n\n');
    }
  }, keepAliveMs);
  keepAlive.unref();
  const finish = (): void => {
    clearInterval(keepAlive);
    controller.abort();
  };
  ctx.req.on('close', finish);
  res.on('close', finish);
  return {
    signal: controller.signal,
    send: (event, data, id) => writeWithBackpressure(res, frame(event, data, id), controller.signal),
    close: () => {
      if (!res.writableEnded) {
        res.end();
      }
      finish();
    },
  };
}
