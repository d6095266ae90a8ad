/**
 * The output pane: chunks of stdout/stderr become text nodes in a <pre> (never markup), with
 * terminal colours as classes and stderr marked. It keeps a bounded amount of text: past the
 * limit the oldest lines leave the page (they can be loaded again from the server).
 */
import { AnsiState, ansiSegments } from './lib/ansi.js';

export type StreamName = 'stdout' | 'stderr';

/** Characters kept on the page; more would make the browser slow. */
const MAX_CHARS = 2_000_000;

function decodeBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes;
}

/** A chunk's bytes: text is UTF-8 already; base64 marks bytes that are not valid UTF-8. */
export function chunkBytes(data: string, encoding: string | undefined): Uint8Array {
  return encoding === 'base64' ? decodeBase64(data) : new TextEncoder().encode(data);
}

/** Bytes as text; invalid UTF-8 shows as U+FFFD instead of failing. */
export function bytesText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

export class OutputView {
  private readonly states: Record<StreamName, AnsiState> = { stdout: new AnsiState(), stderr: new AnsiState() };
  private chars = 0;
  /** Lines were dropped from the top to keep the page light. */
  trimmed = false;

  constructor(private readonly pre: HTMLPreElement) {}

  clear(): void {
    this.pre.replaceChildren();
    this.states.stdout = new AnsiState();
    this.states.stderr = new AnsiState();
    this.chars = 0;
    this.trimmed = false;
  }

  isEmpty(): boolean {
    return this.chars === 0;
  }

  /** Text as shown (for copying). */
  text(): string {
    return this.pre.textContent ?? '';
  }

  append(text: string, stream: StreamName): void {
    this.pre.append(this.render(text, stream, this.states[stream]));
    this.trim();
  }

  /** Older output (loaded on request) goes above what is shown, rendered with its own colour state. */
  prepend(parts: { text: string; stream: StreamName }[]): void {
    const fragment = document.createDocumentFragment();
    const states = { stdout: new AnsiState(), stderr: new AnsiState() };
    for (const part of parts) {
      fragment.append(this.render(part.text, part.stream, states[part.stream], true));
    }
    this.pre.prepend(fragment);
  }

  private render(text: string, stream: StreamName, state: AnsiState, final = false): DocumentFragment {
    const fragment = document.createDocumentFragment();
    for (const segment of ansiSegments(text, state, final)) {
      const classes = [stream === 'stderr' ? 'err' : '', segment.classes].filter(Boolean).join(' ');
      if (classes === '') {
        fragment.append(document.createTextNode(segment.text));
      } else {
        const span = document.createElement('span');
        span.className = classes;
        span.textContent = segment.text;
        fragment.append(span);
      }
      this.chars += segment.text.length;
    }
    return fragment;
  }

  private trim(): void {
    while (this.chars > MAX_CHARS && this.pre.firstChild !== null) {
      this.chars -= this.pre.firstChild.textContent?.length ?? 0;
      this.pre.firstChild.remove();
      this.trimmed = true;
    }
  }
}
