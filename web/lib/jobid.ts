/**
 * Job ids are unsigned 64-bit integers, beyond what a JavaScript number holds exactly. Every
 * search row also carries the id as F58 text (`jobid`); this turns it into exact decimal.
 */
const F58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** `ƒ…` / `f…` → decimal text, or null when it is not F58. */
export function f58ToDecimal(text: string): string | null {
  const digits = text.startsWith('ƒ') || text.startsWith('f') ? text.slice(1) : '';
  if (digits === '' || digits.length > 11) {
    return null;
  }
  let value = 0n;
  for (const ch of digits) {
    const digit = F58_ALPHABET.indexOf(ch);
    if (digit < 0) {
      return null;
    }
    value = value * 58n + BigInt(digit);
  }
  return value.toString();
}
