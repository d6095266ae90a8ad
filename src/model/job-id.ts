/**
 * Job identifiers in every encoding Flux uses (FLUIDs: unsigned 64-bit integers).
 *
 * Accepted on input: decimal, F58 with the `ƒ` (U+0192) or ASCII `f` prefix, hex (`0x...`),
 * dothex (`0000.0012.c400.0000`) and the KVS path form (`job.0000.0012.c400.0000`).
 * F58 without its prefix is rejected, as Flux rejects it, because it is ambiguous with decimal.
 */
export type JobId = bigint;

const MAX_ID = (1n << 64n) - 1n;
const F58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const F58_VALUES = new Map([...F58_ALPHABET].map((ch, index) => [ch, BigInt(index)]));

/** Encodes an id as F58 with the `ƒ` prefix, exactly as `flux job id --to=f58` prints it. */
export function toF58(id: JobId, ascii = false): string {
  let value = id;
  let digits = '';
  do {
    digits = F58_ALPHABET[Number(value % 58n)] + digits;
    value /= 58n;
  } while (value > 0n);
  return (ascii ? 'f' : 'ƒ') + digits;
}

export function toHex(id: JobId): string {
  return `0x${id.toString(16)}`;
}

export function toDothex(id: JobId): string {
  const hex = id.toString(16).padStart(16, '0');
  return `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8, 12)}.${hex.slice(12, 16)}`;
}

function fromF58(digits: string): JobId | null {
  if (digits.length === 0 || digits.length > 11) {
    return null;
  }
  let value = 0n;
  for (const ch of digits) {
    const digit = F58_VALUES.get(ch);
    if (digit === undefined) {
      return null;
    }
    value = value * 58n + digit;
  }
  return value;
}

/** Parses any accepted encoding; returns null when the text is not a job id. */
export function parseJobId(input: string): JobId | null {
  const text = input.trim();
  let value: JobId | null = null;
  if (/^\d{1,20}$/.test(text)) {
    value = BigInt(text);
  } else if (/^0x[0-9a-fA-F]{1,16}$/.test(text)) {
    value = BigInt(text);
  } else if (/^(job\.)?[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text)) {
    value = BigInt(`0x${text.replace(/^job\./, '').replaceAll('.', '')}`);
  } else if (text.startsWith('ƒ') || text.startsWith('f')) {
    value = fromF58(text.slice(1));
  }
  if (value === null || value > MAX_ID) {
    return null;
  }
  return value;
}

/**
 * Generates FLUID-style ids for executors that do not assign their own: milliseconds since the
 * instance epoch in bits 24 and up, a sequence number below. Ids grow with time, never repeat
 * (the clock going backwards only advances the sequence), and look like Flux ids.
 */
export class FluidGenerator {
  private lastMs = -1n;
  private sequence = 0n;

  constructor(
    private readonly epochMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  next(): JobId {
    let ms = BigInt(Math.max(0, Math.floor(this.now() - this.epochMs)));
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.sequence += 1n;
      if (this.sequence >= 1n << 24n) {
        ms += 1n;
        this.sequence = 0n;
      }
    } else {
      this.sequence = 0n;
    }
    this.lastMs = ms;
    return (ms << 24n) | this.sequence;
  }

  /** Makes sure later ids are above one already issued (used after a restart). */
  observe(id: JobId): void {
    const ms = id >> 24n;
    if (ms > this.lastMs || (ms === this.lastMs && (id & 0xffffffn) > this.sequence)) {
      this.lastMs = ms;
      this.sequence = id & 0xffffffn;
    }
  }
}
