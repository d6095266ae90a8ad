/**
 * How Flux 0.88 writes what the double prints, as recorded: eventlog entries in text and JSON
 * form, Python-style JSON (`", "` and `": "`, floats with `.0`) for R, and timestamps with
 * sub-millisecond precision.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Entry {
  timestamp: number;
  name: string;
  context?: JsonObject;
}

const start = Date.now() / 1000 - performance.now() / 1000;

/** Seconds since the epoch with microseconds, strictly increasing (eventlogs need order). */
let last = 0;
export function now(): number {
  let t = Math.round((start + performance.now() / 1000) * 1e7) / 1e7;
  if (t <= last) {
    t = last + 1e-6;
  }
  last = t;
  return t;
}

/** `{"timestamp":...,"name":...,"context":{...}}`: compact, raw UTF-8, context left out when empty. */
export function entryJson(entry: Entry): string {
  const body: JsonObject = { timestamp: entry.timestamp, name: entry.name };
  if (entry.context !== undefined && Object.keys(entry.context).length > 0) {
    body.context = entry.context;
  }
  return JSON.stringify(body);
}

/** `1795337653.102484 finish status=0`: strings quoted and escaped as JSON, objects compact. */
export function entryText(entry: Entry): string {
  const parts = [`${entry.timestamp.toFixed(6)} ${entry.name}`];
  for (const [key, value] of Object.entries(entry.context ?? {})) {
    parts.push(`${key}=${JSON.stringify(value)}`);
  }
  return parts.join(' ');
}

/** Python's json.dumps: `", "` and `": "` separators; keys in `floats` printed as floats. */
export function pythonJson(value: Json, floats: ReadonlySet<string> = new Set(), key = ''): string {
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'number') {
    return floats.has(key) && Number.isInteger(value) ? `${value}.0` : JSON.stringify(value);
  }
  if (typeof value !== 'object') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => pythonJson(item, floats, key)).join(', ')}]`;
  }
  return `{${Object.entries(value)
    .map(([name, item]) => `${JSON.stringify(name)}: ${pythonJson(item, floats, name)}`)
    .join(', ')}}`;
}

export const R_FLOATS: ReadonlySet<string> = new Set(['starttime', 'expiration']);
