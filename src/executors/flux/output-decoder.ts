/**
 * A job's output eventlog (`guest.output`, RFC 24) → bytes in the job's stdout and stderr files.
 *
 * - `data` events carry text (valid UTF-8 stays text) or, for anything else, base64 with
 *   `encoding: "base64"`; both are written back byte-exact. `repeat` repeats the data.
 * - `log` events (the job shell's own messages, e.g. "start failed") and `redirect` events
 *   (output going to a file instead) are noted on stderr with the words `flux job attach`
 *   prints, so the reader learns why output is missing.
 * - `eof` events, one per stream and task, tell when the output is complete.
 *
 * Re-reading an eventlog from its start (after a restart or reconnect) produces the same bytes
 * in the same order, so the bytes already stored are skipped instead of written twice.
 */
import type { StreamName } from '../../output/layout.js';
import type { EventlogEntry } from './flux-events.js';
import { parseIdset } from './idset.js';

/** Where decoded output goes (a LiveOutput). */
export interface OutputTarget {
  append(stream: StreamName, data: Buffer): void;
}

/** Level words of the job shell's log messages, as `flux job attach` prints them. */
const LEVELS: readonly (string | null)[] = ['FATAL', 'FATAL', 'FATAL', 'ERROR', ' WARN', null, 'DEBUG', 'TRACE'];

function isStream(value: unknown): value is StreamName {
  return value === 'stdout' || value === 'stderr';
}

function countRanks(rank: unknown): number {
  if (typeof rank === 'number') {
    return 1;
  }
  try {
    return Math.max(1, parseIdset(String(rank)).length);
  } catch {
    return 1;
  }
}

/** The text `flux job attach` prints for a log event (without its time prefix). */
export function logNote(context: Record<string, unknown>): string {
  const rank = typeof context.rank === 'number' ? context.rank : -1;
  const level = typeof context.level === 'number' ? context.level : -1;
  const label = LEVELS[level] ?? null;
  let text = 'flux-shell';
  if (rank >= 0) {
    text += `[${rank}]`;
  }
  if (label !== null) {
    text += `: ${label}`;
  }
  if (typeof context.component === 'string') {
    text += `: ${context.component}`;
  }
  return `${text}: ${String(context.message ?? '')}\n`;
}

/** The text `flux job attach` prints for a redirect event. */
export function redirectNote(context: Record<string, unknown>): string {
  const where = typeof context.path === 'string' ? ` to ${context.path}` : '';
  return `${String(context.rank ?? '')}: ${String(context.stream ?? 'output')} redirected${where}\n`;
}

export class OutputDecoder {
  private readonly skip: Record<StreamName, number>;
  private expected: number | null = null;
  private eofs = 0;

  /** `alreadyStored`: bytes of each stream written by an earlier reading of this eventlog. */
  constructor(
    private readonly target: OutputTarget,
    alreadyStored: Readonly<Record<StreamName, number>> = { stdout: 0, stderr: 0 },
  ) {
    this.skip = { stdout: alreadyStored.stdout, stderr: alreadyStored.stderr };
  }

  /** True once every stream of every task has ended (per the header's counts). */
  get complete(): boolean {
    return this.expected !== null && this.eofs >= this.expected;
  }

  handle(entry: EventlogEntry): void {
    const context = entry.context ?? {};
    switch (entry.name) {
      case 'header': {
        const count = (context.count ?? {}) as Record<string, unknown>;
        this.expected = Number(count.stdout ?? 0) + Number(count.stderr ?? 0);
        break;
      }
      case 'data': {
        const stream = isStream(context.stream) ? context.stream : 'stdout';
        if (typeof context.data === 'string') {
          let bytes = context.encoding === 'base64' ? Buffer.from(context.data, 'base64') : Buffer.from(context.data, 'utf8');
          const repeat = typeof context.repeat === 'number' ? context.repeat : 1;
          if (repeat > 1) {
            bytes = Buffer.concat(Array.from({ length: repeat }, () => bytes));
          }
          this.write(stream, bytes);
        }
        if (context.eof === true) {
          this.eofs += countRanks(context.rank);
        }
        break;
      }
      case 'log':
        this.write('stderr', Buffer.from(logNote(context), 'utf8'));
        break;
      case 'redirect':
        this.write('stderr', Buffer.from(redirectNote(context), 'utf8'));
        break;
      default:
        break;
    }
  }

  private write(stream: StreamName, bytes: Buffer): void {
    const skipped = Math.min(this.skip[stream], bytes.length);
    this.skip[stream] -= skipped;
    if (skipped < bytes.length) {
      this.target.append(stream, skipped === 0 ? bytes : bytes.subarray(skipped));
    }
  }
}
