/**
 * Server-Sent Events framing (the WHATWG event-stream format). An event is dispatched only once
 * its blank line has arrived, so a connection cut in the middle of an event never yields half
 * of it: the client resumes from the last complete event's id. `SseParser` is the framing
 * alone (text in, complete events out) for callers that read the bytes themselves (Node's
 * http, tests, benchmarks); `readEvents` applies it to a fetch body.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  private buffer = '';
  private event = 'message';
  private data: string[] = [];
  private id: string | undefined;

  /** Takes the next text of the stream; returns the events it completed, in order. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    const events: SseEvent[] = [];
    let newline = this.buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone \r at the very end may be the first half of \r\n: wait for the next text.
      if (this.buffer[newline] === '\r' && width === 1 && newline === this.buffer.length - 1) {
        break;
      }
      this.buffer = this.buffer.slice(newline + width);
      this.line(line, events);
      newline = this.buffer.search(/\r\n|\r|\n/);
    }
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) {
        events.push({ event: this.event, data: this.data.join('\n'), ...(this.id === undefined ? {} : { id: this.id }) });
      }
      this.event = 'message';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) {
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') {
      this.event = value;
    } else if (field === 'data') {
      this.data.push(value);
    } else if (field === 'id' && !value.includes('\u0000')) {
      this.id = value;
    }
  }
}

export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        return;
      }
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
}
