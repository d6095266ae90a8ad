/**
 * Flux's two compact list notations: idsets (`0-3,7`, `[0-1]`: broker ranks, cores, GPUs) and
 * hostlists (`vm,vm`, `node[1-3,5]`: node names in rank order). Both appear in R, in
 * `flux resource list` output and in job records.
 */

/** Splits on commas that are not inside brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '[') {
      depth += 1;
    } else if (ch === ']') {
      depth = Math.max(0, depth - 1);
    }
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.filter((part) => part !== '');
}

/** `0-2,5` or `[0-2,5]` → [0, 1, 2, 5]; an empty text is the empty set. Throws on malformed input. */
export function parseIdset(text: string): number[] {
  const inner = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (inner === '') {
    return [];
  }
  const ids = new Set<number>();
  for (const part of inner.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null || match[1] === undefined) {
      throw new Error(`malformed idset '${text}'`);
    }
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (high < low || high - low > 1_000_000) {
      throw new Error(`malformed idset '${text}'`);
    }
    for (let id = low; id <= high; id += 1) {
      ids.add(id);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/** [0, 1, 2, 5] → `0-2,5`; with brackets as Flux writes job ranks (`[0-1]`, but a single `0`). */
export function formatIdset(ids: Iterable<number>, brackets = false): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const ranges: string[] = [];
  let index = 0;
  while (index < sorted.length) {
    const start = sorted[index] ?? 0;
    let end = start;
    while (sorted[index + 1] === end + 1) {
      index += 1;
      end += 1;
    }
    ranges.push(start === end ? String(start) : `${start}-${end}`);
    index += 1;
  }
  const text = ranges.join(',');
  return brackets && sorted.length > 1 ? `[${text}]` : text;
}

/** `vm,vm` → [vm, vm]; `node[1-3],gpu7` → [node1, node2, node3, gpu7]; zero padding is kept. */
export function expandHostlist(text: string): string[] {
  const hosts: string[] = [];
  for (const part of splitTopLevel(text.trim())) {
    const match = /^([^[\]]*)\[([^\]]*)\](.*)$/.exec(part);
    if (match === null) {
      hosts.push(part);
      continue;
    }
    const [, prefix = '', ranges = '', suffix = ''] = match;
    for (const range of ranges.split(',')) {
      const bounds = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
      if (bounds === null || bounds[1] === undefined) {
        throw new Error(`malformed hostlist '${text}'`);
      }
      const width = bounds[1].length;
      const low = Number(bounds[1]);
      const high = bounds[2] === undefined ? low : Number(bounds[2]);
      for (let n = low; n <= high; n += 1) {
        hosts.push(`${prefix}${String(n).padStart(width, '0')}${suffix}`);
      }
    }
  }
  return hosts;
}

export { splitTopLevel };
