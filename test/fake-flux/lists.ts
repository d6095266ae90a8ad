/**
 * The double's own writing of Flux's compact lists, from what the recordings print (14, 15,
 * 21): idsets `0-1` (R_lite ranks and cores, `flux resource status` ranks), bracketed where
 * Flux brackets them (`rank[0-1]/core[0-1]`, a job's `ranks` `[0-1]`, but `rank0/core0`), and
 * host lists in rank order (`vm,vm`: equal names are not merged).
 */

/** Consecutive runs of sorted, distinct ids: [[0, 2], [5, 5]]. */
function runs(ids: Iterable<number>): [number, number][] {
  const result: [number, number][] = [];
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    const last = result[result.length - 1];
    if (last !== undefined && last[1] + 1 === id) {
      last[1] = id;
    } else {
      result.push([id, id]);
    }
  }
  return result;
}

/** `0-2,5`. */
export function idsetText(ids: Iterable<number>): string {
  return runs(ids)
    .map(([low, high]) => (low === high ? String(low) : `${low}-${high}`))
    .join(',');
}

/** `[0-2,5]`, but a lone id bare: `0`. */
export function bracketedIdset(ids: Iterable<number>): string {
  const list = [...new Set(ids)];
  return list.length > 1 ? `[${idsetText(list)}]` : idsetText(list);
}

/** `0-2,5` or `[0-2]` → ids (what `flux resource drain RANKS` takes). */
export function readIdset(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.replace(/^\[|\]$/g, '').split(',').filter((item) => item !== '')) {
    const [low = '', high = low] = part.split('-');
    for (let id = Number(low); id <= Number(high); id += 1) {
      ids.push(id);
    }
  }
  return ids;
}

/**
 * Host names in rank order. The recordings only have ranks that share one name (`vm,vm`,
 * written out one by one); for numbered names the double writes what Flux's hostlist
 * documentation shows (`node[1-3]`: one prefix, its numbers as ranges, the order kept) — no
 * recording here has distinct host names.
 */
export function hostlistText(hosts: string[]): string {
  const plain: (string | { prefix: string; width: number; numbers: number[] })[] = [];
  for (const host of hosts) {
    const match = /^(.*?)(\d+)$/.exec(host);
    const last = plain[plain.length - 1];
    if (match === null) {
      plain.push(host);
      continue;
    }
    const prefix = match[1] ?? '';
    const digits = match[2] ?? '';
    const number = Number(digits);
    const width = digits.startsWith('0') ? digits.length : 0;
    if (typeof last === 'object' && last.prefix === prefix && last.width === width && (last.numbers[last.numbers.length - 1] ?? Infinity) < number) {
      last.numbers.push(number);
    } else {
      plain.push({ prefix, width, numbers: [number] });
    }
  }
  return plain
    .map((item) => {
      if (typeof item === 'string') {
        return item;
      }
      const pad = (n: number): string => String(n).padStart(item.width, '0');
      if (item.numbers.length === 1) {
        return `${item.prefix}${pad(item.numbers[0] ?? 0)}`;
      }
      const ranges = runs(item.numbers).map(([low, high]) => (low === high ? pad(low) : `${pad(low)}-${pad(high)}`));
      return `${item.prefix}[${ranges.join(',')}]`;
    })
    .join(',');
}
