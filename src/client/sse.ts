/**
 * Server-Sent Events framing (the WHATWG event-stream format) over a fetch body. An event is
 * dispatched only once its blank line has arrived, so a connection cut in the middle of an
 * event never yields half of it: the client resumes from the last complete event's id.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        const width = buffer.startsWith('\r\n', newline) ? 2 : 1;
        // A lone \r at the very end may be the first half of \r\n: wait for the next bytes.
        if (buffer[newline] === '\r' && width === 1 && newline === buffer.length - 1) {
          break;
        }
        buffer = buffer.slice(newline + width);
        if (line === '') {
          if (data.length > 0) {
            yield { event, data: data.join('\n'), ...(id === undefined ? {} : { id }) };
          }
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') {
            event = value;
          } else if (field === 'data') {
            data.push(value);
          } else if (field === 'id' && !value.includes('\u0000')) {
            id = value;
          }
        }
        newline = buffer.search(/\r\n|\r|\n/);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
