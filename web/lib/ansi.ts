/**
 * Job output as text, whatever bytes it holds. Terminal colour codes (SGR) become CSS classes
 * (a class, never an inline style: the CSP forbids those); every other escape sequence is
 * dropped; other control characters are shown in caret notation (^G, ^H…, marked). Nothing here
 * ever produces markup: callers put the segments into text nodes.
 */

export interface Segment {
  text: string;
  /** Space-separated classes (`a-fg1 a-bold`), or ''. */
  classes: string;
}

/** Colour and style in effect, carried from one chunk to the next (a colour may span chunks). */
export class AnsiState {
  fg: number | null = null;
  bg: number | null = null;
  bold = false;
  dim = false;
  italic = false;
  underline = false;
  inverse = false;
  /** The start of an escape sequence or a CR cut off at the end of the last chunk. */
  pending = '';

  classes(): string {
    const names: string[] = [];
    const [fg, bg] = this.inverse ? [this.bg ?? 'inv-fg', this.fg ?? 'inv-bg'] : [this.fg, this.bg];
    if (fg !== null) {
      names.push(`a-fg${fg}`);
    }
    if (bg !== null) {
      names.push(`a-bg${bg}`);
    }
    for (const [on, name] of [[this.bold, 'a-bold'], [this.dim, 'a-dim'], [this.italic, 'a-italic'], [this.underline, 'a-underline']] as const) {
      if (on) {
        names.push(name);
      }
    }
    return names.join(' ');
  }

  /** Applies one SGR sequence's parameters (`1;31`). Colours past the 16 basic ones are ignored. */
  applySgr(params: string): void {
    const codes = params === '' ? [0] : params.split(/[;:]/).map((part) => (part === '' ? 0 : Number(part)));
    for (let index = 0; index < codes.length; index += 1) {
      const code = codes[index] ?? 0;
      if (code === 0) {
        this.fg = null;
        this.bg = null;
        this.bold = this.dim = this.italic = this.underline = this.inverse = false;
      } else if (code === 1) {
        this.bold = true;
      } else if (code === 2) {
        this.dim = true;
      } else if (code === 3) {
        this.italic = true;
      } else if (code === 4) {
        this.underline = true;
      } else if (code === 7) {
        this.inverse = true;
      } else if (code === 22) {
        this.bold = this.dim = false;
      } else if (code === 23) {
        this.italic = false;
      } else if (code === 24) {
        this.underline = false;
      } else if (code === 27) {
        this.inverse = false;
      } else if (code >= 30 && code <= 37) {
        this.fg = code - 30;
      } else if (code >= 90 && code <= 97) {
        this.fg = code - 90 + 8;
      } else if (code === 39) {
        this.fg = null;
      } else if (code >= 40 && code <= 47) {
        this.bg = code - 40;
      } else if (code >= 100 && code <= 107) {
        this.bg = code - 100 + 8;
      } else if (code === 49) {
        this.bg = null;
      } else if (code === 38 || code === 48) {
        // 38;5;n (256 colours) or 38;2;r;g;b: the 16 basic ones map to classes, the rest stay default.
        const mode = codes[index + 1];
        const value = codes[index + 2];
        if (mode === 5 && value !== undefined && value < 16) {
          if (code === 38) {
            this.fg = value;
          } else {
            this.bg = value;
          }
        }
        index += mode === 5 ? 2 : mode === 2 ? 4 : 1;
      }
    }
  }
}

// ESC sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC (… ST), and two-byte ones.
const SEQUENCE = /\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[ -/]*[0-~])/y;
// What may still become a sequence once more bytes arrive.
const UNFINISHED = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|[PX^_][^\x1b]*\x1b?|[ -/]*)?$/;
const MAX_PENDING = 256;

/** `^G` for BEL, `^?` for DEL (as `cat -v` writes them). */
function caret(ch: string): string {
  return `^${String.fromCharCode(ch.charCodeAt(0) ^ 0x40)}`;
}

/** Splits a chunk of output into styled text segments, continuing from `state`. */
export function ansiSegments(chunk: string, state: AnsiState, final = false): Segment[] {
  let text = state.pending + chunk;
  state.pending = '';
  if (!final) {
    const tail = UNFINISHED.exec(text);
    if (tail !== null && tail[0].length > 0 && tail[0].length <= MAX_PENDING) {
      state.pending = tail[0];
      text = text.slice(0, text.length - tail[0].length);
    } else if (text.endsWith('\r')) {
      state.pending = '\r';
      text = text.slice(0, -1);
    }
  }
  const segments: Segment[] = [];
  let current = '';
  const flush = (): void => {
    if (current !== '') {
      segments.push({ text: current, classes: state.classes() });
      current = '';
    }
  };
  let index = 0;
  while (index < text.length) {
    const ch = text.charAt(index);
    if (ch === '\x1b') {
      SEQUENCE.lastIndex = index;
      const match = SEQUENCE.exec(text);
      if (match !== null) {
        if (match[2] === 'm') {
          flush();
          state.applySgr(match[1] ?? '');
        }
        index += match[0].length;
        continue;
      }
      flush();
      segments.push({ text: caret(ch), classes: `${state.classes()} ctl`.trim() });
      index += 1;
      continue;
    }
    if (ch === '\r') {
      // CRLF is a line end; a lone CR (progress bars redrawing a line) starts a new line here.
      current += '\n';
      index += text.charAt(index + 1) === '\n' ? 2 : 1;
      continue;
    }
    const code = text.charCodeAt(index);
    if ((code < 0x20 && ch !== '\n' && ch !== '\t') || code === 0x7f) {
      flush();
      segments.push({ text: caret(ch), classes: `${state.classes()} ctl`.trim() });
    } else {
      current += ch;
    }
    index += 1;
  }
  flush();
  return segments;
}
