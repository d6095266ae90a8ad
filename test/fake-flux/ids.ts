/**
 * The double's own job id forms, written from the recordings (file 02), not from jobgate's
 * code: F58 with `ƒ` (or `f` under FLUX_F58_FORCE_ASCII=1), decimal, hex, dothex and kvs.
 * Recorded pairs it must meet: 0 is `ƒ1`, 1 is `ƒ2`, 2^64-1 is `ƒjpXCZedGfVQ`, 80597745664 is
 * `ƒ37o9WoZ` = `0x12c4000000` = `0000.0012.c400.0000`. Mnemonic (words) ids are not modelled.
 */

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const MAX = (1n << 64n) - 1n;

export function f58Of(id: bigint, ascii = false): string {
  let rest = id;
  let digits = '';
  do {
    digits = (ALPHABET[Number(rest % 58n)] ?? '') + digits;
    rest /= 58n;
  } while (rest > 0n);
  return `${ascii ? 'f' : 'ƒ'}${digits}`;
}

export function hexOf(id: bigint): string {
  return `0x${id.toString(16)}`;
}

/** `0000.0012.c400.0000`: 16 hex digits in four groups. */
export function dothexOf(id: bigint): string {
  const digits = id.toString(16).padStart(16, '0');
  return [0, 4, 8, 12].map((at) => digits.slice(at, at + 4)).join('.');
}

function fromF58(digits: string): bigint | null {
  let value = 0n;
  for (const ch of digits) {
    const index = ALPHABET.indexOf(ch);
    if (index < 0) {
      return null;
    }
    value = value * 58n + BigInt(index);
  }
  return value;
}

/** Any recorded form (prefix `ƒ` or `f` required for F58, as Flux requires), or null. */
export function readJobId(text: string): bigint | null {
  const given = text.trim();
  let value: bigint | null = null;
  if (/^\d+$/.test(given)) {
    value = BigInt(given);
  } else if (/^0x[0-9a-f]+$/i.test(given)) {
    value = BigInt(given);
  } else if (/^(job\.)?[0-9a-f]{4}(\.[0-9a-f]{4}){3}$/i.test(given)) {
    value = BigInt(`0x${given.replace(/^job\./, '').split('.').join('')}`);
  } else if (/^[ƒf][1-9A-HJ-NP-Za-km-z]+$/.test(given)) {
    value = fromF58(given.slice(1));
  }
  return value !== null && value <= MAX ? value : null;
}
