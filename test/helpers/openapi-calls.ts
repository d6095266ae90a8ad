/**
 * Calling a jobgate the way the OpenAPI conformance test does: plain fetch, every answer checked
 * against the server's own document (status declared, content type listed, body valid), and
 * Server-Sent Events read up to a given event so that their data can be checked too.
 */
import { OpenApiChecker, type Answer } from './openapi-check.js';
import { parseJsonLossless } from '../../src/lib/json.js';

export interface Call {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
}

export interface FetchedAnswer extends Answer {
  headers: Headers;
}

export interface Assertions {
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
}

function request(base: string, method: string, path: string, call: Call): [URL, RequestInit] {
  const url = new URL(base + path);
  for (const [name, value] of Object.entries(call.query ?? {})) {
    url.searchParams.append(name, value);
  }
  const headers: Record<string, string> = { ...call.headers };
  let body: string | undefined;
  if (call.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof call.json === 'string' ? call.json : JSON.stringify(call.json);
  } else if (call.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(call.form).toString();
  }
  return [url, { method, headers, body }];
}

export async function fetchAnswer(base: string, method: string, path: string, call: Call = {}): Promise<FetchedAnswer> {
  const [url, init] = request(base, method, path, call);
  const response = await fetch(url, init);
  return { status: response.status, contentType: response.headers.get('Content-Type') ?? '', text: await response.text(), headers: response.headers };
}

/** `event:`/`data:` pairs of an event-stream text (each event's data on one line, as jobgate writes it). */
export function sseEvents(text: string): { event: string; data: string }[] {
  return [...text.matchAll(/^event: (\w+)\n(?:id: \d+\n)?data: (.*)$/gm)].map((match) => ({ event: match[1] ?? '', data: match[2] ?? '' }));
}

/** The decimal id of an answer holding `{"id": ...}` (exact, whatever its size). */
export function idOf(answer: Answer): string {
  return String((parseJsonLossless(answer.text) as { id: number | bigint }).id);
}

/** One server and the document it serves. */
export class CheckedApi {
  constructor(
    readonly base: string,
    readonly checker: OpenApiChecker,
  ) {}

  static async open(base: string): Promise<CheckedApi> {
    const document = parseJsonLossless((await fetchAnswer(base, 'GET', '/openapi.json')).text) as Record<string, unknown>;
    return new CheckedApi(base, new OpenApiChecker(document));
  }

  /** Calls `path` (an instance of the documented `route`) and requires the answer to match the document. */
  async call(t: Assertions, method: string, route: string, path: string, options: Call = {}): Promise<FetchedAnswer> {
    const answer = await fetchAnswer(this.base, method, path, options);
    t.deepEqual(this.checker.check(method, route, answer), [], `${method} ${path} → ${answer.status} ${answer.text.slice(0, 300)}`);
    return answer;
  }

  /**
   * Opens an event stream, reads it until an event named `until` has arrived, closes it, and
   * checks the answer (status, type, the text read) against the document.
   */
  async stream(t: Assertions, route: string, path: string, until: string, options: Call = {}): Promise<{ answer: FetchedAnswer; events: { event: string; data: string }[] }> {
    const [url, init] = request(this.base, 'GET', path, { ...options, headers: { Accept: 'text/event-stream', ...options.headers } });
    const abort = new AbortController();
    const response = await fetch(url, { ...init, signal: abort.signal });
    let text = '';
    if (response.body !== null && response.ok) {
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      while (!sseEvents(text).some((event) => event.event === until)) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      abort.abort();
    } else {
      text = await response.text();
    }
    const answer = { status: response.status, contentType: response.headers.get('Content-Type') ?? '', text, headers: response.headers };
    t.deepEqual(this.checker.check('GET', route, answer), [], `GET ${path} → ${answer.status} ${text.slice(0, 300)}`);
    return { answer, events: sseEvents(text) };
  }
}
