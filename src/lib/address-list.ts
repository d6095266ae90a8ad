/**
 * Lists of addresses and subnets (`127.0.0.1,10.0.0.0/8,::1,fd00::/8`) and the check whether a
 * peer is on one, with node's own `net.BlockList` (IPv4 and IPv6, subnets by prefix length).
 */
import { BlockList, isIP } from 'node:net';

export interface AddressList {
  /** The entries as written (for messages). */
  entries: string[];
  allows(address: string): boolean;
}

/** An IPv4 peer on a dual-stack socket shows as `::ffff:a.b.c.d`; it is checked as IPv4 too. */
const MAPPED_IPV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Parses a comma-separated list; returns the problems (each naming its entry) if any entry is bad. */
export function parseAddressList(text: string): AddressList | { problems: string[] } {
  const list = new BlockList();
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const problems: string[] = [];
  if (entries.length === 0) {
    problems.push('expected addresses or subnets such as 127.0.0.1,10.0.0.0/8');
  }
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && (!/^\d{1,3}$/.test(prefix ?? '') || bits > maxBits))) {
      problems.push(`'${entry}' is not an address or subnet (a.b.c.d, a.b.c.d/n, an IPv6 address or IPv6/n)`);
      continue;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) {
      list.addAddress(address, type);
    } else {
      list.addSubnet(address, bits, type);
    }
  }
  if (problems.length > 0) {
    return { problems };
  }
  return {
    entries,
    allows(peer) {
      const mapped = MAPPED_IPV4.exec(peer)?.[1];
      if (mapped !== undefined && list.check(mapped, 'ipv4')) {
        return true;
      }
      const family = isIP(peer);
      return family !== 0 && list.check(peer, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
