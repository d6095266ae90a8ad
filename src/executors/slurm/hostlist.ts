/**
 * Slurm's compact lists, expanded: hostlists such as `node[01-03,07],gpu1` (SLURM_JOB_NODELIST,
 * squeue's `nodes`) and per-node CPU counts such as `4(x2),2` (SLURM_JOB_CPUS_PER_NODE). Done
 * here rather than with `scontrol show hostnames`, which would cost a process per look-up.
 */

/** Splits on commas that are not inside brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '[') {
      depth += 1;
    } else if (char === ']') {
      depth = Math.max(0, depth - 1);
    } else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** `01-03,07` → ['01', '02', '03', '07'], keeping the zero padding of the lower bound. */
function expandRanges(ranges: string): string[] {
  const values: string[] = [];
  for (const range of ranges.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
    if (match === null || match[1] === undefined) {
      values.push(range.trim());
      continue;
    }
    const low = match[1];
    const high = match[2] ?? low;
    const from = Number.parseInt(low, 10);
    const to = Number.parseInt(high, 10);
    for (let value = from; value <= to && values.length < 1_000_000; value += 1) {
      values.push(String(value).padStart(low.length, '0'));
    }
  }
  return values;
}

function expandOne(pattern: string): string[] {
  const open = pattern.indexOf('[');
  const close = open < 0 ? -1 : pattern.indexOf(']', open);
  if (open < 0 || close < 0) {
    return [pattern];
  }
  const prefix = pattern.slice(0, open);
  const rest = expandOne(pattern.slice(close + 1));
  const names: string[] = [];
  for (const value of expandRanges(pattern.slice(open + 1, close))) {
    for (const suffix of rest) {
      names.push(`${prefix}${value}${suffix}`);
    }
  }
  return names;
}

/** Every host name of a Slurm hostlist, in order. `(null)` and empty mean none. */
export function expandHostlist(list: string): string[] {
  if (list === '' || list === '(null)' || list === 'None assigned') {
    return [];
  }
  return splitTopLevel(list).flatMap(expandOne);
}

/** `4(x2),2` → [4, 4, 2]. */
export function expandCounts(list: string): number[] {
  const counts: number[] = [];
  for (const part of list.split(',')) {
    const match = /^\s*(\d+)(?:\(x(\d+)\))?\s*$/.exec(part);
    if (match === null || match[1] === undefined) {
      continue;
    }
    const value = Number.parseInt(match[1], 10);
    const times = match[2] === undefined ? 1 : Number.parseInt(match[2], 10);
    for (let index = 0; index < times; index += 1) {
      counts.push(value);
    }
  }
  return counts;
}
