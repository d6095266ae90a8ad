/**
 * JSON on the double's broker socket, with integers kept exact (job ids pass 2^53): the
 * lossless-json package, used here directly and on its own terms, not through jobgate's
 * JSON helpers, so a mistake there cannot hide in the double's answers.
 */
import { isSafeNumber, parse, stringify } from 'lossless-json';

export function readWire(text: string): unknown {
  return parse(text, null, (value: string) => (isSafeNumber(value) || !/^-?\d+$/.test(value) ? Number(value) : BigInt(value)));
}

export function writeWire(value: unknown): string {
  return stringify(value) ?? 'null';
}
