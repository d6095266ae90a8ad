/**
 * JSON that keeps 64-bit integers exact.
 *
 * Flux job ids pass 2^53 after about six days of instance uptime, so ids travel as `bigint`
 * inside jobgate and must leave as bare JSON integers, never as rounded doubles or strings.
 * `JSON.stringify` cannot write a bigint, so bigints are written through a per-process marker
 * that no user-provided string can contain (it embeds a random nonce) and then unquoted.
 */
import { randomBytes } from 'node:crypto';
import { parse as losslessParse, isSafeNumber } from 'lossless-json';

const nonce = randomBytes(6).toString('hex');
const marker = `\u0000big${nonce}:`;
const markerPattern = new RegExp(`"\\\\u0000big${nonce}:(-?\\d+)"`, 'g');

function replaceBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${marker}${value.toString()}` : value;
}

/** Serialises like JSON.stringify, writing bigints as exact JSON integers. */
export function stringifyJson(value: unknown, space?: number): string {
  const text = JSON.stringify(value, replaceBigint, space);
  if (text === undefined) {
    return 'null';
  }
  return text.includes(nonce) ? text.replace(markerPattern, '$1') : text;
}

/** Parses JSON, turning integers outside the safe range into bigints instead of rounding them. */
export function parseJsonLossless(text: string): unknown {
  return losslessParse(text, null, (value: string) => {
    if (isSafeNumber(value)) {
      return Number(value);
    }
    return /^-?\d+$/.test(value) ? BigInt(value) : Number(value);
  });
}
