/**
 * Parsers for loosely typed inputs (query strings, forms, environment variables).
 * Each returns `undefined` when the text is not of the type, so callers can name the field.
 */

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n']);

/** Booleans as FastAPI/pydantic accept them (case-insensitive), so old clients keep working. */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) {
    return true;
  }
  if (FALSE_WORDS.has(word)) {
    return false;
  }
  return undefined;
}

/** A whole number written in decimal, within the safe integer range. */
export function parseInteger(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d{1,16}$/.test(trimmed)) {
    return undefined;
  }
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

const DURATION_UNITS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/**
 * Human durations: `90`, `90s`, `15m`, `1h30m`, `2d`, `1.5h`. A bare number means seconds.
 * Returns seconds, or undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed);
  }
  const pattern = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    const [whole, amount, unit] = match;
    total += Number(amount) * (DURATION_UNITS[unit ?? 's'] ?? 1);
    consumed += whole.length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}

/** Formats seconds the way people write them: 90 → "1m30s", 3600 → "1h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    return '0s';
  }
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.length > 0 ? parts.join('') : `${seconds.toFixed(2)}s`;
}
